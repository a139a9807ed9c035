import { hex } from '../../util/u64';

/**
 * SMMUv3 Stream Table Entry (IHI 0070 §5.2): 64 bytes, eight little-endian dwords.
 * Only the fields of a stage-1-only or bypass stream are modelled; every other bit encodes
 * as 0, which is each field's "off" value (no stage 2, no overrides).
 *
 * Bit numbers below are the spec's, counted across the whole structure (S1STALLD is
 * bit 91: dword 1, bit 27), so the debugger's labels can be looked up in §5.2 directly.
 */

/**
 * Config[3:1] = 0b0xx / 0b100 / 0b101, and 0b11x (stage 2 enabled): an SMMU without stage 2
 * (IDR0.S2P=0, as emulated) finds such an STE ILLEGAL (5.2), so Linux never writes one.
 */
export type SteConfig = 'abort' | 'bypass' | 's1' | 'stage2';

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
}

/** One field of a structure, as hovers and the debugger show it. */
export interface DecodedField {
  name: string;
  bits: string; // "[3:1]" or "91": the spec's numbering across the whole structure
  value: bigint; // the field's bits, shifted down to bit 0
  meaning: string;
}

// --- Field access shared by the v3 codecs (CD, event record, PRI entry, command) -------

/** Where a field sits: lowest bit and width, numbered across the structure's dwords. */
export interface FieldBits {
  readonly lsb: number;
  readonly width: number;
}

export function field(lsb: number, width = 1): FieldBits {
  // Every architected field used here lies inside one dword; a field that did not would
  // silently lose its top bits in readBits/writeBits.
  if (Math.floor(lsb / 64) !== Math.floor((lsb + width - 1) / 64)) {
    throw new RangeError(`field [${lsb + width - 1}:${lsb}] crosses a dword boundary`);
  }
  return { lsb, width };
}

function maskOf(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

export function readBits(dwords: readonly bigint[], at: FieldBits): bigint {
  return (dwords[Math.floor(at.lsb / 64)] >> BigInt(at.lsb % 64)) & maskOf(at.width);
}

/** ORs `value` into a zeroed field; a value that does not fit is a caller's bug. */
export function writeBits(dwords: bigint[], at: FieldBits, value: bigint | number | boolean, name: string): void {
  const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
  if (v < 0n || v > maskOf(at.width)) {
    throw new RangeError(`${name} ${hex(v)} does not fit in bits ${bitsLabel(at)}`);
  }
  dwords[Math.floor(at.lsb / 64)] |= v << BigInt(at.lsb % 64);
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

const CONFIG_CODE: Record<Exclude<SteConfig, 'stage2'>, number> = { abort: 0b000, bypass: 0b100, s1: 0b101 };
const S1DSS_CODE: Record<SteFields['s1Dss'], number> = { terminate: 0b00, bypass: 0b01, ssid0: 0b10 };

export function encodeSte(fields: SteFields): bigint[] {
  if ((fields.s1ContextPtr & 0x3fn) !== 0n) {
    throw new RangeError(`S1ContextPtr ${hex(fields.s1ContextPtr)} is not 64-byte aligned`);
  }
  if (fields.config === 'stage2') throw new RangeError('stage 2 STEs are not modelled: the emulated SMMU has IDR0.S2P=0');
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
  return dwords;
}

/**
 * Reserved encodings decode as what the spec says they behave as: Config 0b001–0b011 as
 * abort, S1DSS 0b11 as terminate. Stage 2 configurations decode as `stage2`, which the
 * SMMU refuses (C_BAD_STE).
 */
export function decodeSte(dwords: readonly bigint[]): SteFields {
  checkDwords(dwords, STE_DWORDS, 'an STE');
  const config = Number(readBits(dwords, CONFIG));
  const dss = Number(readBits(dwords, S1DSS));
  return {
    valid: readBits(dwords, V) === 1n,
    config: config >= 0b110 ? 'stage2' : config === 0b100 ? 'bypass' : config === 0b101 ? 's1' : 'abort',
    s1Fmt: Number(readBits(dwords, S1FMT)),
    s1ContextPtr: readBits(dwords, S1_CONTEXT_PTR) << 6n,
    s1CdMax: Number(readBits(dwords, S1CDMAX)),
    s1Dss: dss === 0b01 ? 'bypass' : dss === 0b10 ? 'ssid0' : 'terminate',
    s1Stalld: readBits(dwords, S1STALLD) === 1n,
    eats: Number(readBits(dwords, EATS)),
    strw: Number(readBits(dwords, STRW)),
  };
}

const CONFIG_MEANING: readonly string[] = [
  'abort: traffic is terminated, no event recorded',
  'reserved (behaves as abort)',
  'reserved (behaves as abort)',
  'reserved (behaves as abort)',
  'bypass: both stages bypassed, addresses pass through',
  'stage 1 translates, stage 2 bypassed',
  'stage 2 only: ILLEGAL here (IDR0.S2P=0), C_BAD_STE',
  'stage 1 and stage 2: ILLEGAL here (IDR0.S2P=0), C_BAD_STE',
];

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
  ];
}
