/**
 * What each block of a scenario takes: its settings, their values and defaults, and
 * what they mean on the hardware. The parser, the checker, the elaborator and the
 * language server's completion and hover all read this one table.
 */

import { cyclesPerMillisecond } from '../kernel/kernelTime';

export type BlockKind = 'timing' | 'smmu' | 'domain' | 'master' | 'engine' | 'workqueue' | 'handler' | 'pagetable' | 'vfio' | 'vm';
export type SmmuVersion = 'v2' | 'v3';
export type NameKind = 'smmu' | 'domain' | 'master' | 'engine' | 'workqueue' | 'handler' | 'pagetable' | 'vfio' | 'vm';

export type SettingValueSpec =
  /** No `default`: left out, the setting is decided elsewhere (the detail says by what). */
  /** `sizes`: the only values allowed, written as sizes (`4K`, `16K`, `64K`). */
  | { kind: 'number'; min: bigint; max: bigint; powerOfTwo?: boolean; sizes?: readonly string[]; default?: bigint }
  | { kind: 'enum'; values: readonly string[]; default: string }
  | { kind: 'name'; of: NameKind; default?: string }
  | { kind: 'flag' }
  /** A quoted string (`device "arm-smmu-v3.0.auto"`); `default` is what completion offers. */
  | { kind: 'text'; default: string };

/** Where a word of one SMMU version is used on the other: the checker's message names them. */
export interface VersionPlace {
  word: string;
  /** The SMMU version it is used on. */
  version: SmmuVersion;
  /** The block it is written in: `domain 'gpu'`, `smmu 'a'`. */
  owner: string;
  /** The SMMU's name, when known. */
  smmu: string | undefined;
}

/** A word of the language (a setting, a statement, an option) that exists on one SMMU version only. */
export interface VersionOnly {
  /** Only meaningful on this SMMU version. */
  only?: SmmuVersion;
  /** What the checker says where it is used on the other version, when more than the generic message can say. */
  elsewhere?: (place: VersionPlace) => string | undefined;
  /** Completion offers it only where the SMMU is known to be `only`, not where the version is unknown. */
  offeredOnlyOnKnownVersion?: true;
}

/** Whether a word exists on `version` (an unknown version allows everything). */
export function existsOn(entry: VersionOnly, version: SmmuVersion | undefined): boolean {
  return entry.only === undefined || version === undefined || entry.only === version;
}

export interface SettingSpec extends VersionOnly {
  key: string;
  value: SettingValueSpec;
  /** One line: what the setting is, in the hardware's or the kernel's words. */
  summary: string;
  /** What its values do. */
  detail?: string;
  /** A word written between the key and the value: `cd at IPA`, `tables at IPA`. */
  preposition?: 'at';
  /** A `name` setting that names a stage-2 domain only (`nested`, `stage2`): completion offers those. */
  stage2Name?: true;
}

const u32Max = 0xffff_ffffn;

/** The first SMMU's MMIO base when none is written; each next SMMU's is 16 MiB higher. */
export const smmuBaseDefault = 0x1500_0000n;

/** The MMIO base of the `index`th SMMU when its block writes no `base`. */
export function smmuBaseOf(index: number): bigint {
  return smmuBaseDefault + BigInt(index) * 0x100_0000n;
}

/**
 * The device name of an SMMU whose block writes no `device`: what of_device_make_bus_id
 * makes of a DT node `iommu@15000000` — `<unit-address>.<node-name>`.
 */
export function smmuDeviceOf(base: bigint): string {
  return `${base.toString(16)}.iommu`;
}

function numberSetting(key: string, defaultValue: bigint, summary: string, min = 0n, max = u32Max, only?: SmmuVersion): SettingSpec {
  return { key, value: { kind: 'number', min, max, default: defaultValue }, summary, ...(only ? { only } : {}) };
}

const timing: SettingSpec[] = [
  numberSetting('tlb-hit', 1n, 'Cycles a translation takes when it hits the SMMU TLB.', 1n),
  numberSetting('walk-level', 10n, 'Cycles per page-table level fetched on a TLB miss.', 1n),
  numberSetting('irq-latency', 5n, 'Cycles from a fault being recorded to its interrupt handler starting.', 0n),
  numberSetting('wq-latency', 20n, 'Cycles from work being queued to a worker starting it.', 0n),
  numberSetting('statement', 1n, 'Cycles each handler statement and each kernel step takes (`sleep N` takes N).', 1n),
  numberSetting('dump', 50n, 'Cycles a `dump` statement takes.', 0n),
  numberSetting('tlb-entries', 64n, 'Entries of each SMMU\'s TLB (least recently used is evicted).', 1n, 1_000_000n),
];

const smmu: SettingSpec[] = [
  {
    key: 'version',
    value: { kind: 'enum', values: ['v2', 'v3'], default: 'v2' },
    summary: 'Architecture of the SMMU.',
    detail: 'v2: SMMU-500 family (stream match registers, context banks; what the Adreno GPU sits behind). v3: stream table, context descriptors, event/PRI queues.',
  },
  numberSetting('context-banks', 8n, 'SMMU_IDR1.NUMCB: context banks the SMMU has; one per attached domain.', 1n, 128n, 'v2'),
  {
    key: 'unmatched',
    value: { kind: 'enum', values: ['fault', 'bypass'], default: 'fault' },
    only: 'v2',
    summary: 'sCR0.USFCFG: what a stream that no SMR matches gets.',
    detail: 'fault: the transaction is aborted and sGFSR.USF records it. bypass: it passes untranslated (PA = IOVA).',
  },
  {
    key: 'stall-model',
    value: { kind: 'enum', values: ['stall', 'no-stall', 'force-stall'], default: 'stall' },
    only: 'v3',
    summary: 'SMMU_IDR0.STALL_MODEL [25:24].',
    detail: 'stall (0b00): stall and terminate models both supported. no-stall (0b01): CD.S must be 0; CMD_RESUME and CMD_STALL_TERM are illegal. force-stall (0b10): CD.S must be 1.',
  },
  {
    key: 'pri-handling',
    value: { kind: 'enum', values: ['upstream', 'iopf'], default: 'upstream' },
    only: 'v3',
    summary: 'What the driver does with PCIe page requests in the PRI queue.',
    detail:
      'upstream: what arm-smmu-v3 does in every release: arm_smmu_handle_ppr logs "unexpected PRI request received:" and the request, and answers the group\'s Last with CMD_PRI_RESP PRI_RESP_DENY (Resp 0b00, ResponseFailure); no handler runs. iopf: NOT upstream arm-smmu-v3 — the PRI support proposed for it in 2017–2021 and never merged (what Intel VT-d does upstream): groups go to the IOMMU core\'s iopf path and the domain\'s handler answers them.',
  },
  { ...numberSetting('eventq', 32n, 'Event queue entries (SMMU_EVENTQ_BASE.LOG2SIZE = log2 of this).', 2n, 1n << 19n, 'v3'), value: { kind: 'number', min: 2n, max: 1n << 19n, powerOfTwo: true, default: 32n } },
  { ...numberSetting('priq', 16n, 'PRI queue entries (SMMU_PRIQ_BASE.LOG2SIZE = log2 of this).', 2n, 1n << 19n, 'v3'), value: { kind: 'number', min: 2n, max: 1n << 19n, powerOfTwo: true, default: 16n } },
  numberSetting('ssid-bits', 8n, 'SMMU_IDR1.SSIDSIZE: bits of SubstreamID (PASID) the SMMU supports.', 0n, 20n, 'v3'),
  {
    key: 'base',
    value: { kind: 'number', min: 0n, max: (1n << 48n) - 1n, default: smmuBaseDefault },
    summary: 'The SMMU\'s MMIO base: unless `device` names it, the kernel names the device after it (`base 0x15000000` prints as `arm-smmu 15000000.iommu:`).',
    detail: 'Default: 0x15000000 for the first SMMU, 0x16000000 for the second, and so on.',
  },
  {
    key: 'device',
    value: { kind: 'text', default: smmuDeviceOf(smmuBaseDefault) },
    summary: 'The SMMU\'s device name, dev_name(): every kernel line of the SMMU names it (`device "arm-smmu-v3.0.auto"` prints as `arm-smmu-v3 arm-smmu-v3.0.auto:`).',
    detail:
      'Linux names the SMMU\'s platform device where it finds it. From a device tree: `<unit-address>.<node-name>` (of_device_make_bus_id), `15000000.iommu` for `iommu@15000000`, or `15000000.apps-smmu` for a downstream `apps-smmu@15000000`. From ACPI (IORT): `<driver>.<N>.auto`, `arm-smmu-v3.0.auto` or `arm-smmu.0.auto`, the N that PLATFORM_DEVID_AUTO hands out. Default: the `base` in hex followed by `.iommu`; with both, `device` names the SMMU and `base` stays its MMIO base.',
  },
  {
    key: 'impl',
    value: { kind: 'enum', values: ['arm', 'qcom-adreno'], default: 'arm' },
    only: 'v2',
    summary: "Which arm-smmu implementation drives the SMMU: Arm's generic one, or Qualcomm's for the Adreno GPU's SMMU (arm-smmu-qcom.c) with drm/msm as the GPU driver.",
    detail:
      "arm: arm-smmu.c alone. qcom-adreno: qcom_adreno_smmu_write_sctlr sets SCTLR.HUPCF on every context bank (a domain's `hupcf off` is overridden), the domain's handler is drm/msm's: adreno_fault_handler prints `*** gpu fault: …` before the handler's statements, and the release decides where it runs — before 6.16 in msm's fault worker (the crash dump, then resume_translation), from 6.16 in the threaded context fault IRQ, which turns stall off for 500 ms (stall_reenable_time).",
  },
];

const faultSettings: SettingSpec[] = [
  {
    key: 'fault',
    value: { kind: 'enum', values: ['terminate', 'stall'], default: 'terminate' },
    summary: 'What a faulting transaction does: SCTLR.CFCFG (bit 7) on SMMUv2. Ignored on SMMUv3, where Linux writes CD.S (bit 44) from each master\'s stall_enabled.',
    detail: 'terminate: it ends at once (abort or RAZ/WI, as `report` says). stall: it is held until software answers (RESUME / CMD_RESUME): retry translates it again, terminate ends it.',
  },
  {
    key: 'hupcf',
    value: { kind: 'enum', values: ['on', 'off'], default: 'off' },
    only: 'v2',
    elsewhere: ({ owner }) => `'hupcf' is an SMMUv2 context-bank bit; ${owner} is on an SMMUv3, which has no HUPCF (stalls are per transaction)`,
    summary: 'SCTLR.HUPCF, bit 8: Hit Under Previous Context Fault.',
    detail: 'off (0): while FSR holds a fault, or a transaction is stalled, every later transaction of the context bank is terminated, or stalls behind it, without being translated. on (1): later transactions translate independently; a later faulting one stalls too.',
  },
  {
    key: 'report',
    value: { kind: 'enum', values: ['abort', 'raz'], default: 'abort' },
    summary: 'How a terminated transaction ends: SCTLR.CFRE (bit 5) on SMMUv2, CD.A (bit 46) on SMMUv3.',
    detail: 'abort (CFRE=1 / A=1): an abort goes back to the master. raz (CFRE=0 / A=0): reads return zeros and writes are dropped (RAZ/WI) — the master sees no error.',
  },
  {
    key: 'record',
    value: { kind: 'enum', values: ['on', 'off'], default: 'on' },
    only: 'v3',
    summary: 'CD.R, bit 45: record faults of terminated transactions in the event queue.',
    detail: 'off: a terminated transaction leaves no event record (stall faults are always recorded).',
  },
];

/** dma-iommu's flush queue constants, the same in every modelled release (5.15 iova.h; dma-iommu.c from 5.17): IOVA_FQ_SIZE entries per CPU, IOVA_FQ_TIMEOUT ms. */
export const IOVA_FQ_SIZE = 256n;
export const IOVA_FQ_TIMEOUT_MS = 10n;

const dmaSettings: SettingSpec[] = [
  {
    key: 'dma',
    value: { kind: 'enum', values: ['strict', 'lazy'], default: 'strict' },
    summary: "How dma-iommu invalidates the IOTLB when a buffer is unmapped: iommu.strict=1 (IOMMU_DOMAIN_DMA) or iommu.strict=0 (IOMMU_DOMAIN_DMA_FQ, the lazy flush queue).",
    detail:
      'strict: `unmap` is iommu_unmap — the page table cleared and the TLB invalidated and synced before it returns. lazy: `unmap` is __iommu_dma_unmap in a DMA-FQ domain — the page table cleared, nothing invalidated, the IOVA queued; flush_iotlb_all runs when `flush-timeout` expires or the ring is full, and until then the device can still reach the freed page.',
  },
  {
    ...numberSetting('flush-queue', IOVA_FQ_SIZE, "IOVA_FQ_SIZE: entries of the CPU's flush-queue ring in a `dma lazy` domain; a full ring (N-1 IOVAs waiting) is flushed before the next is queued.", 2n, 1n << 16n),
    value: { kind: 'number', min: 2n, max: 1n << 16n, powerOfTwo: true, default: IOVA_FQ_SIZE },
  },
  numberSetting('flush-timeout', IOVA_FQ_TIMEOUT_MS * BigInt(cyclesPerMillisecond), "IOVA_FQ_TIMEOUT: cycles from queueing into an idle flush queue to fq_timer flushing it in a `dma lazy` domain (10 ms; a cycle is 1 µs).", 1n),
];

/** The largest physical address the machine has (memory/physicalMemory.ts PA_LIMIT is 2^48). */
const paMax = (1n << 48n) - 1n;

/** A size as scenarios write it: `4K` is 0x1000, `32M` 0x200_0000. */
export function sizeValue(text: string): bigint {
  const units: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };
  const unit = units[text.slice(-1)];
  return unit === undefined ? BigInt(text) : BigInt(text.slice(0, -1)) * unit;
}

/** How a `sizes` setting's value reads: `16K` for 0x4000. */
export function sizeText(sizes: readonly string[], value: bigint): string {
  return sizes.find((size) => sizeValue(size) === value) ?? `${value}`;
}

const domain: SettingSpec[] = [
  { key: 'smmu', value: { kind: 'name', of: 'smmu' }, summary: 'The SMMU whose page-table format and context this domain uses (may be left out when there is one SMMU).' },
  {
    key: 'granule',
    value: { kind: 'number', min: 0x1000n, max: 0x1_0000n, sizes: ['4K', '16K', '64K'], default: 0x1000n },
    summary: "Translation granule of the domain's stage-1 table: TCR.TG0 on SMMUv2, CD.TG0 on SMMUv3 (io-pgtable-arm's ARM_64_LPAE_S1 with a 4K, 16K or 64K page).",
    detail:
      '4K: 9 index bits a level, leaves of 4K, 2M (L2) and 1G (L1). 16K: 11 bits, leaves of 16K and 32M (L2). 64K: 13 bits, leaves of 64K and 512M (L2) — io-pgtable-arm\'s pgsize_bitmap for each (Arm ARM D8.2.8–D8.2.10). Maps, unmaps and `pages` are in multiples of the granule; ias 25..48 with every granule (T0SZ 16..39).',
  },
  numberSetting('ias', 48n, 'Input address size in bits: the IOVA space (TCR.T0SZ = 64 - ias). Levels walked = ceil((ias - page bits) / index bits): ceil((ias - 12) / 9) with 4K, (ias - 14) / 11 with 16K, (ias - 16) / 13 with 64K.', 25n, 48n),
  numberSetting('oas', 40n, 'Output address size in bits: the physical address space (TCR.IPS).', 32n, 48n),
  {
    key: 'pgd',
    value: { kind: 'number', min: 0n, max: paMax },
    summary: "Physical address of the domain's top-level page table (io-pgtable's pgd): TTBR0.BADDR on SMMUv2, CD.TTB0 on SMMUv3.",
    detail:
      "Left out, it is the first page the table pool hands out (from 0x40000000 up, stepping over mapped PAs). Real logs print it — drm/msm's `*** gpu fault: ttbr0=00000001e7d67000 …` — so a reproduction can put the table where the log says: a 4 KiB aligned page below 2^oas that no domain maps and no other domain's pgd is. The domain's lower-level tables still come from the pool, which never hands out a pgd page.",
  },
  ...faultSettings,
  {
    key: 'ttbr1',
    value: { kind: 'enum', values: ['off', 'on'], default: 'off' },
    only: 'v2',
    elsewhere: ({ owner }) =>
      `'ttbr1' is io-pgtable's IO_PGTABLE_QUIRK_ARM_TTBR1, which arm-smmu (SMMUv2, Adreno's set_ttbr0_cfg) uses; ${owner} is on an SMMUv3, whose arm-smmu-v3 driver has no TTBR1 quirk (its CDs carry TTB0 only)`,
    summary: 'TCR.EPD1=0: addresses in the top 2^ias bytes (T1SZ = 64 - ias, sign-extended as io-pgtable\'s TTBR1 quirk makes them) walk a second table, TTBR1.',
    detail:
      "on: the domain owns two tables — TTBR0 (its default, which `pagetable`s replace per submit) and TTBR1 (global buffers: its maps with IOVAs from 2^64 - 2^ias up). Arm ARM D8.2.4: VA bit 55 selects the TTBR; an address in neither range is a level 0 Translation fault. off: TTBR1 walks disabled (EPD1=1), as arm-smmu programs every other domain.",
  },
  {
    key: 's1cbndx',
    value: { kind: 'number', min: 0n, max: 255n },
    only: 'v2',
    elsewhere: ({ owner }) => `'s1cbndx' is SMMUv2's FSYNR0.S1CBNDX; ${owner} is on an SMMUv3, which reports faults as event records (no FSYNR0)`,
    summary: 'FSYNR0.S1CBNDX [23:16]: the stage-1 context bank index the context bank reports with every fault it records.',
    detail:
      "Left out, it is the bank's own index. The architecture defines S1CBNDX for a fault in a nested (stage 1 + stage 2) translation; for a plain stage-1 bank what it reads is the implementation's, and real MMU-500s report values that are not the bank's index (`fsynr=0x7c0020 … cb=7`: S1CBNDX=124). Set it to reproduce such a log: the register, the `Unhandled context fault:` line's fsynr= and the `FSYNR0 = … [S1CBNDX=…]` decode carry it.",
  },
  ...dmaSettings,
  ...stage2Settings(),
];

/**
 * Stage 2 and nesting (docs/scenario-language.md, "Stage 2", "Nesting"): a stage-2 domain
 * translates IPAs to PAs for a VM; a nested domain is the guest's stage 1 on top of one.
 */
function stage2Settings(): SettingSpec[] {
  return [
    {
      key: 'stage',
      value: { kind: 'number', min: 1n, max: 2n, default: 1n },
      summary: "The translation stage the domain's table is: 1 (IOVA → PA, or the guest's IOVA → IPA when nested) or 2 (IPA → PA, a VM's address space).",
      detail:
        "2: io-pgtable-arm's ARM_64_LPAE_S2 — S2AP[7:6] for read/write, no AP[1] (`priv` means nothing), XN, MemAttr[5:2]; VTCR describes it (ias → T0SZ, oas → PS, the granule → TG0, SL0 the start level). SMMUv2: a context bank with CBAR.TYPE=0b00 (stage 2 only) and a VMID. SMMUv3: STE.Config=0b110 with STE.S2TTB, S2VMID and the VTCR fields (Arm SMMUv3 5.2); iommufd's IOMMU_HWPT_ALLOC with IOMMU_HWPT_ALLOC_NEST_PARENT makes one as the parent of nested domains.",
    },
    {
      key: 'vmid',
      value: { kind: 'number', min: 0n, max: 0xffffn },
      summary: 'The VMID that tags the stage-2 domain\'s TLB entries: CBAR.VMID on SMMUv2 (8 bits, 0..255), STE.S2VMID on SMMUv3 (16 bits).',
      detail:
        "Left out, it is decided at attach as Linux does: arm-smmu (SMMUv2) gives cbndx + 1 (arm_smmu_init_context_bank: cfg->vmid = cfg->cbndx + 1), arm-smmu-v3 the lowest free VMID from 1 (ida_alloc_range(&smmu->vmid_map, 1, …) in arm_smmu_domain_finalise_s2). Two stage-2 domains of one SMMU cannot share a VMID: their TLB entries would hit each other's.",
    },
    {
      key: 'nested',
      value: { kind: 'name', of: 'domain' },
      stage2Name: true,
      only: 'v3',
      elsewhere: ({ owner }) =>
        `'nested' is SMMUv3 nesting (STE.Config=0b111); ${owner} is on an SMMUv2: the model nests on SMMUv3 only (arm-smmu has no nested domains; a v2 nested context bank pairs a CBAR.TYPE=0b11 bank with a stage-2 bank, which Linux never programs)`,
      summary: "`nested S2DOMAIN`: this domain is a guest's stage 1 (IOVA → IPA) on top of a stage-2 domain (IPA → PA): STE.Config=0b111, iommufd's IOMMU_HWPT_ALLOC of an IOMMU_HWPT_DATA_ARM_SMMUV3 nested domain whose parent is S2DOMAIN.",
      detail:
        "Every stage-1 table and CD fetch is translated through stage 2 first (Arm SMMUv3 3.3.2): a stage-2 fault during the walk is an event with S2=1 and CLASS=TT (a table) or CLASS=CD (the CD), on the output CLASS=IN, each with the IPA. Its maps are IOVA → IPA; `cd at` and `tables at` place the guest's structures in IPA space. arm-smmu-v3 nested domains are Linux 6.13 and later.",
    },
    {
      key: 'cd',
      value: { kind: 'number', min: 0n, max: paMax },
      preposition: 'at',
      only: 'v3',
      summary: "`cd at IPA`: where the guest put the stream's CD (table) in its IPA space: the guest STE's S1ContextPtr, which the SMMU translates through stage 2 (a stage-2 fault there is CLASS=CD).",
      detail:
        'Aligned to the CD table: 64 bytes × 2^S1CDMax (a linear table is aligned to its size, Arm SMMUv3 5.2 S1Fmt). Left out, the first page the stage-2 domain maps (emulator/scenario/guestPlacement.ts).',
    },
    {
      key: 'tables',
      value: { kind: 'number', min: 0n, max: paMax },
      preposition: 'at',
      only: 'v3',
      summary: "`tables at IPA`: where the guest put its stage-1 top-level table in its IPA space (CD.TTB0); the further tables follow above it.",
      detail:
        "Aligned to the top-level table's size for the domain's granule and ias (a 4 KiB page with a 4K granule). Left out, the page after the CD, aligned (emulator/scenario/guestPlacement.ts). A stage-2 fault on a table fetch is CLASS=TT.",
    },
    {
      key: 'vm',
      value: { kind: 'name', of: 'vm' },
      only: 'v3',
      summary: "`vm NAME`: the VM that owns this nested domain — its faults go to that VM's VMM through iommufd's fault queue, and on to the guest.",
      detail: 'Left out, the vm whose `stage2` is this domain\'s `nested` target, when exactly one is.',
    },
  ];
}

const master: SettingSpec[] = [
  { key: 'smmu', value: { kind: 'name', of: 'smmu' }, summary: 'The SMMU the master sits behind (may be left out when there is one SMMU).' },
  { key: 'domain', value: { kind: 'name', of: 'domain' }, summary: 'Domain attached at start (iommu_attach_device).' },
  { key: 'can-stall', value: { kind: 'flag' }, summary: 'The device tolerates stalls (DT `dma-can-stall`): Linux stalls it (master->stall_enabled) where stalls are optional, on an SMMUv2 or STALL_MODEL stall; force-stall stalls every master, no-stall none. A stall domain cannot be attached to a master that does not stall.' },
  {
    key: 'pri',
    value: { kind: 'flag' },
    only: 'v3',
    elsewhere: ({ smmu }) => (smmu === undefined ? undefined : `PRI is PCIe ATS page requests into an SMMUv3 PRI queue; smmu '${smmu}' is an SMMUv2`),
    summary: 'PCIe ATS + PRI capable: a failed ATS translation makes the device send page requests.',
  },
];

const engine: SettingSpec[] = [
  numberSetting('start', 0n, 'Cycle of the first issue.'),
  numberSetting('interval', 1n, 'Cycles between two issues.'),
  numberSetting('outstanding', 4n, 'Transactions in flight before the engine waits for one to end.', 1n, 4096n),
];

const workqueue: SettingSpec[] = [
  numberSetting('workers', 1n, 'Worker threads that run its work items.', 1n, 64n),
  {
    key: 'order',
    value: { kind: 'enum', values: ['unbound', 'ordered'], default: 'unbound' },
    summary: 'How its work items run.',
    detail: 'unbound: up to `workers` at once, so they may finish in any order (alloc_workqueue(WQ_UNBOUND)). ordered: one at a time, in queueing order (alloc_ordered_workqueue).',
  },
];

const handler: SettingSpec[] = [
  {
    key: 'context',
    value: { kind: 'enum', values: ['irq', 'thread', 'workqueue'], default: 'workqueue' },
    summary: 'Where the fault handler runs.',
    detail: 'irq: inline in the hard IRQ (must not sleep, dump or map). thread: in the threaded IRQ handler. workqueue: queued as work (`queue` names the workqueue; default `iopf`); FSR is cleared at once and the response comes when the work answers.',
  },
  { key: 'queue', value: { kind: 'name', of: 'workqueue', default: 'iopf' }, summary: 'The workqueue a `context workqueue` handler runs on [iopf].' },
];

const pagetable: SettingSpec[] = [
  {
    key: 'asid',
    value: { kind: 'number', min: 0n, max: 0xffffn },
    summary: 'The ASID the CP writes into TTBR0[63:48] with this table (CP_SMMU_TABLE_UPDATE): TLB entries are tagged by it.',
    detail:
      "Left out, a fresh one per pagetable, counting from 1 in file order (msm gives each pagetable its own); the domain's default TTBR0 table keeps the ASID arm-smmu gave the context bank (its index). Two pagetables with the same `asid` share TLB entries: a submit switched to one without a TLB invalidation hits what the other cached (a reused ASID).",
  },
];

const vfio: SettingSpec[] = [
  { key: 'smmu', value: { kind: 'name', of: 'smmu' }, summary: 'The SMMU of the container\'s first domain (may be left out when there is one SMMU).' },
  ...faultSettings,
];

/** A VM: its IPA space and what iommufd hands its VMM (docs/scenario-language.md, "vm"). */
const vm: SettingSpec[] = [
  {
    key: 'stage2',
    value: { kind: 'name', of: 'domain' },
    stage2Name: true,
    summary: "The VM's IPA space: a `stage 2` domain (iommufd's HWPT_PAGING allocated with IOMMU_HWPT_ALLOC_NEST_PARENT; on SMMUv3 the vSMMU's S2 parent, STE.Config=0b110/0b111's S2 fields).",
  },
  {
    key: 'fault-queue',
    value: { kind: 'enum', values: ['off', 'on'], default: 'off' },
    summary: "IOMMU_FAULT_QUEUE_ALLOC: an iommufd fault object for the VM's nested domains (IOMMU_HWPT_FAULT_ID_VALID) — their recoverable stage-1 faults go to the VMM.",
    detail:
      "on: iommufd_fault_iopf_handler queues each fault group on the fault object; the VMM reads a struct iommu_hwpt_pgfault, injects the event into the guest's virtual SMMU, and answers with struct iommu_hwpt_page_response {cookie, code}; the host then sends CMD_RESUME. Linux 6.11 and later. off: no fault object; a stall of a nested domain has no handler to reach. Stage-2 faults are always the host's.",
  },
  {
    key: 'veventq',
    value: { kind: 'number', min: 1n, max: 1n << 19n, powerOfTwo: true, default: 64n },
    summary: "IOMMU_VEVENTQ_ALLOC's veventq_depth: events the vEVENTQ holds before it overflows (non-recoverable stage-1 events for the guest; a power of two).",
    detail:
      'Full, the next event is lost and the VMM reads an IOMMU_VEVENTQ_FLAG_LOST_EVENTS header before the next one it gets. Linux 6.15 and later (IOMMUFD_OBJ_VEVENTQ).',
  },
];

export const blockSettings: Readonly<Record<BlockKind, readonly SettingSpec[]>> = {
  timing,
  smmu,
  domain,
  master,
  engine,
  workqueue,
  handler,
  pagetable,
  vfio,
  vm,
};

export function settingSpec(block: BlockKind, key: string): SettingSpec | undefined {
  return blockSettings[block].find((s) => s.key === key);
}

/** The words a `map` takes after its size, and what io-pgtable-arm makes of them. */
export const mapPermissions: Readonly<Record<string, string>> = {
  r: 'IOMMU_READ',
  w: 'IOMMU_WRITE',
  x: 'executable (no IOMMU_NOEXEC; the default)',
  noexec: 'IOMMU_NOEXEC: XN (bits 54:53) set, instruction fetches take a permission fault',
  priv: 'IOMMU_PRIV: AP[1]=0, unprivileged accesses take a permission fault',
  noaf: 'AF=0: the first access takes an access-flag fault',
  cached: 'IOMMU_CACHE: AttrIndx 1 (write-back cacheable), inner shareable (the default)',
  noncached: 'no IOMMU_CACHE: AttrIndx 0 (non-cacheable), outer shareable',
  device: 'IOMMU_MMIO: AttrIndx 2 (device memory), outer shareable',
};

/** Transaction statuses, as `expect NAME STATUS` and the CLI's JSON name them. */
export const transactionStatuses = ['completed', 'aborted', 'raz', 'stalled', 'pending'] as const;
export type TransactionStatus = (typeof transactionStatuses)[number];

export const transactionStatusDocs: Readonly<Record<TransactionStatus, string>> = {
  completed: 'the transaction translated and completed',
  aborted: 'it ended with an abort to the master',
  raz: 'it was terminated as RAZ/WI (a read returned zeros, a write was dropped)',
  stalled: 'it was still stalled when the run ended',
  pending: 'it was still in flight when the run stopped (`--until`)',
};

/** Counters `expect` can compare, and the CLI's JSON reports. */
export const counterNames = [
  'transactions',
  'faults',
  'completed',
  'aborted',
  'raz',
  'stalled',
  'retried',
  'dumps',
  'events',
  'dropped-events',
  'page-requests',
  'stale-accesses',
  'forwarded',
  'lost-vevents',
] as const;
export type CounterName = (typeof counterNames)[number];

export const counterDocs: Readonly<Record<CounterName, string>> = {
  transactions: 'transactions issued',
  faults: 'faults recorded (each translation that faulted, including repeats after a retry)',
  completed: 'transactions that completed',
  aborted: 'transactions that ended with an abort to the master',
  raz: 'transactions terminated as RAZ/WI (reads returned zeros, writes dropped)',
  stalled: 'transactions still stalled when the run ended',
  retried: 'stalled transactions resumed with retry',
  dumps: 'crash dumps taken',
  events: 'SMMUv3 event records written to the event queue',
  'dropped-events': 'SMMUv3 event records dropped because the event queue was full',
  'page-requests': 'PRI page requests received',
  'stale-accesses': 'transactions a stale TLB entry translated to a page Linux had unmapped and not yet flushed (use-after-unmap)',
  forwarded: "fault groups of a guest's nested domain the host handed to its VMM through iommufd's fault queue",
  'lost-vevents': "guest events a full vEVENTQ lost (the VMM's next read starts with IOMMU_VEVENTQ_FLAG_LOST_EVENTS)",
};

/** What a handler condition, a log hole or a breakpoint condition can read of the fault being handled. */
export const faultFields: Readonly<Record<string, string>> = {
  iova: 'the faulting input address (FAR on SMMUv2, InputAddr on SMMUv3)',
  pa: 'the physical address the transaction translated to, when it did',
  sid: 'StreamID of the faulting transaction (CBFRSYNRA on SMMUv2)',
  ssid: 'SubstreamID (PASID) of the faulting transaction, 0 without one',
  pasid: 'same as ssid',
  kind: 'translation, permission, access-flag or address-size (also F_TRANSLATION … on SMMUv3)',
  level: 'page-table level the walk stopped at (FSYNR0.PLVL)',
  write: 'the transaction was a write (FSYNR0.WNR, or RnW = 0)',
  read: 'the transaction was a read',
  exec: 'the transaction was an instruction fetch (FSYNR0.IND / InD)',
  priv: 'the transaction was privileged (FSYNR0.PNU = 1 on SMMUv2, PnU = 1 in an SMMUv3 event)',
  stalled: 'the transaction is stalled, waiting for a response (FSR.SS / Stall)',
  engine: 'the engine that issued the transaction (compare with master.engine)',
  master: 'the master that issued the transaction',
  domain: 'the domain the fault happened in',
  fsr: 'the context bank\'s Fault Status Register as read by the fault handler (SMMUv2)',
  far: 'the context bank\'s Fault Address Register (SMMUv2)',
  fsynr0: 'the context bank\'s Fault Syndrome Register 0 (SMMUv2)',
  stag: 'the stall tag of a stalled SMMUv3 transaction',
  prgi: 'the PRI page request group index',
};

/** Symbols that a fault's `kind` compares with. */
export const faultKinds = ['translation', 'permission', 'access-flag', 'address-size'] as const;
export type FaultKind = (typeof faultKinds)[number];
/** A translation fault, as opposed to a global fault or configuration error (machine/state.ts GlobalFaultKind). */
export function isFaultKind(kind: string): kind is FaultKind {
  return (faultKinds as readonly string[]).includes(kind);
}
export const faultKindEventNames: Readonly<Record<FaultKind, string>> = {
  translation: 'F_TRANSLATION',
  permission: 'F_PERMISSION',
  'access-flag': 'F_ACCESS',
  'address-size': 'F_ADDR_SIZE',
};
