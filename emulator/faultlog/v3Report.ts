import { decodeEvent, describeEvent, isKnownEvent, isTranslationFault } from '../smmu/v3/eventRecord';
import { EVENT_CLASS_STR } from '../kernel/smmuV3EventLog';
import { hex } from '../util/u64';
import { LogLine } from './logLine';
import { ReadReport } from './reader';
import { emptyReport, FaultReport, ReportRegister } from './report';

/** What kind of fault an event is, by the name Arm gives it (IHI 0070 §7.3). */
export function eventKind(event: string): string {
  const kinds: Record<string, string> = {
    F_TRANSLATION: 'translation',
    F_ADDR_SIZE: 'address-size',
    F_ACCESS: 'access-flag',
    F_PERMISSION: 'permission',
    F_TLB_CONFLICT: 'tlb-conflict',
    F_CFG_CONFLICT: 'configuration',
    F_STE_FETCH: 'external',
    F_CD_FETCH: 'external',
    F_VMS_FETCH: 'external',
    F_WALK_EABT: 'external',
    F_STREAM_DISABLED: 'configuration',
    F_UUT: 'unsupported-transaction',
    E_PAGE_REQUEST: 'page-request',
  };
  return kinds[event] ?? (event.startsWith('C_') ? 'configuration' : 'other');
}

/** `[63:32]` → [63, 32]; `91` → [91, 91]: where eventRecord.ts's field lives in the record. */
function bitRange(bits: string): [number, number] {
  const [high, low] = bits.replace(/[[\]]/g, '').split(':').map(Number);
  return [high ?? 0, low ?? high ?? 0];
}

/** The four dwords with eventRecord.ts's fields, each under the dword it lives in. */
function dwordRegisters(dwords: readonly bigint[]): Record<string, ReportRegister> {
  const registers: Record<string, ReportRegister> = {};
  dwords.forEach((value, i) => (registers[`dword ${i}`] = { value: hex(value), fields: {} }));
  for (const f of describeEvent(dwords)) {
    const [high, low] = bitRange(f.bits);
    const register = registers[`dword ${Math.floor(low / 64)}`];
    // As registerOf: fields up to 32 bits wide are numbers, wider ones (addresses) hex.
    if (register) register.fields[f.name] = high - low < 32 ? Number(f.value) : hex(f.value);
  }
  return registers;
}

const CLASS_NAMES: readonly string[] = ['CD', 'TT', 'IN', 'reserved'];

/** Fill `report` from the raw record: the event's fields as the emulator's codec reads them. */
function fromDwords(report: FaultReport, dwords: readonly bigint[]): void {
  report.registers = dwordRegisters(dwords);
  const idMeaning = describeEvent(dwords)[0]?.meaning ?? '';
  if (!isKnownEvent(dwords)) {
    // An event the emulator does not raise: its name and StreamID, the dwords raw.
    report.event = /^[A-Z_]+(?=:)/.exec(idMeaning)?.[0] ?? null;
    report.sid = hex((dwords[0] ?? 0n) >> 32n);
    report.kind = report.event === null ? null : eventKind(report.event);
    return;
  }
  const record = decodeEvent(dwords);
  report.event = record.id;
  report.kind = eventKind(record.id);
  report.sid = hex(record.sid);
  report.ssv = record.ssv;
  report.ssid = record.ssv ? hex(record.ssid) : null;
  if (record.id === 'E_PAGE_REQUEST') report.iova = hex(record.inputAddr);
  if (!isTranslationFault(record.id)) return;
  Object.assign(report, {
    iova: hex(record.inputAddr),
    ipa: record.s2 ? hex(dwords[3] ?? 0n) : null,
    read: record.rnw,
    write: !record.rnw,
    priv: record.pnu,
    instruction: record.ind,
    stall: record.stall,
    stag: record.stall ? hex(record.stag) : null,
    stage2: record.s2,
    class: CLASS_NAMES[record.class] ?? null,
  });
}

/** Fill what the dwords did not give from the kernel's decoded `event: …` lines. */
function fromDecodedLines(report: FaultReport, lines: readonly LogLine[]): void {
  for (const line of lines) {
    if (line.kind === 'v3-event') {
      report.event ??= line.event;
      report.kind ??= eventKind(line.event);
      report.sid ??= hex(line.sid);
      report.iova ??= line.iova === null ? null : hex(line.iova);
      report.ipa ??= line.ipa === null || line.ipa === 0n ? null : hex(line.ipa);
    } else if (line.kind === 'v3-access') {
      report.read ??= line.read;
      report.write ??= !line.read;
      report.priv ??= line.priv;
      report.instruction ??= line.instruction;
      report.stage2 ??= line.stage2;
      // The kernel prints event_class_str's words; the report names the class as Arm does.
      report.class ??= CLASS_NAMES[EVENT_CLASS_STR.indexOf(line.class)] ?? null;
      report.stall ??= line.stall;
      report.stag ??= line.stall ? hex(line.stag) : null;
    }
  }
}

/** An arm-smmu-v3 event: the raw header and dwords, the decoded lines, or both. */
export function v3EventReport(read: ReadReport): FaultReport {
  const head = read.lines[0]?.line;
  const report = emptyReport('arm-smmu-v3', head && 'device' in head ? head.device : null, read);
  const dwords = read.lines.flatMap((l) => (l.line.kind === 'v3-dword' ? [l.line.value] : []));
  const whole = dwords.length === 4;
  if (whole) fromDwords(report, dwords);
  // What Arm calls the event ("F_TRANSL_FORBIDDEN: ATS-translated traffic not allowed"), from its ID.
  const meaning = head?.kind === 'v3-header' ? (describeEvent([BigInt(head.id), 0n, 0n, 0n])[0]?.meaning ?? '') : '';
  if (!whole && head?.kind === 'v3-header') {
    report.event = /^[A-Z_]+(?=:)/.exec(meaning)?.[0] ?? null;
    report.kind = report.event === null ? null : eventKind(report.event);
  }
  fromDecodedLines(report, read.lines.map((l) => l.line));
  if (report.iova === null && meaning !== '') {
    const by = report.sid === null ? '' : ` from StreamID ${report.sid}`;
    report.explanation = `event ${hex(head?.kind === 'v3-header' ? head.id : 0)} ${meaning}${by}${whole ? '' : ' (the log shows the header without the whole record)'}`;
  }
  return report;
}

/** `EVTQ overflow detected -- events lost` / `PRIQ overflow …`: the queue wrapped before software read it. */
export function overflowReport(read: ReadReport, device: string, queue: 'EVTQ' | 'PRIQ'): FaultReport {
  const report = emptyReport('arm-smmu-v3', device, read);
  report.kind = 'overflow';
  report.explanation =
    queue === 'EVTQ'
      ? 'the event queue (EVTQ) filled faster than the kernel drained it: the SMMU dropped event records, so faults after this point may be missing from the log'
      : 'the PRI queue (PRIQ) filled faster than the kernel drained it: the SMMU dropped page requests, and the devices that sent them wait for responses that will not come';
  return report;
}
