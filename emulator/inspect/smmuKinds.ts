/** What each kind of SMMU has (context banks, a stream table with context descriptors, STALL_MODEL …), for the language server's descriptions. */
export { knownSmmuKind, smmuKind, smmuKindNamed, smmuKinds } from '../smmu/kinds';
export type { SmmuKind } from '../smmu/kinds';
