import { ResumeAction } from '../../debug-adapter/protocol';

/**
 * The error toast when the adapter refuses an answer: the answer by name and the reason in
 * the emulator's words, e.g. `IOMMU: success not sent to #0: page request group 0x1 is not
 * complete: …`. The answer is a noun here ("success", "retry"), never a verb.
 */
export function refusedAnswerMessage(transaction: number, action: ResumeAction, error: unknown): string {
  return `IOMMU: ${action} not sent to #${transaction}: ${error instanceof Error ? error.message : String(error)}`;
}
