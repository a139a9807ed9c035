/**
 * Page tables as the debugger and the language server show them: the one walker (the
 * SMMU's own, with every step kept), descriptors decoded field by field, table entries,
 * and the handler's `dump` as Linux prints it.
 */
export { walk } from '../pgtable/walker';
export type { WalkResult } from '../pgtable/walker';
export { describeDescriptor, sizeName } from '../pgtable/descriptor';
export type { Granule } from '../pgtable/granule';
export type { Level } from '../pgtable/descriptor';
export type { TableEntry } from '../pgtable/ioPgtable';
export { formatDump } from '../machine/dump';
