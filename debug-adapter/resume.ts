import { guestHolds } from '../emulator/inspect/vms';
import { MachineRequestError } from '../emulator/machine/machine';
import { hex } from '../emulator/util/u64';
import { Debuggee } from './debuggee';
import { RequestError } from './errors';
import { PageResponse, ResumeAction, ResumeResponseBody, StallAction } from './protocol';
import { RequestArguments } from './requestArguments';
import { prgWaitOf } from '../emulator/inspect/stalls';

const stallActions: readonly StallAction[] = ['retry', 'terminate', 'abort'];
const pageResponses: readonly PageResponse[] = ['success', 'invalid', 'failure'];

function isStallAction(action: string): action is StallAction {
  return (stallActions as readonly string[]).includes(action);
}

function isPageResponse(action: string): action is PageResponse {
  return (pageResponses as readonly string[]).includes(action);
}

/**
 * Each kind of wait takes its own command's words: a stall (RESUME, CMD_RESUME) retry,
 * terminate or abort; a page request group (CMD_PRI_RESP) success, invalid or failure.
 * The other kind's words are refused rather than translated, so what is written is what
 * was asked for.
 */
function checkAnswerFits(debuggee: Debuggee, id: number, action: ResumeAction): void {
  const machine = debuggee.machine;
  const transaction = machine.state.transactions.get(id);
  if (!transaction || transaction.status !== 'stalled') return;
  if (transaction.stall === 'page-request') {
    if (isPageResponse(action)) return;
    const group = prgWaitOf(machine, transaction.smmu, id);
    const which = group ? `page request group ${hex(group.prgi)}` : 'its page request group';
    throw new RequestError(`transaction #${id} waits for the response to ${which}: answer success, invalid or failure (CMD_PRI_RESP), not ${action}`);
  }
  if (isStallAction(action)) return;
  const command = machine.smmu(transaction.smmu)?.stallAnswer;
  throw new RequestError(`transaction #${id} is stalled by a fault: answer retry, terminate or abort${command ? ` (${command})` : ''}, not ${action}`);
}

/** `iommu/resume`: the driver's answer to a stalled transaction, written as the driver writes it. */
export function resume(debuggee: Debuggee, args: RequestArguments): ResumeResponseBody {
  const action = args.string('action');
  const id = args.integer('transaction', { min: 0 });
  if (!isStallAction(action) && !isPageResponse(action)) {
    throw new RequestError(`'${action}' is not an answer: retry, terminate or abort (a stall), success, invalid or failure (a page request group)`);
  }
  checkAnswerFits(debuggee, id, action);
  try {
    // A stall a guest holds is answered from the guest's side: its CMD_RESUME, then the VMM, then the host.
    if (guestHolds(debuggee.machine, id)) return { resumed: [], ...debuggee.machine.resumeFromGuest(id, action) };
    return debuggee.machine.resumeTransaction(id, action);
  } catch (error) {
    if (error instanceof MachineRequestError) throw new RequestError(error.message);
    throw error;
  }
}
