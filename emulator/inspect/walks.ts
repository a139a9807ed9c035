/**
 * Page tables as the debugger and the language server show them: the SMMU's own walkers
 * (with every step kept) — stage 1, stage 2, nested —, descriptors decoded field by field,
 * table entries, and the handler's `dump` as Linux prints it.
 */
export { walk } from '../pgtable/walker';
export type { FaultKind, WalkResult, WalkStep } from '../pgtable/walker';
export { walkStage2 } from '../pgtable/stage2Walker';
export type { Stage2WalkResult, Stage2WalkStep } from '../pgtable/stage2Walker';
export { walkNested } from '../pgtable/nestedWalker';
export type { NestedWalkResult, TableFetch, NestedFault } from '../pgtable/nestedWalker';
export { describeDescriptor, sizeName } from '../pgtable/descriptor';
export { describeStage2Descriptor, stage2AttributesText } from '../pgtable/stage2Descriptor';
export type { Stage2DescriptorFields } from '../pgtable/stage2Descriptor';
export type { Access } from '../pgtable/descriptor';
export type { Granule } from '../pgtable/granule';
export type { Level } from '../pgtable/descriptor';
export type { TableEntry } from '../pgtable/ioPgtable';
export { formatDump } from '../machine/dump';
export { describeWalk, faultAtLevel, faultStageText, walkFaultText } from './domainWalks';
export type { DomainWalk } from './domainWalks';
