import { decode, RegisterLayout } from '../smmu/registerLayout';
import { CBFRSYNRA, FAR, FSR, FSYNR0, SGFSR, SGFSYNR0, SGFSYNR1, TTBR0 } from '../smmu/v2/registers';
import { hex } from '../util/u64';
import { LogLine } from './logLine';
import { ReadReport } from './reader';

/** A register or event dword the log shows, with its fields as the emulator's layouts decode them. */
export interface ReportRegister {
  value: string;
  /** Fields up to 32 bits wide as numbers, wider ones as `0x…` strings. */
  fields: Record<string, number | string>;
}

export type ReportSource = 'arm-smmu' | 'arm-smmu-v3' | 'adreno' | 'qcom-iommu' | 'xen-smmu' | 'io_page_fault';

/** One fault report read from a log: the keys of docs/fault-logs.md, null where the log does not say. */
export interface FaultReport {
  source: ReportSource;
  device: string | null;
  lines: [number, number];
  kind: string | null;
  event: string | null;
  iova: string | null;
  ipa: string | null;
  write: boolean | null;
  read: boolean | null;
  priv: boolean | null;
  instruction: boolean | null;
  level: number | null;
  format: number | null;
  s1cbndx: number | null;
  cb: number | null;
  sid: string | null;
  ssid: string | null;
  ssv: boolean | null;
  stall: boolean | null;
  stag: string | null;
  stage2: boolean | null;
  class: string | null;
  registers: Record<string, ReportRegister>;
  explanation: string;
}

/** A report with nothing filled in yet but where it came from. */
export function emptyReport(source: ReportSource, device: string | null, read: ReadReport): FaultReport {
  const first = read.lines[0]?.first ?? 0;
  const last = read.lines.reduce((at, line) => Math.max(at, line.last), first);
  return {
    source,
    device,
    lines: [first, last],
    kind: null,
    event: null,
    iova: null,
    ipa: null,
    write: null,
    read: null,
    priv: null,
    instruction: null,
    level: null,
    format: null,
    s1cbndx: null,
    cb: null,
    sid: null,
    ssid: null,
    ssv: null,
    stall: null,
    stag: null,
    stage2: null,
    class: null,
    registers: {},
    explanation: '',
  };
}

/** The register `value` under `layout`, every field decoded. */
export function registerOf(layout: RegisterLayout, value: bigint): ReportRegister {
  const fields: Record<string, number | string> = {};
  for (const d of decode(layout, value)) fields[d.field.name] = d.field.width <= 32 ? Number(d.value) : hex(d.value);
  return { value: hex(value), fields };
}

/** A field of a decoded register as a number (the layouts are the one definition of each bit). */
export function fieldOf(register: ReportRegister, name: string): number {
  const value = register.fields[name];
  if (typeof value !== 'number') throw new Error(`no field ${name}`);
  return value;
}

/** What kind of fault FSR's bits say: the first set, translation before permission before external as drm/msm tests them. */
const FSR_KINDS: readonly [string, string][] = [
  ['TF', 'translation'],
  ['AFF', 'access-flag'],
  ['PF', 'permission'],
  ['EF', 'external'],
  ['ASF', 'address-size'],
  ['TLBMCF', 'tlb-conflict'],
  ['TLBLKF', 'tlb-lock'],
  ['UUT', 'unsupported-transaction'],
];

export function fsrKind(fsr: ReportRegister): string | null {
  return FSR_KINDS.find(([bit]) => fsr.fields[bit] === 1)?.[1] ?? null;
}

/** An SMMUv2 context fault: the line, and the kernel's own FSR / FSYNR0 decode when it printed one. */
export function contextFaultReport(read: ReadReport, head: Extract<LogLine, { kind: 'context-fault' }>): FaultReport {
  const report = emptyReport(head.driver, head.device, read);
  const fsr = head.fsr === null ? null : registerOf(FSR, BigInt(head.fsr >>> 0));
  const fsynr0 = registerOf(FSYNR0, BigInt(head.fsynr >>> 0));
  if (fsr) report.registers.FSR = fsr;
  report.registers.FSYNR0 = fsynr0;
  report.registers.FAR = registerOf(FAR, head.iova);
  // The StreamID: cbfrsynra=, else the FSR line's SID= (both CBFRSYNRA), else Qualcomm's SID= line.
  let sid = head.cbfrsynra;
  let qcomSid: number | null = null;
  for (const { line } of read.lines) {
    if (line.kind === 'fsr-decode') sid ??= line.sid;
    if (line.kind === 'sid-line') qcomSid = line.sid;
  }
  if (sid !== null) {
    const cbfrsynra = registerOf(CBFRSYNRA, BigInt(sid >>> 0));
    report.registers.CBFRSYNRA = cbfrsynra;
    report.sid = hex(fieldOf(cbfrsynra, 'SID'));
  } else if (qcomSid !== null) report.sid = hex(qcomSid);
  const write = fieldOf(fsynr0, 'WNR') === 1;
  Object.assign(report, {
    kind: fsr === null ? null : fsrKind(fsr),
    iova: hex(head.iova),
    write,
    read: !write,
    priv: fieldOf(fsynr0, 'PNU') === 1,
    instruction: fieldOf(fsynr0, 'IND') === 1,
    level: fieldOf(fsynr0, 'PLVL'),
    format: fsr === null ? null : fieldOf(fsr, 'FORMAT'),
    s1cbndx: fieldOf(fsynr0, 'S1CBNDX'),
    cb: head.cb,
    stall: fsr === null ? null : fieldOf(fsr, 'SS') === 1,
  });
  return report;
}

/** An SMMUv2 global fault: the "Blocked unknown Stream ID" or "Unexpected global fault" line and the GFSR line. */
export function globalFaultReport(read: ReadReport, device: string): FaultReport {
  const report = emptyReport('arm-smmu', device, read);
  report.kind = 'global';
  for (const { line } of read.lines) {
    if (line.kind === 'global-blocked') report.sid = hex(line.sid);
    if (line.kind !== 'gfsr') continue;
    report.registers.sGFSR = registerOf(SGFSR, BigInt(line.gfsr >>> 0));
    const syndrome = registerOf(SGFSYNR0, BigInt(line.gfsynr0 >>> 0));
    report.registers.sGFSYNR0 = syndrome;
    const stream = registerOf(SGFSYNR1, BigInt(line.gfsynr1 >>> 0));
    report.registers.sGFSYNR1 = stream;
    report.registers.sGFSYNR2 = { value: hex(line.gfsynr2 >>> 0), fields: {} };
    report.sid = hex(fieldOf(stream, 'STREAMID'));
    report.write = fieldOf(syndrome, 'WNR') === 1;
    report.read = !report.write;
    report.priv = fieldOf(syndrome, 'PNU') === 1;
    report.instruction = fieldOf(syndrome, 'IND') === 1;
  }
  return report;
}

/** drm/msm's "*** gpu fault" line: the GPU's view of an arm-smmu context fault. */
export function gpuFaultReport(read: ReadReport, line: Extract<LogLine, { kind: 'gpu-fault' }>): FaultReport {
  const report = emptyReport('adreno', null, read);
  report.iova = hex(line.iova);
  report.write = line.write;
  report.read = !line.write;
  report.kind = line.type === null ? null : line.type === 'UNKNOWN' ? null : line.type.toLowerCase();
  if (line.ttbr0 !== null) report.registers.TTBR0 = registerOf(TTBR0, line.ttbr0);
  return report;
}

/** The io_page_fault tracepoint: report_iommu_fault's arguments, nothing of the SMMU's registers. */
export function ioPageFaultReport(read: ReadReport, line: Extract<LogLine, { kind: 'io-page-fault' }>): FaultReport {
  const report = emptyReport('io_page_fault', line.device, read);
  report.iova = hex(line.iova);
  report.write = line.write;
  report.read = !line.write;
  report.explanation = `the IOMMU core's io_page_fault tracepoint: ${line.driver} reported ${line.write ? 'a write' : 'a read'} to IOVA ${report.iova} it could not translate (device ${line.device}); the tracepoint carries no fault kind, StreamID or context bank`;
  return report;
}
