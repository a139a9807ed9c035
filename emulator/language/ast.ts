import { Range } from './source';

/**
 * The syntax tree of a scenario file. Every node keeps its source range; the parser
 * recovers from errors, so a tree may be partial (a missing piece is `undefined`, never
 * a made-up value). Names are kept as written; the checker resolves them.
 */

export interface Node {
  range: Range;
}

/** An identifier where a name is declared or referenced (`gpu_dom`, `can-stall`). */
export interface Name extends Node {
  text: string;
}

/** `master.engine`: how engines are named. */
export interface QualifiedName extends Node {
  master: Name;
  engine: Name;
}

/** A number as written (`0x0100_0000`, `4K`), and its value. Never a JS number: addresses are 64-bit. */
export interface NumberLiteral extends Node {
  kind: 'number';
  text: string;
  value: bigint;
}

export type StringPart = { kind: 'text'; value: string; range: Range } | { kind: 'hole'; expression: Expression | undefined; range: Range };

/** `"…"`; `{expr}` holes interpolate (in `log` strings and logpoints). */
export interface StringLiteral extends Node {
  kind: 'string';
  /** The text between the quotes with escapes resolved and holes kept as written. */
  value: string;
  parts: StringPart[];
}

// ---------------------------------------------------------------------------------------
// Expressions: one language for `if`, `repeat` counts, addresses, breakpoint conditions,
// logpoint holes and the Debug Console.

export type UnaryOperator = '-' | '~' | '!';
export type BinaryOperator =
  | '*' | '/' | '%'
  | '+' | '-'
  | '<<' | '>>'
  | '<' | '<=' | '>' | '>='
  | '==' | '!='
  | '&' | '^' | '|'
  | '&&' | '||';

export interface Identifier extends Node {
  kind: 'identifier';
  name: string;
}

/** `gpu.cp` in an expression (an engine compared with `engine`). */
export interface QualifiedIdentifier extends Node {
  kind: 'qualified';
  master: string;
  /** Where `master` is written: it names the master too (find references, rename). */
  masterRange: Range;
  engine: string;
}

export interface UnaryExpression extends Node {
  kind: 'unary';
  operator: UnaryOperator;
  operand: Expression | undefined;
}

export interface BinaryExpression extends Node {
  kind: 'binary';
  operator: BinaryOperator;
  operatorRange: Range;
  left: Expression;
  right: Expression | undefined;
}

/** `translate(iova, sid)`, `pte(iova)`, `read(pa, 8)`. */
export interface CallExpression extends Node {
  kind: 'call';
  callee: Name;
  args: Expression[];
}

/** `STE[sid]`. */
export interface IndexExpression extends Node {
  kind: 'index';
  target: Expression;
  index: Expression | undefined;
}

export type Expression =
  | NumberLiteral
  | Identifier
  | QualifiedIdentifier
  | UnaryExpression
  | BinaryExpression
  | CallExpression
  | IndexExpression;

// ---------------------------------------------------------------------------------------
// Settings: `key value` lines inside a block. Which keys a block takes, and what values,
// is in `schema.ts`.

/** A bare word in value position: `v2`, `stall`, `on`, or a name such as `gpu_dom`. */
export interface Word extends Node {
  kind: 'word';
  text: string;
}

/** A string only where the schema asks for text (`device "…"`): the parser takes no string elsewhere. */
export type SettingValue = NumberLiteral | Word | StringLiteral;

export interface Setting extends Node {
  kind: 'setting';
  key: Name;
  /** Absent for flags (`can-stall`, `pri`) and when the value is missing. */
  value: SettingValue | undefined;
}

/** `map IOVA -> PA size SIZE PERMS… [pages 4K]` or, in a handler, `map page -> PA PERMS…`. */
export interface MapStatement extends Node {
  kind: 'map';
  /** `undefined` with `page` set: the faulting 4K page. */
  iova: Expression | undefined;
  page: Range | undefined;
  pa: Expression | undefined;
  size: Expression | undefined;
  perms: Word[];
  pages: NumberLiteral | undefined;
}

/** `stream ID [mask MASK]`: one SMR of a master, or the stream an engine issues on. */
export interface StreamSetting extends Node {
  kind: 'stream';
  id: NumberLiteral | undefined;
  mask: NumberLiteral | undefined;
}

/** `pasid N -> DOMAIN` (SMMUv3): a second address space bound at a PASID/SSID. */
export interface PasidBinding extends Node {
  kind: 'pasid';
  pasid: NumberLiteral | undefined;
  domain: Name | undefined;
}

/** `masters a b c` in a vfio container. */
export interface MastersList extends Node {
  kind: 'masters';
  masters: Name[];
}

// ---------------------------------------------------------------------------------------
// Engines

export type TransactionOption =
  | { kind: 'pasid'; range: Range; value: Expression | undefined }
  | { kind: 'priv'; range: Range }
  | { kind: 'exec'; range: Range }
  | { kind: 'value'; range: Range; value: Expression | undefined };

/** `read ADDR SIZE [options] [as NAME]`. */
export interface Transaction extends Node {
  kind: 'transaction';
  access: 'read' | 'write';
  accessRange: Range;
  address: Expression | undefined;
  size: Expression | undefined;
  options: TransactionOption[];
  label: Name | undefined;
}

export interface Wait extends Node {
  kind: 'wait';
  cycles: Expression | undefined;
}

export interface Repeat extends Node {
  kind: 'repeat';
  count: Expression | undefined;
  body: EngineItem[];
}

export interface Submit extends Node {
  kind: 'submit';
  id: Expression | undefined;
  /** `submit N pagetable NAME`: the per-process table the CP switches TTBR0 to for this submit. */
  pagetable: Name | undefined;
  body: EngineItem[];
}

export type EngineItem = Transaction | Wait | Repeat | Submit;

// ---------------------------------------------------------------------------------------
// Handlers

export interface LogStatement extends Node {
  kind: 'log';
  message: StringLiteral | undefined;
}

export interface DumpStatement extends Node {
  kind: 'dump';
}

export interface UnmapStatement extends Node {
  kind: 'unmap';
  iova: Expression | undefined;
  size: Expression | undefined;
  /** `nosync`: iommu_unmap_fast — the invalidation is gathered, not issued, until `sync`. */
  nosync: boolean;
}

/** `sync`: iommu_iotlb_sync of what `unmap … nosync` gathered. */
export interface SyncStatement extends Node {
  kind: 'sync';
}

export interface TlbiStatement extends Node {
  kind: 'tlbi';
  /** `tlbi all`, or `tlbi va ADDR`. */
  scope: 'all' | 'va' | undefined;
  address: Expression | undefined;
}

export interface SleepStatement extends Node {
  kind: 'sleep';
  cycles: Expression | undefined;
}

/** `stall off for N`: clear stall mode for N cycles, then restore it. */
export interface StallOffStatement extends Node {
  kind: 'stall-off';
  cycles: Expression | undefined;
}

export interface IfStatement extends Node {
  kind: 'if';
  condition: Expression | undefined;
  then: HandlerStatement[];
  /** `else { … }`, or `else if …` as a one-statement list. */
  otherwise: HandlerStatement[] | undefined;
  elseRange: Range | undefined;
}

export const stallResponses = ['retry', 'terminate', 'abort'] as const;
export const pageResponses = ['success', 'invalid', 'failure'] as const;
export type StallResponse = (typeof stallResponses)[number];
export type PageResponse = (typeof pageResponses)[number];
export type ResponseKind = StallResponse | PageResponse;

/** `retry`, `terminate`, `abort` (a stalled fault) or `success`, `invalid`, `failure` (a PRI group). */
export interface ResponseStatement extends Node {
  kind: 'response';
  response: ResponseKind;
}

export type HandlerStatement =
  | LogStatement
  | DumpStatement
  | MapStatement
  | UnmapStatement
  | TlbiStatement
  | SyncStatement
  | SleepStatement
  | StallOffStatement
  | IfStatement
  | ResponseStatement;

// ---------------------------------------------------------------------------------------
// Declarations

export interface ScenarioTitle extends Node {
  kind: 'scenario';
  title: StringLiteral | undefined;
}

/** `kernel 7.1`: the Linux release whose fault path the run follows. */
export interface KernelDeclaration extends Node {
  kind: 'kernel';
  /** As written, MAJOR.MINOR; undefined when it is not one. */
  version: { major: number; minor: number; range: Range } | undefined;
}

export interface TimingDeclaration extends Node {
  kind: 'timing';
  settings: Setting[];
}

export interface SmmuDeclaration extends Node {
  kind: 'smmu';
  name: Name | undefined;
  settings: Setting[];
}

export interface DomainDeclaration extends Node {
  kind: 'domain';
  name: Name | undefined;
  settings: Setting[];
  maps: MapStatement[];
}

export interface MasterDeclaration extends Node {
  kind: 'master';
  name: Name | undefined;
  settings: Setting[];
  streams: StreamSetting[];
  pasids: PasidBinding[];
}

export interface EngineDeclaration extends Node {
  kind: 'engine';
  name: QualifiedName | undefined;
  settings: Setting[];
  streams: StreamSetting[];
  body: EngineItem[];
}

export interface WorkqueueDeclaration extends Node {
  kind: 'workqueue';
  name: Name | undefined;
  settings: Setting[];
}

export interface HandlerDeclaration extends Node {
  kind: 'handler';
  name: Name | undefined;
  domain: Name | undefined;
  settings: Setting[];
  body: HandlerStatement[];
}

/** `pagetable NAME on DOMAIN { asid N  map … }`: a per-process TTBR0 table (msm_iommu_pagetable_create). */
export interface PagetableDeclaration extends Node {
  kind: 'pagetable';
  name: Name | undefined;
  domain: Name | undefined;
  settings: Setting[];
  maps: MapStatement[];
}

export interface VfioDeclaration extends Node {
  kind: 'vfio';
  name: Name | undefined;
  settings: Setting[];
  masters: MastersList[];
  maps: MapStatement[];
}

/** `vm NAME { stage2 DOMAIN  fault-queue on }`: a VM a device is given to, and what iommufd gives its VMM. */
export interface VmDeclaration extends Node {
  kind: 'vm';
  name: Name | undefined;
  settings: Setting[];
}

export type ExpectCheck =
  /** `expect NAME completed` */
  | { kind: 'status'; label: Name; status: Word | undefined }
  /** `expect NAME pa 0x8000_0000` */
  | { kind: 'pa'; label: Name; pa: Expression | undefined }
  /** `expect faults == 1` */
  | { kind: 'counter'; counter: Name; operator: BinaryOperator | undefined; operatorRange: Range | undefined; value: Expression | undefined };

export interface ExpectDeclaration extends Node {
  kind: 'expect';
  check: ExpectCheck | undefined;
}

export type Declaration =
  | ScenarioTitle
  | KernelDeclaration
  | TimingDeclaration
  | SmmuDeclaration
  | DomainDeclaration
  | MasterDeclaration
  | EngineDeclaration
  | WorkqueueDeclaration
  | HandlerDeclaration
  | PagetableDeclaration
  | VfioDeclaration
  | VmDeclaration
  | ExpectDeclaration;

export interface ScenarioFile extends Node {
  declarations: Declaration[];
}
