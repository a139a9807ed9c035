import { ExpectDeclaration, ScenarioFile } from '../language/ast';
import { CheckedMap } from '../language/checker/maps';
import { SmmuVersion } from '../language/schema';
import { LineIndex } from '../language/source';
import { EngineOp } from './engineProgram';
import { HandlerOp } from './handlerProgram';

/**
 * A checked scenario with every default filled in and every name resolved to an index:
 * what the machine is built from. Immutable; the machine's state lives elsewhere.
 */

export interface TimingModel {
  tlbHit: number;
  walkLevel: number;
  irqLatency: number;
  wqLatency: number;
  statement: number;
  dump: number;
  tlbEntries: number;
}

export interface SmmuModel {
  name: string;
  version: SmmuVersion;
  contextBanks: number;
  /** sCR0.USFCFG = 1: unmatched streams fault (else bypass). */
  unmatchedFault: boolean;
  stallModel: 'stall' | 'no-stall' | 'force-stall';
  eventqEntries: number;
  priqEntries: number;
  ssidBits: number;
}

export interface DomainModel {
  name: string;
  smmu: number;
  ias: number;
  oas: number;
  /** SCTLR.CFCFG / CD.S. */
  stall: boolean;
  /** SCTLR.HUPCF. */
  hupcf: boolean;
  /** SCTLR.CFRE / CD.A: terminated transactions abort (else RAZ/WI). */
  abortOnTerminate: boolean;
  /** CD.R. */
  record: boolean;
  maps: CheckedMap[];
}

export interface StreamModel {
  id: number;
  mask: number;
}

export interface MasterModel {
  name: string;
  smmu: number;
  streams: StreamModel[];
  /** Domain index attached at start, if any. */
  domain: number | undefined;
  canStall: boolean;
  pri: boolean;
  pasids: { pasid: number; domain: number }[];
}

export interface EngineModel {
  /** `master.engine`. */
  name: string;
  master: number;
  sid: number;
  start: number;
  interval: number;
  outstanding: number;
  program: EngineOp[];
}

export interface WorkqueueModel {
  name: string;
  workers: number;
  ordered: boolean;
}

export type HandlerContext = 'irq' | 'thread' | 'workqueue';

export interface HandlerModel {
  name: string;
  domain: number;
  context: HandlerContext;
  workqueue: number;
  program: HandlerOp[];
}

export interface ScenarioModel {
  title: string | undefined;
  file: ScenarioFile;
  lines: LineIndex;
  timing: TimingModel;
  smmus: SmmuModel[];
  domains: DomainModel[];
  masters: MasterModel[];
  engines: EngineModel[];
  workqueues: WorkqueueModel[];
  handlers: HandlerModel[];
  expects: ExpectDeclaration[];
}
