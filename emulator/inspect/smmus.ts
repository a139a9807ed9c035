/**
 * What an SMMU has, for the views that show it: context banks with their registers, a stream
 * table, a stall table by STAG, page request groups, a count of dropped event records. Each
 * answer is empty (or false) where the SMMU has no such thing, so no view asks its version.
 */
export {
  contextBankOf,
  contextBanksOf,
  droppedEventsOf,
  hasContextBanks,
  hasStreamTable,
  pageRequestWaitsOf,
  sgfsrOf,
  stallTagsOf,
  streamTableOf,
} from '../smmu/structures';
