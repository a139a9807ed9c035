/**
 * SMMUv3's queues as views show them: their pointers and entries, and each entry (command,
 * event record, page request) decoded field by field by the codec that writes it.
 */
export { describeCommand } from '../smmu/v3/commands';
export { describeEvent } from '../smmu/v3/eventRecord';
export { describePageRequest } from '../smmu/v3/priEntry';
export { describePointers, inOverflow, pendingEntries, queueEntries } from '../smmu/v3/queue';
export type { QueueMemory, QueueState } from '../smmu/v3/queue';
