import { FaultReport } from './report';

/*
 * What happened, in words, from the report's fields alone: the text output and
 * the JSON's `explanation` say the same thing.
 */

function access(report: FaultReport): string {
  const what = report.instruction === true && report.write !== true ? 'instruction fetch' : report.write === null ? 'access' : report.write ? 'write' : 'read';
  if (report.priv === true) return `a privileged ${what}`;
  return what === 'access' ? 'an access' : `a ${what}`;
}

const by = (report: FaultReport): string => (report.sid === null ? '' : ` by StreamID ${report.sid}${report.ssid === null ? '' : ` (SubstreamID ${report.ssid})`}`);

/** What the walk found in `table` (`context bank 6's table`), per kind of fault. */
function finding(kind: string | null, level: number | null, table: string): string {
  const at = level === null ? 'an entry' : `the level-${level} entry`;
  switch (kind) {
    case 'translation':
      return `found no valid ${level === null ? 'entry' : `level-${level} entry`} in ${table}: translation fault`;
    case 'permission':
      return `was refused by the permissions of ${at} in ${table}: permission fault`;
    case 'access-flag':
      return `hit ${at} with AF=0 in ${table}: access flag fault`;
    case 'address-size':
      return `went beyond the address size ${table} allows: address size fault`;
    case 'external':
      return `got an external abort on ${table}: external fault`;
    case 'tlb-conflict':
      return `matched more than one TLB entry for ${table}: TLB conflict`;
    case null:
      return `faulted in ${table}`;
    default:
      return `faulted in ${table}: ${kind} fault`;
  }
}

function contextFault(report: FaultReport): string {
  const table = report.cb === null ? 'its context bank' : `context bank ${report.cb}'s table`;
  const what = `${access(report)}${by(report)} to IOVA ${report.iova ?? '?'} ${finding(report.kind, report.level, table)}`;
  const stalled =
    report.stall === null
      ? 'the line has no FSR, so neither the kind of fault nor whether the transaction stalled is known'
      : report.stall
        ? 'the transaction is stalled (FSR.SS) until the kernel writes RESUME: it retries only when a fault handler returned -EAGAIN, else it terminates'
        : 'the transaction was not stalled, so the device got an abort or RAZ/WI as SCTLR.CFRE says';
  const multi = report.registers.FSR?.fields.MULTI === 1 ? '; MULTI: another fault arrived while FSR still held this one' : '';
  return `${what}; ${stalled}${multi}`;
}

function globalFault(report: FaultReport): string {
  const usf = report.registers.sGFSR?.fields.USF === 1 || (report.registers.sGFSR === undefined && report.sid !== null);
  if (usf) return `${access(report)}${by(report)} matched no stream mapping entry (sGFSR.USF: unidentified stream fault), and the SMMU does not bypass unknown streams, so it was aborted`;
  const set = Object.entries(report.registers.sGFSR?.fields ?? {}).filter(([, v]) => v === 1).map(([name]) => name);
  return `a global fault (sGFSR ${set.length > 0 ? set.join(', ') : 'fields not shown'})${by(report)}: not tied to one context bank`;
}

function v3Event(report: FaultReport): string {
  const name = report.event ?? 'an unnamed event';
  if (report.iova === null || report.kind === 'page-request') return `${name}${by(report)}: ${report.kind === 'configuration' ? 'the SMMU refused the stream\'s configuration (STE or CD) before any translation' : report.kind ?? 'an event'}`;
  const stage = report.stage2 === null ? 'the table' : `the stage-${report.stage2 ? 2 : 1} table`;
  const where = report.class === 'TT' ? `while fetching a descriptor of ${stage}` : finding(report.kind, null, stage);
  const stalled =
    report.stall === true
      ? `the transaction is stalled (STAG ${report.stag ?? '?'}) until CMD_RESUME or CMD_STALL_TERM`
      : 'the transaction was terminated: the device got an abort';
  return `${name}: ${access(report)}${by(report)} to IOVA ${report.iova} ${where}; ${stalled}`;
}

function gpuFault(report: FaultReport): string {
  const table = report.registers.TTBR0 === undefined ? 'the GPU\'s table' : `the table at TTBR0 ${report.registers.TTBR0.value}`;
  return `the GPU made ${access(report)} to IOVA ${report.iova ?? '?'} that ${finding(report.kind, null, table)}`;
}

export function explain(report: FaultReport): string {
  if (report.source === 'adreno') return gpuFault(report);
  if (report.source === 'arm-smmu-v3') return v3Event(report);
  if (report.kind === 'global') return globalFault(report);
  return contextFault(report);
}
