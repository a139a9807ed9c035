import { Granule } from '../pgtable/granule';
import type { KernelVersion } from '../kernel/versions';
import { ExpectDeclaration, ScenarioFile } from '../language/ast';
import { CheckedMap } from '../language/checker/maps';
import { SmmuVersion } from '../language/schema';
import { LineIndex } from '../language/source';
import { EngineOp } from './engineProgram';
import { HandlerOp } from './handlerProgram';
import { PlacementOutcome } from './vfio';

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
  /** How page requests are handled: upstream arm-smmu-v3 denies them; iopf is the never-merged PRI path (smmu setting `pri-handling`). */
  priHandling: 'upstream' | 'iopf';
  eventqEntries: number;
  priqEntries: number;
  ssidBits: number;
  /** The platform device's name, as the kernel's lines show it (`15000000.iommu`). */
  device: string;
  /** SMMUv2: arm-smmu.c alone, or Qualcomm's Adreno implementation with drm/msm as the GPU driver. */
  impl: SmmuImpl;
}

export type SmmuImpl = 'arm' | 'qcom-adreno';

export interface DomainModel {
  name: string;
  smmu: number;
  ias: number;
  oas: number;
  /** `granule`: the stage-1 table's translation granule (TCR.TG0 / CD.TG0). */
  granule: Granule;
  /** SCTLR.CFCFG / CD.S. */
  stall: boolean;
  /** SCTLR.HUPCF. */
  hupcf: boolean;
  /** SCTLR.CFRE / CD.A: terminated transactions abort (else RAZ/WI). */
  abortOnTerminate: boolean;
  /** CD.R. */
  record: boolean;
  /** `pgd`: the top-level table's PA (TTBR0.BADDR / CD.TTB0); absent, the table pool's next page. */
  pgd?: bigint;
  /** `s1cbndx`: the FSYNR0.S1CBNDX its context bank reports (SMMUv2); absent, the bank's own index. */
  s1cbndx?: number;
  /** dma-iommu's unmap: strict (iommu_unmap syncs), or lazy (IOMMU_DOMAIN_DMA_FQ: a flush queue of `queueSize` entries flushed after `timeout` cycles). */
  dma: DmaPolicy;
  /** The default TTBR0 table's maps (the IOVAs below 2^ias). */
  maps: CheckedMap[];
  /** `ttbr1 on`: TCR.EPD1=0, a second table (TTBR1) for the top 2^ias bytes (IO_PGTABLE_QUIRK_ARM_TTBR1). */
  ttbr1: boolean;
  /** The TTBR1 table's maps, IOVAs as written (sign-extended, from 2^64 - 2^ias up). */
  ttbr1Maps: CheckedMap[];
  /** `stage`: 1 (IOVA → PA, or IOVA → IPA when nested) or 2 (IPA → PA: io-pgtable-arm's ARM_64_LPAE_S2). */
  stage: 1 | 2;
  /** `vmid` as written (stage 2); undefined: decided at attach (arm-smmu cbndx + 1, arm-smmu-v3 the lowest free from 1). */
  vmid: number | undefined;
  /** `nested`: the index of the stage-2 domain under this guest stage 1 (STE.Config=0b111). */
  nested: number | undefined;
  /** A nested domain's CD (table) in IPA space: `cd at`, else guestPlacement's choice. */
  cdAt: bigint | undefined;
  /** A nested domain's top-level stage-1 table in IPA space: `tables at`, else guestPlacement's choice. */
  tablesAt: bigint | undefined;
  /** The index into `ScenarioModel.vms` of the VM that owns this nested domain (`vm`, or the vm of its stage 2). */
  vm: number | undefined;
}

/** `vm NAME`: a VM a device is given to (docs/scenario-language.md, "vm"). */
export interface VmModel {
  name: string;
  /** Index of its stage-2 domain (its IPA space). */
  stage2: number;
  /** IOMMU_FAULT_QUEUE_ALLOC: recoverable stage-1 faults of its nested domains go to the VMM. */
  faultQueue: boolean;
  /** IOMMU_VEVENTQ_ALLOC's veventq_depth, in events. */
  veventqDepth: number;
}

/** `pagetable NAME on DOMAIN`: a per-process TTBR0 table (msm_iommu_pagetable_create). */
export interface PagetableModel {
  name: string;
  domain: number;
  /** The ASID the CP writes into TTBR0[63:48] with it. */
  asid: number;
  maps: CheckedMap[];
}

export interface DmaPolicy {
  lazy: boolean;
  queueSize: number;
  timeout: number;
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

/** Where one master of a vfio container landed (docs/scenario-language.md, "vfio"). */
export interface VfioPlacement {
  master: number;
  /** Index into `ScenarioModel.domains`; undefined when the master attached nowhere. */
  domain: number | undefined;
  outcome: PlacementOutcome;
  /** Why it did not join an existing domain of the container ('' when it did). */
  why: string;
  /** The whole story: "attached to pt", "new domain pt#2: …", "unattached: …". */
  reason: string;
}

/**
 * A vfio container: the domains it made (appended to `ScenarioModel.domains`, so their page
 * tables are built like any domain's) and its masters' placements, in attach order. A placed
 * master's `domain` is where it landed; the machine attaches containers' masters after the
 * masters with their own `domain` line, as the checker placed them.
 */
export interface VfioModel {
  name: string;
  domains: number[];
  placements: VfioPlacement[];
}

export interface ScenarioModel {
  title: string | undefined;
  /** The Linux release whose fault path the run follows: the `kernel` line's, else the newest modelled. */
  kernel: KernelVersion;
  file: ScenarioFile;
  lines: LineIndex;
  timing: TimingModel;
  smmus: SmmuModel[];
  domains: DomainModel[];
  /** Per-process TTBR0 tables, in declaration order; engine ops name them by index. */
  pagetables: PagetableModel[];
  masters: MasterModel[];
  engines: EngineModel[];
  workqueues: WorkqueueModel[];
  handlers: HandlerModel[];
  vfio: VfioModel[];
  /** The `vm` blocks, in declaration order. */
  vms: VmModel[];
  expects: ExpectDeclaration[];
}
