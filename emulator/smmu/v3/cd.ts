import { GRANULE_4K } from '../../pgtable/granule';
import { hex } from '../../util/u64';
import { checkDwords, decoded, DecodedField, field, FieldBits, readBits, writeBits } from './ste';

/**
 * SMMUv3 Context Descriptor (IHI 0070 §5.4): 64 bytes, eight little-endian dwords. The
 * modelled fields are those of a VMSAv8-64 TTB0-only stage 1 as Linux writes it; every
 * other bit (TTB1's fields, TBI, PAN, MPAM …) encodes as 0.
 */

export interface CdFields {
  valid: boolean; // V, bit 31
  t0sz: number; // T0SZ [5:0]
  tg0: number; // TG0 [7:6]: 0 4 KB, 1 64 KB, 2 16 KB
  ir0: number; // IR0 [9:8]
  or0: number; // OR0 [11:10]
  sh0: number; // SH0 [13:12]
  epd0: boolean; // EPD0, bit 14
  epd1: boolean; // EPD1, bit 30
  ips: number; // IPS [34:32]
  affd: boolean; // AFFD, bit 35
  aa64: boolean; // AA64, bit 41
  ha: boolean; // HA, bit 43
  hd: boolean; // HD, bit 42
  s: boolean; // stall, bit 44
  r: boolean; // record, bit 45
  a: boolean; // abort (1) vs RAZ/WI (0), bit 46
  /** ASET, bit 47: ASID not shared with the CPU's. Linux sets it on DMA domains; absent = 0. */
  aset?: boolean;
  asid: number; // ASID [63:48]
  ttb0: bigint; // TTB0 [119:68] = dword 1 [55:4]: the table address, bits [3:0] zero
  mair0: bigint; // dword 3 = {MAIR1, MAIR0} [255:192]: the 64-bit MAIR, as Linux writes it
}

const CD_DWORDS = 8;

const T0SZ = field(0, 6);
const TG0 = field(6, 2);
const IR0 = field(8, 2);
const OR0 = field(10, 2);
const SH0 = field(12, 2);
const EPD0 = field(14);
const EPD1 = field(30);
const V = field(31);
const IPS = field(32, 3);
const AFFD = field(35);
const AA64 = field(41);
const HD = field(42);
const HA = field(43);
const S = field(44);
const R = field(45);
const A = field(46);
const ASET = field(47);
const ASID = field(48, 16);
// §5.4: the field is [119:68]; with VMSAv8-64 it holds address bits [51:4] and [55:52] are
// RES0 (they carry address bits only for VMSAv9-128). Kept whole so nothing is dropped.
const TTB0 = field(68, 52);
const MAIR = field(192, 64); // MAIR0 [223:192] and MAIR1 [255:224]

export function encodeCd(fields: CdFields): bigint[] {
  if ((fields.ttb0 & 0xfn) !== 0n) throw new RangeError(`TTB0 ${hex(fields.ttb0)} is not 16-byte aligned`);
  const dwords = new Array<bigint>(CD_DWORDS).fill(0n);
  writeBits(dwords, T0SZ, fields.t0sz, 'T0SZ');
  writeBits(dwords, TG0, fields.tg0, 'TG0');
  writeBits(dwords, IR0, fields.ir0, 'IR0');
  writeBits(dwords, OR0, fields.or0, 'OR0');
  writeBits(dwords, SH0, fields.sh0, 'SH0');
  writeBits(dwords, EPD0, fields.epd0, 'EPD0');
  writeBits(dwords, EPD1, fields.epd1, 'EPD1');
  writeBits(dwords, V, fields.valid, 'V');
  writeBits(dwords, IPS, fields.ips, 'IPS');
  writeBits(dwords, AFFD, fields.affd, 'AFFD');
  writeBits(dwords, AA64, fields.aa64, 'AA64');
  writeBits(dwords, HD, fields.hd, 'HD');
  writeBits(dwords, HA, fields.ha, 'HA');
  writeBits(dwords, S, fields.s, 'S');
  writeBits(dwords, R, fields.r, 'R');
  writeBits(dwords, A, fields.a, 'A');
  writeBits(dwords, ASET, fields.aset ?? false, 'ASET');
  writeBits(dwords, ASID, fields.asid, 'ASID');
  writeBits(dwords, TTB0, fields.ttb0 >> 4n, 'TTB0');
  writeBits(dwords, MAIR, fields.mair0, 'MAIR');
  return dwords;
}

export function decodeCd(dwords: readonly bigint[]): CdFields {
  checkDwords(dwords, CD_DWORDS, 'a CD');
  const flag = (at: FieldBits): boolean => readBits(dwords, at) === 1n;
  const num = (at: FieldBits): number => Number(readBits(dwords, at));
  return {
    valid: flag(V),
    t0sz: num(T0SZ),
    tg0: num(TG0),
    ir0: num(IR0),
    or0: num(OR0),
    sh0: num(SH0),
    epd0: flag(EPD0),
    epd1: flag(EPD1),
    ips: num(IPS),
    affd: flag(AFFD),
    aa64: flag(AA64),
    ha: flag(HA),
    hd: flag(HD),
    s: flag(S),
    r: flag(R),
    a: flag(A),
    aset: flag(ASET),
    asid: num(ASID),
    ttb0: readBits(dwords, TTB0) << 4n,
    mair0: readBits(dwords, MAIR),
  };
}

/** CD.IPS and io-pgtable's oas → IPS table (ARM_LPAE_TCR_PS_*). */
const IPS_BITS: readonly number[] = [32, 36, 40, 42, 44, 48, 52, 56];
const GRANULE: readonly string[] = ['4 KB', '64 KB', '16 KB', 'reserved'];
const CACHEABILITY: readonly string[] = [
  'Non-cacheable',
  'Write-back, read-allocate, write-allocate',
  'Write-through, read-allocate',
  'Write-back, read-allocate, no write-allocate',
];
const SHAREABILITY: readonly string[] = ['Non-shareable', 'reserved (Non-shareable)', 'Outer Shareable', 'Inner Shareable'];

/** The MAIR's eight attribute bytes, Attr0 first, as `Attr0 0x44 · Attr1 0xff …`. */
function mairBytes(mair: bigint): string {
  const bytes: string[] = [];
  for (let i = 0; i < 8; i++) bytes.push(`Attr${i} ${hex((mair >> BigInt(8 * i)) & 0xffn)}`);
  return bytes.join(' · ');
}

export function describeCd(dwords: readonly bigint[]): DecodedField[] {
  checkDwords(dwords, CD_DWORDS, 'a CD');
  const n = (at: FieldBits): number => Number(readBits(dwords, at));
  const on = (at: typeof V, yes: string, no: string): string => (n(at) === 1 ? yes : no);
  const ttb0Ignored = n(EPD0) === 1 ? 'ignored (EPD0 = 1)' : '';
  return [
    decoded('T0SZ', T0SZ, dwords, ttb0Ignored || `${64 - n(T0SZ)}-bit input range through TTB0`),
    decoded('TG0', TG0, dwords, ttb0Ignored || `${GRANULE[n(TG0)]} granule`),
    decoded('IR0', IR0, dwords, ttb0Ignored || `table walks inner ${CACHEABILITY[n(IR0)]}`),
    decoded('OR0', OR0, dwords, ttb0Ignored || `table walks outer ${CACHEABILITY[n(OR0)]}`),
    decoded('SH0', SH0, dwords, ttb0Ignored || `table walks ${SHAREABILITY[n(SH0)]}`),
    decoded('EPD0', EPD0, dwords, on(EPD0, 'TTB0 walks disabled: a TLB miss is a translation fault', 'TTB0 walks enabled')),
    decoded('EPD1', EPD1, dwords, on(EPD1, 'TTB1 walks disabled (upper VA range faults)', 'TTB1 walks enabled')),
    decoded('V', V, dwords, on(V, 'valid', 'invalid: transactions abort and record C_BAD_CD')),
    decoded('IPS', IPS, dwords, `${IPS_BITS[n(IPS)]}-bit output (capped at SMMU_IDR5.OAS)`),
    decoded('AFFD', AFFD, dwords, on(AFFD, 'access flag faults disabled: AF treated as 1', 'AF = 0 raises F_ACCESS')),
    decoded('AA64', AA64, dwords, on(AA64, 'VMSAv8-64 tables', 'VMSAv8-32 LPAE (or VMSAv9-128 when IDR5.D128) tables')),
    decoded('HD', HD, dwords, on(HD, 'hardware dirty-state update', 'no hardware dirty update')),
    decoded('HA', HA, dwords, on(HA, 'hardware access-flag update', 'no hardware access-flag update')),
    decoded('S', S, dwords, on(S, 'stall: a faulting transaction waits for CMD_RESUME (always recorded)', 'terminate: a faulting transaction ends at once')),
    decoded('R', R, dwords, n(S) === 1 ? 'ignored while S = 1 (stalls are always recorded)' : on(R, 'record faults in the event queue', 'faults not recorded')),
    decoded('A', A, dwords, on(A, 'terminated transactions abort (bus error to the device)', 'terminated transactions complete RAZ/WI')),
    decoded('ASET', ASET, dwords, on(ASET, 'ASID not shared with the CPU: broadcast TLBIs by ASID skip it', 'ASID shared with the CPU')),
    decoded('ASID', ASID, dwords, `ASID ${n(ASID)}`),
    decoded('TTB0', TTB0, dwords, ttb0Ignored || `translation table at ${hex(readBits(dwords, TTB0) << 4n)}`),
    decoded('MAIR', MAIR, dwords, mairBytes(readBits(dwords, MAIR))),
  ];
}

/** ARM_LPAE_MAIR_ATTR_*: NC 0x44 (Attr0), WBRWA 0xff (Attr1), Device-nGnRE 0x04 (Attr2), inner-NC outer-WB 0xf4 (Attr3). */
const LINUX_MAIR = 0xf404ff44n;

/**
 * The CD Linux's arm_smmu_make_s1_cd writes for an io-pgtable-arm stage 1 (4 KB pages,
 * coherent table walks: SH0 inner, IR0/OR0 write-back write-allocate), with S/R/A from
 * the arguments (Linux itself always sets R and A, and S when the master can stall).
 * ASET is set as Linux does for DMA domains; HA/HD stay 0 (no dirty tracking).
 */
export function linuxS1Cd(args: {
  ias: number;
  oas: number;
  /** TG0 of the granule (Granule.tg0): 0 4K (when left out), 2 16K, 1 64K, as arm_smmu_make_s1_cd takes it from io-pgtable's tcr. */
  tg0?: number;
  ttb0: bigint;
  asid: number;
  stall: boolean;
  record: boolean;
  abort: boolean;
}): CdFields {
  const ips = IPS_BITS.indexOf(args.oas);
  // io-pgtable-arm refuses an oas it cannot encode (and 56 is beyond VMSAv8-64).
  if (ips < 0 || args.oas > 52) throw new RangeError(`oas ${args.oas} has no IPS encoding`);
  return {
    valid: true,
    t0sz: 64 - args.ias,
    tg0: args.tg0 ?? GRANULE_4K.tg0,
    ir0: 1,
    or0: 1,
    sh0: 3,
    epd0: false,
    epd1: true,
    ips,
    affd: false,
    aa64: true,
    ha: false,
    hd: false,
    s: args.stall,
    r: args.record,
    a: args.abort,
    aset: true,
    asid: args.asid,
    ttb0: args.ttb0,
    mair0: LINUX_MAIR,
  };
}
