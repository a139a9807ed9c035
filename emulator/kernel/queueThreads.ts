import { Runtime } from '../machine/runtime';
import { ActivityState, IopfGroupState } from '../machine/state';
import { decodeEvent, EventRecord, isKnownEvent } from '../smmu/v3/eventRecord';
import { eventText, v3State, writeWaitingRecords } from '../smmu/v3/eventq';
import { decodePageRequest, PageRequest } from '../smmu/v3/priEntry';
import { submitCommands } from '../smmu/v3/cmdq';
import { pageRequestText } from '../smmu/v3/pri';
import { acknowledgeOverflow, consume, inOverflow } from '../smmu/v3/queue';
import { hex, hex64 } from '../util/u64';
import { masterOfStream, reportGroup, Reported } from './iopf';
import { hostEventRoute } from './iommufd/hostEventRoute';
import { reportToVeventq } from './vm/veventq';
import { eventLogLines } from './smmuV3EventLog';
import { smmuPrintk } from './printk';
import { irqHandlerThread, newActivity, priqThread, startOn } from './threads';

/** The device name a StreamID's master has in the kernel's lines: the master's name (the model has no DT node names); undefined for a StreamID no master has. */
function clientOf(rt: Runtime, smmu: number, sid: number): string | undefined {
  return masterOfStream(rt, smmu, sid)?.name;
}

/** arm_smmu_evtq_thread's lines for a record it did not handle, in the release's format (smmuV3EventLog.ts). Returns the first. */
function printEvent(rt: Runtime, activity: ActivityState, dwords: bigint[]): string {
  const sid = Number((dwords[0] ?? 0n) >> 32n);
  const lines = eventLogLines(rt.model.kernel, dwords, clientOf(rt, activity.smmu, sid));
  for (const line of lines) smmuPrintk(rt, activity.thread, activity.smmu, line.level, line.text);
  return lines[0]?.text ?? '';
}

/** The event queue's (or PRI queue's) interrupt: its threaded handler drains the queue. */
export function takeQueueIrq(rt: Runtime, smmu: number, queue: 'evtq' | 'priq'): void {
  const thread = queue === 'evtq' ? irqHandlerThread(rt, smmu) : priqThread(rt, smmu);
  const activity = newActivity(rt, {
    thread: thread.id,
    smmu,
    bank: undefined,
    domain: undefined,
    group: undefined,
    steps: [queue === 'evtq' ? 'arm_smmu_evtq_thread' : 'arm_smmu_priq_thread'],
    handler: undefined,
    fault: undefined,
    cfi: undefined,
    callers: ['irq_thread', 'irq_thread_fn'],
  });
  startOn(rt, thread, activity);
}

/**
 * A stall record: the fault becomes a one-fault group whose grpid is the STAG. When the
 * core answers it at once (no handler, no iopf) iommu_report_device_fault fails and the
 * thread prints the record as well.
 */
function handleStallEvent(rt: Runtime, smmu: number, record: EventRecord): Reported {
  const v3 = v3State(rt, smmu);
  const stall = v3.stalls.find((s) => s.stag === record.stag && s.sid === record.sid);
  const transaction = stall && rt.state.transactions.get(stall.transaction);
  if (!stall || !transaction) return { text: 'the stalled transaction is gone', errorResponse: false };
  const group: IopfGroupState = { kind: 'stall', smmu, sid: record.sid, ssid: record.ssv ? record.ssid : undefined, grpid: record.stag, faults: [stall.fault], transactions: [stall.transaction] };
  return reportGroup(rt, group, transaction.domain);
}

/** One record of arm_smmu_evtq_thread: a stall goes to the IOMMU core, anything else is printed. */
function handleEvent(rt: Runtime, activity: ActivityState, dwords: bigint[]): string {
  // An ID no event has (a record written by hand): arm_smmu_handle_evt answers -EOPNOTSUPP and the thread prints it raw.
  if (!isKnownEvent(dwords)) return `${printEvent(rt, activity, dwords)} ${dwords.map(hex64).join(' ')}: not an event the driver knows (-EOPNOTSUPP): printed`;
  const record = decodeEvent(dwords);
  if (record.stall) {
    const reported = handleStallEvent(rt, activity.smmu, record);
    if (reported.errorResponse) printEvent(rt, activity, dwords);
    return `${eventText(record)}: ${reported.text}${reported.errorResponse ? '; printed' : ''}`;
  }
  // A stage-1 event of a device a guest owns: its vEVENTQ, where the release has one (arm_vmaster_report_event).
  const vm = rt.model.domains[masterOfStream(rt, activity.smmu, record.sid)?.domain ?? -1]?.vm;
  const route = vm === undefined ? 'host' : hostEventRoute(rt.model.kernel, record, true);
  const reported = vm !== undefined && route === 'veventq' ? reportToVeventq(rt, activity.smmu, vm, dwords, record.sid) : undefined;
  if (reported) return `${eventText(record)}: ${reported}`;
  printEvent(rt, activity, dwords);
  // The step's words are for listeners (the trace, the debugger): a storm prints millions of records unobserved.
  return rt.observed ? `${eventText(record)}: printed` : '';
}


/**
 * Upstream arm_smmu_handle_ppr (every release): the request is logged at KERN_INFO and, on
 * the group's Last, denied with CMD_PRI_RESP PRI_RESP_DENY. Linux's PRI_RESP_DENY is 0,
 * which CMD_PRI_RESP.Resp encodes as ResponseFailure (SMMUv3 4.5.2): the device gets a PRG
 * response of Response Failure.
 */
function denyPageRequest(rt: Runtime, activity: ActivityState, request: PageRequest): string {
  const ssid = request.ssv ? request.ssid : 0; // IOMMU_NO_PASID
  const access = `${request.priv ? '' : 'un'}privileged ${request.read ? 'R' : ''}${request.write ? 'W' : ''}${request.exec ? 'X' : ''}`;
  smmuPrintk(rt, activity.thread, activity.smmu, 'info', 'unexpected PRI request received:');
  smmuPrintk(
    rt,
    activity.thread,
    activity.smmu,
    'info',
    `\tsid 0x${request.sid.toString(16).padStart(8, '0')}.0x${ssid.toString(16).padStart(5, '0')}: [${request.prgi}${request.last ? 'L' : ''}] ${access} access at iova 0x${request.addr.toString(16).padStart(16, '0')}`,
  );
  if (!request.last) return `${pageRequestText(request)}: unexpected PRI request received (logged)`;
  const answer = submitCommands(rt, activity.smmu, [{ op: 'CMD_PRI_RESP', sid: request.sid, ssv: request.ssv, ssid, prgi: request.prgi, response: 'failure' }]);
  return `${pageRequestText(request)}: unexpected PRI request received (logged); PRI_RESP_DENY → ${answer.join('; ')}`;
}

/** One PRI queue entry: upstream denies it; with `pri-handling iopf` the core collects a group's requests until the one with Last, then reports the group. */
function handlePageRequest(rt: Runtime, activity: ActivityState, dwords: bigint[]): string {
  const request = decodePageRequest(dwords);
  if (rt.model.smmus[activity.smmu]?.priHandling !== 'iopf') return denyPageRequest(rt, activity, request);
  const v3 = v3State(rt, activity.smmu);
  const { iopf } = rt.state;
  let partial = iopf.partial.find((p) => p.smmu === activity.smmu && p.sid === request.sid && p.prgi === request.prgi);
  if (!partial) {
    partial = { smmu: activity.smmu, sid: request.sid, prgi: request.prgi, ssid: request.ssv ? request.ssid : undefined, pages: [] };
    iopf.partial.push(partial);
  }
  partial.pages.push(request.addr);
  if (!request.last) return `${pageRequestText(request)}: kept until the group's Last (${partial.pages.length} so far)`;
  iopf.partial.splice(iopf.partial.indexOf(partial), 1);
  // The group is whole now: every transaction that asked in it has faulted.
  const transactions = v3.prgWaits.find((w) => w.sid === request.sid && w.prgi === request.prgi)?.transactions ?? [];
  const faults = transactions.flatMap((id) => {
    const fault = rt.state.transactions.get(id)?.lastFault;
    return fault === undefined ? [] : [fault];
  });
  const domain = rt.state.transactions.get(transactions[0] ?? -1)?.domain;
  const group: IopfGroupState = { kind: 'page-request', smmu: activity.smmu, sid: partial.sid, ssid: partial.ssid, grpid: partial.prgi, faults, transactions: [...transactions] };
  return `${pageRequestText(request)}: ${reportGroup(rt, group, domain).text}`;
}

/**
 * iopf_queue_discard_partial, as Linux's PRI drivers call it once an overflow is behind
 * them: a group whose Last was lost will never be whole (its device was answered Success
 * automatically and asks again in a new group), and the requests kept of it would be
 * counted into the next group that reuses its PRG index. Returns what it did, for the trace.
 */
function discardPartialGroups(rt: Runtime, smmu: number): string {
  const { iopf } = rt.state;
  const stale = iopf.partial.filter((p) => p.smmu === smmu);
  if (stale.length === 0) return '';
  iopf.partial = iopf.partial.filter((p) => p.smmu !== smmu);
  return `; iopf_queue_discard_partial: ${stale.map((p) => `prgi ${hex(p.prgi)} (${p.pages.length} request${p.pages.length === 1 ? '' : 's'})`).join(', ')}`;
}

/**
 * One step of a queue's IRQ thread: consume the entry at CONS.RD and handle it; `more`
 * while entries remain. Once the queue is empty the thread acknowledges an overflow
 * (CONS.OVACKFLG = PROD.OVFLG), as Linux does with its CONS write, and returns.
 */
export function runQueueThreadStep(rt: Runtime, activity: ActivityState, queue: 'evtq' | 'priq'): { detail: string; more: boolean } {
  const v3 = v3State(rt, activity.smmu);
  const q = queue === 'evtq' ? v3.eventq : v3.priq;
  const entry = consume(rt.memory, q);
  if (!entry) {
    const overflowed = inOverflow(q);
    let discarded = '';
    if (overflowed) {
      acknowledgeOverflow(q);
      smmuPrintk(rt, activity.thread, activity.smmu, 'err', `${queue === 'evtq' ? 'EVTQ' : 'PRIQ'} overflow detected -- ${queue === 'evtq' ? 'events' : 'requests'} lost`);
      if (queue === 'priq') discarded = discardPartialGroups(rt, activity.smmu);
    }
    if (queue === 'evtq') v3.evtqIrqActive = false;
    else v3.priqIrqActive = false;
    return { detail: `queue empty${overflowed ? `; overflow acknowledged${discarded}` : ''}: IRQ_HANDLED`, more: false };
  }
  const detail = queue === 'evtq' ? handleEvent(rt, activity, entry.dwords) : handlePageRequest(rt, activity, entry.dwords);
  if (queue === 'evtq') writeWaitingRecords(rt, activity.smmu);
  return { detail: rt.observed ? `[${entry.index}] ${detail}` : '', more: true };
}
