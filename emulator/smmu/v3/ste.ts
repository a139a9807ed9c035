import { hex } from '../../util/u64';

/**
 * SMMUv3 Stream Table Entry (IHI 0070 §5.2): 64 bytes, eight little-endian dwords.
 * The fields of stage-1, stage-2 and nested streams are modelled; every other bit encodes
 * as 0, which is each field's "off" value (no overrides, no HTTU).
 *
 * Bit numbers below are the spec's, counted across the whole structure (S1STALLD is
 * bit 91: dword 1, bit 27), so the debugger's labels can be looked up in §5.2 directly.
 */

/** Config[3:1] = 0b0xx / 0b100 / 0b101 / 0b110 (stage 2 only) / 0b111 (nested: stage 1 then stage 2). */
export type SteConfig = 'abort' | 'bypass' | 's1' | 's2' | 'nested';

/** Whether stage 2 translates (Config = 0b11x): the S2 fields count and translations are VMID-tagged. */
export function stage2Enabled(config: SteConfig): boolean {
  return config === 's2' || config === 'nested';
}

/** Whether stage 1 translates (Config = 0b1x1): the S1 fields and the CD count. */
export function stage1Enabled(config: SteConfig): boolean {
  return config === 's1' || config === 'nested';
}

/** The stage-2 fields (dwords 2 and 3): VTCR_EL2's fields as §5.2 places them, the VMID and the table. */
export interface SteStage2Fields {
  vmid: number; // S2VMID [143:128]
  t0sz: number; // S2T0SZ [165:160]
  sl0: number; // S2SL0 [167:166]
  ir0: number; // S2IR0 [169:168]
  or0: number; // S2OR0 [171:170]
  sh0: number; // S2SH0 [173:172]
  tg: number; // S2TG [175:174]: 0b00 4KB, 0b01 64KB, 0b10 16KB
  ps: number; // S2PS [178:176]
  aa64: boolean; // S2AA64, bit 179 (1: VMSAv8-64 tables)
  affd: boolean; // S2AFFD, bit 181
  ptw: boolean; // S2PTW, bit 182
  stall: boolean; // S2S, bit 185
  record: boolean; // S2R, bit 186
  ttb: bigint; // S2TTB [247:196]: the stage-2 table's address, bits [51:4] in place
}

/** Stage 2 off: every S2 field 0. */
export const NO_STAGE2: SteStage2Fields = { vmid: 0, t0sz: 0, sl0: 0, ir0: 0, or0: 0, sh0: 0, tg: 0, ps: 0, aa64: false, affd: false, ptw: false, stall: false, record: false, ttb: 0n };

export interface SteFields {
  valid: boolean; // V, bit 0
  config: SteConfig; // Config [3:1]
  s1Fmt: number; // S1Fmt [5:4] (0 linear CD table)
  s1ContextPtr: bigint; // S1ContextPtr [55:6]: address of the CD (table), 64-byte aligned
  s1CdMax: number; // S1CDMax [63:59]: log2 of the CD count (0 = one CD, no SSIDs)
  s1Dss: 'terminate' | 'bypass' | 'ssid0'; // S1DSS [65:64] = 0b00 / 0b01 / 0b10
  s1Stalld: boolean; // S1STALLD, bit 91
  eats: number; // EATS [93:92] (0 = ATS off, 1 = full ATS)
  strw: number; // STRW [95:94] (0 = EL1)
  mev: boolean; // MEV, bit 83: merge events (Linux sets it on a nested STE)
  s2: SteStage2Fields;
}

/** One field of a structure, as hovers and the debugger show it. */
export interface DecodedField {
  name: string;
  bits: string; // "[3:1]" or "91": the spec's numbering across the whole structure
  value: bigint; // the field's bits, shifted down to bit 0
  meaning: string;
}

// --- Field access shared by the v3 codecs (CD, event record, PRI entry, command) -------

/**
 * Where a field sits: lowest bit and width, numbered across the structure's dwords; and,
 * worked out once when the field is defined, its dword, shift and mask, as reading a field
 * is what every record and command costs.
 */
export interface FieldBits {
  readonly lsb: number;
  readonly width: number;
  readonly dword: number;
  readonly shift: bigint;
  readonly mask: bigint;
}

export function field(lsb: number, width = 1): FieldBits {
  // Every architected field used here lies inside one dword; a field that did not would
  // silently lose its top bits in readBits/writeBits.
  if (Math.floor(lsb / 64) !== Math.floor((lsb + width - 1) / 64)) {
    throw new RangeError(`field [${lsb + width - 1}:${lsb}] crosses a dword boundary`);
  }
  return { lsb, width, dword: Math.floor(lsb / 64), shift: BigInt(lsb % 64), mask: (1n << BigInt(width)) - 1n };
}

export function readBits(dwords: readonly bigint[], at: FieldBits): bigint {
  return (dwords[at.dword] >> at.shift) & at.mask;
}

/** ORs `value` into a zeroed field; a value that does not fit is a caller's bug. */
export function writeBits(dwords: bigint[], at: FieldBits, value: bigint | number | boolean, name: string): void {
  const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
  if (v < 0n || v > at.mask) {
    throw new RangeError(`${name} ${hex(v)} does not fit in bits ${bitsLabel(at)}`);
  }
  dwords[at.dword] |= v << at.shift;
}

export function bitsLabel(at: FieldBits): string {
  return at.width === 1 ? `${at.lsb}` : `[${at.lsb + at.width - 1}:${at.lsb}]`;
}

/** Rejects a structure of the wrong size or with a dword outside 0..2^64-1. */
export function checkDwords(dwords: readonly bigint[], count: number, what: string): void {
  if (dwords.length !== count) {
    throw new RangeError(`${what} is ${count} dwords, got ${dwords.length}`);
  }
  for (const dword of dwords) {
    if (dword < 0n || dword >= 1n << 64n) throw new RangeError(`${what}: ${hex(dword)} is not a 64-bit value`);
  }
}

export function decoded(name: string, at: FieldBits, dwords: readonly bigint[], meaning: string): DecodedField {
  return { name, bits: bitsLabel(at), value: readBits(dwords, at), meaning };
}

// --- The STE ---------------------------------------------------------------------------

const STE_DWORDS = 8;

const V = field(0);
const CONFIG = field(1, 3);
const S1FMT = field(4, 2);
const S1_CONTEXT_PTR = field(6, 50); // address bits [55:6] in place
const S1CDMAX = field(59, 5);
const S1DSS = field(64, 2);
const S1STALLD = field(91);
const EATS = field(92, 2);
const STRW = field(94, 2);
const MEV = field(83);
const S2VMID = field(128, 16);
const S2T0SZ = field(160, 6);
const S2SL0 = field(166, 2);
const S2IR0 = field(168, 2);
const S2OR0 = field(170, 2);
const S2SH0 = field(172, 2);
const S2TG = field(174, 2);
const S2PS = field(176, 3);
const S2AA64 = field(179);
const S2AFFD = field(181);
const S2PTW = field(182);
const S2S = field(185);
const S2R = field(186);
const S2TTB = field(196, 52); // address bits [55:4] in place (SMMUv3.1: [51:4], the rest RES0)

const CONFIG_CODE: Record<SteConfig, number> = { abort: 0b000, bypass: 0b100, s1: 0b101, s2: 0b110, nested: 0b111 };
const CONFIG_OF_CODE: Partial<Record<number, SteConfig>> = Object.fromEntries(Object.entries(CONFIG_CODE).map(([config, code]) => [code, config as SteConfig]));
const S1DSS_CODE: Record<SteFields['s1Dss'], number> = { terminate: 0b00, bypass: 0b01, ssid0: 0b10 };

export function encodeSte(fields: SteFields): bigint[] {
  if ((fields.s1ContextPtr & 0x3fn) !== 0n) {
    throw new RangeError(`S1ContextPtr ${hex(fields.s1ContextPtr)} is not 64-byte aligned`);
  }
  if ((fields.s2.ttb & 0xfn) !== 0n) throw new RangeError(`S2TTB ${hex(fields.s2.ttb)} is not 16-byte aligned`);
  const dwords = new Array<bigint>(STE_DWORDS).fill(0n);
  writeBits(dwords, V, fields.valid, 'V');
  writeBits(dwords, CONFIG, CONFIG_CODE[fields.config], 'Config');
  writeBits(dwords, S1FMT, fields.s1Fmt, 'S1Fmt');
  writeBits(dwords, S1_CONTEXT_PTR, fields.s1ContextPtr >> 6n, 'S1ContextPtr');
  writeBits(dwords, S1CDMAX, fields.s1CdMax, 'S1CDMax');
  writeBits(dwords, S1DSS, S1DSS_CODE[fields.s1Dss], 'S1DSS');
  writeBits(dwords, S1STALLD, fields.s1Stalld, 'S1STALLD');
  writeBits(dwords, EATS, fields.eats, 'EATS');
  writeBits(dwords, STRW, fields.strw, 'STRW');
  writeBits(dwords, MEV, fields.mev, 'MEV');
  const s2 = fields.s2;
  writeBits(dwords, S2VMID, s2.vmid, 'S2VMID');
  writeBits(dwords, S2T0SZ, s2.t0sz, 'S2T0SZ');
  writeBits(dwords, S2SL0, s2.sl0, 'S2SL0');
  writeBits(dwords, S2IR0, s2.ir0, 'S2IR0');
  writeBits(dwords, S2OR0, s2.or0, 'S2OR0');
  writeBits(dwords, S2SH0, s2.sh0, 'S2SH0');
  writeBits(dwords, S2TG, s2.tg, 'S2TG');
  writeBits(dwords, S2PS, s2.ps, 'S2PS');
  writeBits(dwords, S2AA64, s2.aa64, 'S2AA64');
  writeBits(dwords, S2AFFD, s2.affd, 'S2AFFD');
  writeBits(dwords, S2PTW, s2.ptw, 'S2PTW');
  writeBits(dwords, S2S, s2.stall, 'S2S');
  writeBits(dwords, S2R, s2.record, 'S2R');
  writeBits(dwords, S2TTB, s2.ttb >> 4n, 'S2TTB');
  return dwords;
}

/**
 * Reserved encodings decode as what the spec says they behave as: Config 0b001–0b011 as
 * abort, S1DSS 0b11 as terminate.
 */
export function decodeSte(dwords: readonly bigint[]): SteFields {
  checkDwords(dwords, STE_DWORDS, 'an STE');
  const config = Number(readBits(dwords, CONFIG));
  const dss = Number(readBits(dwords, S1DSS));
  return {
    valid: readBits(dwords, V) === 1n,
    config: CONFIG_OF_CODE[config] ?? 'abort',
    s1Fmt: Number(readBits(dwords, S1FMT)),
    s1ContextPtr: readBits(dwords, S1_CONTEXT_PTR) << 6n,
    s1CdMax: Number(readBits(dwords, S1CDMAX)),
    s1Dss: dss === 0b01 ? 'bypass' : dss === 0b10 ? 'ssid0' : 'terminate',
    s1Stalld: readBits(dwords, S1STALLD) === 1n,
    eats: Number(readBits(dwords, EATS)),
    strw: Number(readBits(dwords, STRW)),
    mev: readBits(dwords, MEV) === 1n,
    s2: {
      vmid: Number(readBits(dwords, S2VMID)),
      t0sz: Number(readBits(dwords, S2T0SZ)),
      sl0: Number(readBits(dwords, S2SL0)),
      ir0: Number(readBits(dwords, S2IR0)),
      or0: Number(readBits(dwords, S2OR0)),
      sh0: Number(readBits(dwords, S2SH0)),
      tg: Number(readBits(dwords, S2TG)),
      ps: Number(readBits(dwords, S2PS)),
      aa64: readBits(dwords, S2AA64) === 1n,
      affd: readBits(dwords, S2AFFD) === 1n,
      ptw: readBits(dwords, S2PTW) === 1n,
      stall: readBits(dwords, S2S) === 1n,
      record: readBits(dwords, S2R) === 1n,
      ttb: readBits(dwords, S2TTB) << 4n,
    },
  };
}

const CONFIG_MEANING: readonly string[] = [
  'abort: traffic is terminated, no event recorded',
  'reserved (behaves as abort)',
  'reserved (behaves as abort)',
  'reserved (behaves as abort)',
  'bypass: both stages bypassed, addresses pass through',
  'stage 1 translates, stage 2 bypassed',
  'stage 1 bypassed, stage 2 translates (IPA = input address)',
  'nested: stage 1 translates to an IPA, stage 2 translates it and every CD and stage 1 table fetch',
];

const S2TG_MEANING: readonly string[] = ['4KB granule', '64KB granule', '16KB granule', 'reserved, ILLEGAL'];
const S2PS_BITS: readonly number[] = [32, 36, 40, 42, 44, 48, 52, 56];
const CACHEABILITY: readonly string[] = ['Non-cacheable', 'Write-Back Write-Allocate', 'Write-Through', 'Write-Back no Write-Allocate'];
const SHAREABILITY: readonly string[] = ['Non-shareable', 'reserved', 'Outer Shareable', 'Inner Shareable'];

const S1FMT_MEANING: readonly string[] = [
  'linear CD table indexed by SSID',
  '2-level CD table, 4 KB leaf tables',
  '2-level CD table, 64 KB leaf tables',
  'reserved (behaves as linear)',
];

const S1DSS_MEANING: readonly string[] = [
  'terminate: traffic without an SSID aborts and records F_STREAM_DISABLED',
  'bypass: traffic without an SSID skips stage 1',
  'ssid0: traffic without an SSID uses CD 0; SSID 0 itself is refused (F_STREAM_DISABLED)',
  'reserved (behaves as terminate)',
];

const EATS_MEANING: readonly string[] = [
  'ATS off: Translation Requests get UR and record F_BAD_ATS_TREQ',
  'full ATS: Translation Requests are translated by every enabled stage',
  'split-stage ATS (needs stage 1 and 2)',
  'full ATS with DPT checks',
];

const STRW_MEANING: readonly string[] = [
  'EL1 (NS-EL1 for a Non-secure STE)',
  'EL3 (Secure STEs only; ILLEGAL in the Non-secure table)',
  'EL2, or EL2-E2H when CR2.E2H = 1',
  'reserved, ILLEGAL',
];

/** What S1ContextPtr points at, flagging a linear table not aligned to its size (§5.2 S1Fmt). */
function contextPointerMeaning(pointer: bigint, cdMax: number): string {
  if (cdMax === 0) return `CD at ${hex(pointer)}`;
  const tableBytes = 64n << BigInt(cdMax);
  const aligned = pointer % tableBytes === 0n;
  return `CD table at ${hex(pointer)}${aligned ? '' : `, misaligned: a ${tableBytes}-byte table must be aligned to its size`}`;
}

/** Each field with its meaning, noting fields the configuration makes the SMMU ignore. */
export function describeSte(dwords: readonly bigint[]): DecodedField[] {
  checkDwords(dwords, STE_DWORDS, 'an STE');
  const n = (at: FieldBits): number => Number(readBits(dwords, at));
  const valid = n(V) === 1;
  const cdMax = n(S1CDMAX);
  // Config[0] == 0 means stage 1 bypass (§5.2: S1 fields are IGNORED when Config == 0b1x0).
  const s1Translates = (n(CONFIG) & 0b101) === 0b101;
  const s1 = (meaning: string): string =>
    !valid ? 'ignored (STE invalid)' : !s1Translates ? 'ignored (stage 1 not translating)' : meaning;
  const cdCount = cdMax === 0
    ? 'one CD: substreams disabled, a transaction with an SSID records C_BAD_SUBSTREAMID'
    : `${2 ** cdMax} CDs: SSIDs 0–${2 ** cdMax - 1}`;
  const stalld = n(S1STALLD) === 1 ? 'stalls disallowed: stage 1 faults terminate' : 'stalls allowed: CD.S chooses';
  // §5.2: every S2 field but S2VMID is IGNORED when stage 2 bypasses (Config = 0b10x): they, and MEV
  // (which Linux sets on nested STEs only), are listed for an STE whose stage 2 translates.
  const s2Translates = (n(CONFIG) & 0b110) === 0b110;
  const s2 = (meaning: string): string => (!valid ? 'ignored (STE invalid)' : meaning);
  const s2Fields: DecodedField[] = [
    decoded('MEV', MEV, dwords, n(MEV) === 1 ? 'events of this stream may be merged' : 'events not merged'),
    decoded('S2VMID', S2VMID, dwords, `VMID ${n(S2VMID)}: its translations are tagged with it`),
    decoded('S2T0SZ', S2T0SZ, dwords, s2(`${64 - n(S2T0SZ)}-bit IPA space`)),
    decoded('S2SL0', S2SL0, dwords, s2(`start level code ${n(S2SL0)} (VTCR_EL2.SL0, meaning per S2TG)`)),
    decoded('S2IR0', S2IR0, dwords, s2(`table walks Inner ${CACHEABILITY[n(S2IR0)]}`)),
    decoded('S2OR0', S2OR0, dwords, s2(`table walks Outer ${CACHEABILITY[n(S2OR0)]}`)),
    decoded('S2SH0', S2SH0, dwords, s2(`table walks ${SHAREABILITY[n(S2SH0)]}`)),
    decoded('S2TG', S2TG, dwords, s2(S2TG_MEANING[n(S2TG)] ?? '')),
    decoded('S2PS', S2PS, dwords, s2(`${S2PS_BITS[n(S2PS)]}-bit output (capped at IDR5.OAS)`)),
    decoded('S2AA64', S2AA64, dwords, s2(n(S2AA64) === 1 ? 'VMSAv8-64 tables' : 'VMSAv8-32 LPAE tables')),
    decoded('S2AFFD', S2AFFD, dwords, s2(n(S2AFFD) === 1 ? 'AF=0 never faults' : 'AF=0 is an Access flag fault')),
    decoded('S2PTW', S2PTW, dwords, s2(n(S2PTW) === 1 ? 'CD and stage 1 table fetches to Device memory fault (stage 2 Permission)' : 'table fetches to any stage 2 memory type allowed')),
    decoded('S2S', S2S, dwords, s2(n(S2S) === 1 ? 'stage 2 faults stall' : 'stage 2 faults terminate')),
    decoded('S2R', S2R, dwords, s2(n(S2R) === 1 ? 'terminated stage 2 faults are recorded' : 'terminated stage 2 faults are not recorded')),
    decoded('S2TTB', S2TTB, dwords, s2(`stage 2 table at ${hex(readBits(dwords, S2TTB) << 4n)}`)),
  ];
  return [
    decoded('V', V, dwords, valid ? 'valid' : 'invalid: transactions abort and record C_BAD_STE'),
    decoded('Config', CONFIG, dwords, CONFIG_MEANING[n(CONFIG)]),
    decoded('S1Fmt', S1FMT, dwords, s1(cdMax === 0 ? 'ignored (S1CDMax = 0: one CD)' : S1FMT_MEANING[n(S1FMT)])),
    decoded('S1ContextPtr', S1_CONTEXT_PTR, dwords, s1(contextPointerMeaning(readBits(dwords, S1_CONTEXT_PTR) << 6n, cdMax))),
    decoded('S1CDMax', S1CDMAX, dwords, s1(cdCount)),
    decoded('S1DSS', S1DSS, dwords, s1(cdMax === 0 ? 'ignored (substreams disabled)' : S1DSS_MEANING[n(S1DSS)])),
    decoded('S1STALLD', S1STALLD, dwords, s1(stalld)),
    decoded('EATS', EATS, dwords, EATS_MEANING[n(EATS)]),
    decoded('STRW', STRW, dwords, STRW_MEANING[n(STRW)]),
    ...(s2Translates ? s2Fields : []),
  ];
}
