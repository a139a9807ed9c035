import fc from 'fast-check';
import { encodeEvent, EventName } from '../../emulator/smmu/v3/eventRecord';

/**
 * What the fault-log fuzzer feeds `explain` and `reproduce`: kernel logs as people paste
 * them. Reports in the kernel's formats (format strings from drivers/iommu/arm/arm-smmu,
 * arm-smmu-v3 and drivers/gpu/drm/msm) with values drawn over every bit, not only the ones
 * a scenario can produce; around them the noise of real logs (timestamps, journal and
 * vendor prefixes, stack traces, ratelimit lines, other drivers); and now and then a
 * terminal that wraps the lines, or bytes no log has.
 */

export interface FaultLogInput {
  /** What the case is, for the failure report. */
  kind: string;
  text: string;
}

const hex = (v: bigint | number, width = 0): string => v.toString(16).padStart(width, '0');

/** Devices as dev_name() gives them: DT `<unit-address>.<node>`, ACPI `<driver>.<N>.auto`. */
const device = fc.oneof(
  fc.bigInt(0n, (1n << 40n) - 1n).map((base) => `${hex(base)}.iommu`),
  fc.constantFrom('15000000.apps-smmu', 'arm-smmu.0.auto', 'arm-smmu-v3.0.auto', '5000000.iommu'),
);

/** FSR: mostly what faults set (TF/AFF/PF, Format=2, SS, MULTI), sometimes any 32 bits. */
const fsr = fc.oneof(
  fc.tuple(fc.constantFrom(0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x6), fc.constantFrom(2, 2, 2, 0, 1, 3), fc.boolean(), fc.boolean()).map(
    ([kind, format, ss, multi]) => (kind | (format << 9) | (ss ? 0x4000_0000 : 0) | (multi ? 0x8000_0000 : 0)) >>> 0,
  ),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);

/** FSYNR0: PLVL, WNR, PNU, IND and an S1CBNDX, sometimes any 32 bits. */
const fsynr = fc.oneof(
  fc.tuple(fc.nat(3), fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(255)).map(
    ([plvl, wnr, pnu, ind, s1cbndx]) => (plvl | (wnr ? 0x10 : 0) | (pnu ? 0x20 : 0) | (ind ? 0x40 : 0) | (s1cbndx << 16)) >>> 0,
  ),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);

const iova = fc.oneof(fc.bigInt(0n, (1n << 32n) - 1n), fc.bigInt(0n, (1n << 48n) - 1n), fc.bigInt(0n, (1n << 64n) - 1n));

/** arm_smmu_context_fault, with the FSR/FSYNR0 decode lines of 6.11+ after it or not. */
const armSmmuReport = fc
  .record({ device, fsr, iova, fsynr, cbfrsynra: fc.oneof(fc.nat(0xffff), fc.nat(0xffff_ffff)), cb: fc.oneof(fc.nat(16), fc.nat(300)), decoded: fc.boolean() })
  .map((r) => {
    const lines = [`arm-smmu ${r.device}: Unhandled context fault: fsr=0x${hex(r.fsr)}, iova=0x${hex(r.iova, 8)}, fsynr=0x${hex(r.fsynr)}, cbfrsynra=0x${hex(r.cbfrsynra)}, cb=${r.cb}`];
    if (r.decoded) lines.push(`arm-smmu ${r.device}: FSR    = ${hex(r.fsr, 8)} [Format=${(r.fsr >>> 9) & 3} TF], SID=0x${hex(r.cbfrsynra)}`);
    return lines;
  });

/**
 * A context fault as the emulator's own faults look: one kind, Format=2, S1CBNDX the bank's
 * or another, a 16-bit StreamID, a DT name: most of these can be reproduced, so the
 * reproduction is tested.
 */
const plausibleArmSmmuReport = fc
  .record({
    base: fc.bigInt(0x10_0000n, (1n << 40n) - 1n).map((b) => b & ~0xfffn),
    kind: fc.constantFrom(0x2, 0x4, 0x8),
    ss: fc.boolean(),
    multi: fc.boolean(),
    iova: fc.oneof(fc.bigInt(0n, (1n << 48n) - 1n), iova),
    plvl: fc.nat(3),
    wnr: fc.boolean(),
    pnu: fc.boolean(),
    ind: fc.boolean(),
    cb: fc.nat(20),
    s1cbndx: fc.option(fc.nat(255)),
    sid: fc.nat(0xffff),
  })
  .map((r) => {
    const fsrValue = (r.kind | (2 << 9) | (r.ss ? 0x4000_0000 : 0) | (r.multi ? 0x8000_0000 : 0)) >>> 0;
    const fsynrValue = (r.plvl | (r.wnr ? 0x10 : 0) | (r.pnu ? 0x20 : 0) | (r.ind ? 0x40 : 0) | ((r.s1cbndx ?? r.cb) << 16)) >>> 0;
    return [`arm-smmu ${hex(r.base)}.iommu: Unhandled context fault: fsr=0x${hex(fsrValue)}, iova=0x${hex(r.iova, 8)}, fsynr=0x${hex(fsynrValue)}, cbfrsynra=0x${hex(r.sid)}, cb=${r.cb}`];
  });

/** The old field order without cbfrsynra (4.x and Qualcomm's trees), with the downstream SID line. */
const oldArmSmmuReport = fc.record({ device, fsr, iova, fsynr, cb: fc.nat(64), sid: fc.nat(0xffff) }).map((r) => [
  `arm-smmu ${r.device}: Unhandled context fault: iova=0x${hex(r.iova, 8)}, fsr=0x${hex(r.fsr)}, fsynr=0x${hex(r.fsynr)}, cb=${r.cb}`,
  `arm-smmu ${r.device}: SID=0x${hex(r.sid)}`,
]);

/** arm_smmu_evtq_thread's dump: the header and four `\t0x%016llx` dwords; event ids the emulator raises and others. */
const armSmmuV3Report = fc
  .record({
    device,
    id: fc.oneof(fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x0a, 0x10, 0x11, 0x12, 0x13), fc.nat(0xff)),
    sid: fc.nat(0xffff_ffff),
    low: fc.bigInt(0n, (1n << 24n) - 1n),
    d1: fc.oneof(fc.bigInt(0n, (1n << 64n) - 1n), fc.constantFrom(0n, 1n << 35n, (1n << 35n) | (1n << 31n), 1n << 33n)),
    d2: iova,
    d3: fc.oneof(fc.constant(0n), fc.bigInt(0n, (1n << 64n) - 1n)),
    indent: fc.constantFrom('\t', '    ', '  '),
  })
  .map((r) => {
    const d0 = (BigInt(r.sid) << 32n) | (r.low << 8n) | BigInt(r.id);
    return [`arm-smmu-v3 ${r.device}: event 0x${hex(r.id, 2)} received:`, ...[d0, r.d1, r.d2, r.d3].map((d) => `arm-smmu-v3 ${r.device}: ${r.indent}0x${hex(d, 16)}`)];
  });

/** A dump of a record the emulator's own encoder writes, with the fields a scenario can set: most can be reproduced. */
const plausibleArmSmmuV3Report = fc
  .record({
    base: fc.bigInt(0x10_0000n, (1n << 40n) - 1n).map((b) => b & ~0xfffn),
    id: fc.constantFrom<EventName>('F_TRANSLATION', 'F_PERMISSION', 'F_ACCESS', 'C_BAD_STREAMID', 'C_BAD_SUBSTREAMID', 'F_STREAM_DISABLED'),
    sid: fc.nat(0xffff),
    ssv: fc.boolean(),
    ssid: fc.nat(0xff),
    stall: fc.boolean(),
    stag: fc.nat(3),
    pnu: fc.boolean(),
    ind: fc.boolean(),
    rnw: fc.boolean(),
    inputAddr: fc.bigInt(0n, (1n << 48n) - 1n),
  })
  .map((r) => {
    const dwords = encodeEvent({ ...r, stag: r.stall ? r.stag : 0, s2: false, class: 2 });
    const device = `${hex(r.base)}.iommu`;
    return [`arm-smmu-v3 ${device}: event 0x${hex((dwords[0] ?? 0n) & 0xffn, 2)} received:`, ...dwords.map((d) => `arm-smmu-v3 ${device}: \t0x${hex(d, 16)}`)];
  });

/** adreno_fault_handler's two forms. */
const adrenoReport = fc.oneof(
  fc
    .record({
      ttbr0: fc.oneof(
        fc.bigInt(0n, (1n << 64n) - 1n),
        fc.tuple(fc.nat(20), fc.bigInt(0n, (1n << 48n) - 1n)).map(([asid, pa]) => (BigInt(asid) << 48n) | (pa & ~0xfffn)),
      ),
      iova,
      dir: fc.constantFrom('READ', 'WRITE'),
      type: fc.constantFrom('TRANSLATION', 'PERMISSION', 'EXTERNAL', 'UNKNOWN'),
      source: fc.constantFrom('CP', 'CCU', 'UCHE'),
      scratch: fc.constantFrom('0,0,0,0', '0,0,0,1', '7,1,2,3'),
    })
    .map((r) => [`*** gpu fault: ttbr0=${hex(r.ttbr0, 16)} iova=${hex(r.iova, 16)} dir=${r.dir} type=${r.type} source=${r.source} (${r.scratch})`]),
  fc.record({ iova, flags: fc.nat(0x1f) }).map((r) => [`*** gpu fault: iova=${hex(r.iova, 16)} flags=${r.flags} (0,0,0,0)`]),
);

const noise = fc.constantFrom(
  'arm_smmu_context_fault: 83 callbacks suppressed',
  'CPU: 0 UID: 0 PID: 1582 Comm: mt76-tx phy0 Not tainted 6.12.22 #29',
  'Call trace:',
  ' dump_backtrace+0x98/0x120',
  ' arm_smmu_context_fault+0x110/0x138',
  'xhci-hcd xhci-hcd.0.auto: WARNING: Host Controller Error',
  'qcom_q6v5_pas 26300000.remoteproc: fatal error received:',
  'arm-smmu 15000000.iommu: soft iova-to-phys=0x0000000000000000',
  '',
);

/** What goes before a line: nothing, a printk timestamp, a journal prefix, a vendor prefix, a hex dump column. */
const prefix = fc.oneof(
  fc.constant(''),
  fc.nat(99_999_999).map((us) => `[${String(Math.floor(us / 1e6)).padStart(5, ' ')}.${String(us % 1e6).padStart(6, '0')}] `),
  fc.constant('Dec 07 17:42:09 host kernel: '),
  fc.constant('[pid:134,cpu0,irq/13-arm-smmu]'),
  fc.constant('0x000000000277BBFA |   1263.468579:   '),
);

const report = fc.oneof(
  { weight: 2, arbitrary: armSmmuReport },
  { weight: 3, arbitrary: plausibleArmSmmuReport },
  { weight: 1, arbitrary: oldArmSmmuReport },
  { weight: 2, arbitrary: armSmmuV3Report },
  { weight: 3, arbitrary: plausibleArmSmmuV3Report },
  { weight: 2, arbitrary: adrenoReport },
);

/** A terminal `columns` wide breaks every longer line into pieces. */
function wrap(lines: string[], columns: number | null): string[] {
  if (columns === null) return lines;
  return lines.flatMap((l) => (l.length <= columns ? [l] : Array.from({ length: Math.ceil(l.length / columns) }, (_, i) => l.slice(i * columns, (i + 1) * columns))));
}

const log = fc
  .record({
    blocks: fc.array(fc.oneof({ weight: 3, arbitrary: report }, { weight: 2, arbitrary: noise.map((n) => [n]) }), { minLength: 1, maxLength: 6 }),
    prefix,
    columns: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 40, max: 100 }) }),
    crlf: fc.boolean(),
  })
  .map((l) => ({
    kind: `log of ${l.blocks.length} blocks${l.columns === null ? '' : `, wrapped at ${l.columns}`}${l.crlf ? ', CRLF' : ''}`,
    text: wrap(l.blocks.flat().map((line) => `${l.prefix}${line}`), l.columns).join(l.crlf ? '\r\n' : '\n'),
  }));

export const faultLogInput: fc.Arbitrary<FaultLogInput> = fc.oneof(
  { weight: 9, arbitrary: log },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }).map((text) => ({ kind: 'arbitrary text', text })) },
);
