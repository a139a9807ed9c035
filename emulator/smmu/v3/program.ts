import { Attachment } from '../../machine/attachments';
import { SmmuV3State, StreamTableEntryState } from './v3State';
import { PhysicalMemory } from '../../memory/physicalMemory';
import { IoPgtable } from '../../pgtable/ioPgtable';
import { TableAllocator } from '../../pgtable/tableAllocator';
import { stallEnabled } from '../../scenario/attach';
import { ScenarioModel } from '../../scenario/model';
import { PAGE_SIZE } from '../../util/u64';
import { encodeCd, linuxS1Cd } from './cd';
import { newQueue } from './queue';
import { encodeSte, NO_STAGE2, SteFields, SteStage2Fields } from './ste';
import { Guest } from '../../machine/addressSpaces';
import { DomainModel } from '../../scenario/model';
import { hasChange } from '../../kernel/versions';
import { stage2Vtcr } from '../../pgtable/stage2Geometry';

/** SMMU_STRTAB_BASE_CFG.SPLIT: a level-2 table of 2^6 STEs is one 4 KiB page. */
export const STRTAB_SPLIT = 6;
export const STE_BYTES = 64;
export const CD_BYTES = 64;
const CMDQ_LOG2SIZE = 8;

export interface Builder {
  memory: PhysicalMemory;
  allocator: TableAllocator;
  tables: readonly IoPgtable[];
  /** Per domain: a nested domain's guest, which writes its CD through stage 2. */
  guests: readonly (Guest | undefined)[];
}

/**
 * The VMID of each stage-2 domain of an SMMUv3: `vmid` as written, else the lowest free
 * from 1 in declaration order (arm_smmu_domain_finalise_s2: ida_alloc_range from 1).
 */
export function v3Vmids(model: ScenarioModel, smmu: number): Map<number, number> {
  const stage2 = model.domains.map((domain, index) => ({ domain, index })).filter(({ domain }) => domain.smmu === smmu && domain.stage === 2);
  const taken = new Set(stage2.flatMap(({ domain }) => (domain.vmid === undefined ? [] : [domain.vmid])));
  const vmids = new Map<number, number>();
  let next = 1;
  for (const { domain, index } of stage2) {
    if (domain.vmid !== undefined) {
      vmids.set(index, domain.vmid);
      continue;
    }
    while (taken.has(next)) next++;
    taken.add(next);
    vmids.set(index, next);
  }
  return vmids;
}

/**
 * An STE's stage-2 half as arm_smmu_make_s2_domain_ste writes it: the VTCR fields of
 * io-pgtable's ARM_64_LPAE_S2 table (coherent walks), the VMID, S2AA64, S2PTW, S2R, S2S for
 * a master that stalls, and S2TTB.
 */
function linuxS2Fields(model: ScenarioModel, domain: DomainModel, table: IoPgtable, vmid: number, stall: boolean): SteStage2Fields {
  const concatenation = hasChange(model.kernel, 'stage2ConcatMandatory') ? 'mandatory' : 'level0';
  const vtcr = stage2Vtcr(domain.ias, domain.oas, domain.granule, { coherent: true, concatenation });
  return { vmid, t0sz: vtcr.t0sz, sl0: vtcr.sl0, ir0: vtcr.irgn0, or0: vtcr.orgn0, sh0: vtcr.sh0, tg: vtcr.tg0, ps: vtcr.ps, aa64: true, affd: false, ptw: true, stall, record: true, ttb: BigInt(table.root) };
}

function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE_SIZE));
}

function writeDwords(memory: Pick<PhysicalMemory, 'writeU64'>, pa: number, dwords: readonly bigint[]): void {
  dwords.forEach((dword, i) => memory.writeU64(pa + 8 * i, dword));
}

function bitLength(value: number): number {
  return value === 0 ? 0 : Math.floor(Math.log2(value)) + 1;
}

/** Where the STE of `sid` lives: through its level-1 descriptor (Span, L2Ptr) into the level-2 table. */
export function steAddress(memory: PhysicalMemory, smmu: Pick<SmmuV3State, 'strtabBase' | 'sidBits'>, sid: number): number | 'beyond' | 'no-l2' {
  if (sid >= 2 ** smmu.sidBits) return 'beyond';
  // The descriptor in its two 32-bit halves, as numbers: every transaction reads it.
  const l1 = smmu.strtabBase + 8 * Math.floor(sid / 2 ** STRTAB_SPLIT);
  const lo = memory.readLo(l1);
  const span = lo & 0x1f; // Span [4:0]
  if (span === 0) return 'no-l2';
  const l2 = (memory.readHi(l1) & 0xf_ffff) * 2 ** 32 + ((lo & 0xffff_ffc0) >>> 0); // L2Ptr [51:6]
  return l2 + (sid % 2 ** STRTAB_SPLIT) * STE_BYTES;
}

/**
 * The SMMUv3 as Linux sets it up at probe and attach: event, PRI and command queues; a
 * two-level stream table; per attached stream an STE pointing at a CD table whose CD 0 is
 * the master's domain and CD n the domain bound at PASID n (ASIDs from 1, one a domain).
 */
export function programSmmuV3(builder: Builder, model: ScenarioModel, smmuIndex: number, attachments: readonly Attachment[]): SmmuV3State {
  const { memory, allocator } = builder;
  const smmu = model.smmus[smmuIndex];
  if (!smmu) throw new Error(`no SMMU ${smmuIndex}`);
  const queue = (entries: number, bytes: number) => newQueue(allocator.allocateContiguous(pagesFor(entries * bytes)), Math.log2(entries), bytes);
  const masters = model.masters.map((master, index) => ({ master, index })).filter(({ master }) => master.smmu === smmuIndex);
  const maxSid = Math.max(0, ...masters.flatMap(({ master }) => master.streams.map((s) => s.id)));
  const sidBits = Math.max(STRTAB_SPLIT, bitLength(maxSid));
  const strtabBase = allocator.allocateContiguous(pagesFor(8 * 2 ** (sidBits - STRTAB_SPLIT)));
  // ASIDs from 1: the host's for its stage-1 domains, and each guest's own for its nested domains.
  const asids = new Map<string, Map<number, number>>();
  const asidOf = (domain: number): number => {
    const space = String(model.domains[domain]?.nested ?? 'host');
    const known = asids.get(space) ?? new Map<number, number>();
    asids.set(space, known);
    const asid = known.get(domain) ?? known.size + 1;
    known.set(domain, asid);
    return asid;
  };
  const vmids = v3Vmids(model, smmuIndex);
  const l2Tables = new Map<number, number>();
  const steSlot = (sid: number): number => {
    const group = Math.floor(sid / 2 ** STRTAB_SPLIT);
    let l2 = l2Tables.get(group);
    if (l2 === undefined) {
      l2 = allocator.allocate();
      l2Tables.set(group, l2);
      memory.writeU64(strtabBase + 8 * group, BigInt(l2) | BigInt(STRTAB_SPLIT + 1));
    }
    return l2 + (sid % 2 ** STRTAB_SPLIT) * STE_BYTES;
  };
  const streams: StreamTableEntryState[] = [];
  for (const { master, index } of masters) {
    const attachment = attachments.find((a) => a.master === index && a.attached);
    // CD 0 is the master's own domain (S1DSS=SSID0): PASID 0 is Linux's IOMMU_NO_PASID, which
    // no binding takes (the checker refuses `pasid 0 -> …`, error pasid-zero).
    const bound = master.pasids.map((p) => ({ ssid: p.pasid, domain: p.domain }));
    const bindings = attachment ? [{ ssid: 0, domain: attachment.domain }, ...bound] : [];
    const cdMax = master.pasids.length > 0 ? smmu.ssidBits : 0;
    for (const stream of master.streams) {
      const ste = steSlot(stream.id);
      if (!attachment) {
        // No domain: Linux installs an abort STE (disable_bypass).
        writeDwords(memory, ste, encodeSte(steFields('abort', 0n, 0, false, false)));
        streams.push({ sid: stream.id, master: index, ste, cdTable: undefined, cds: [] });
        continue;
      }
      const stalls = stallEnabled(master.canStall, smmu.stallModel);
      // Linux sets S1STALLD for a master that cannot stall on an SMMU whose stalls are optional.
      const stalld = smmu.stallModel === 'stall' && !stalls;
      const attached = model.domains[attachment.domain];
      if (attached?.stage === 2) {
        // A stage-2 domain: Config 0b110, no CD table (arm_smmu_make_s2_domain_ste).
        const table = builder.tables[attachment.domain];
        if (!table) throw new Error(`no table for domain ${attached.name}`);
        const s2 = linuxS2Fields(model, attached, table, vmids.get(attachment.domain) ?? 0, stalls);
        writeDwords(memory, ste, encodeSte({ ...steFields('s2', 0n, 0, false, master.pri), s1Dss: 'terminate', s2 }));
        streams.push({ sid: stream.id, master: index, ste, cdTable: undefined, cds: [] });
        continue;
      }
      const guest = attached?.nested === undefined ? undefined : builder.guests[attachment.domain];
      // A nested domain's CD table is the guest's, at `cd at` in its IPA space, written through stage 2.
      const cdTable = guest ? Number(attached?.cdAt ?? 0n) : allocator.allocateContiguous(pagesFor(CD_BYTES * 2 ** cdMax));
      const cdMemory = guest ? guest.view : memory;
      const cds = bindings.map(({ ssid, domain }) => {
        const d = model.domains[domain];
        const table = builder.tables[domain];
        if (!d || !table) throw new Error(`no domain ${domain}`);
        const asid = asidOf(domain);
        // CD.S is master->stall_enabled, whatever the domain says: from 6.10 arm_smmu_make_s1_cd
        // writes it per master; before, the domain's stall_enabled was its first master's and a
        // master that differed was refused (scenario/attach.ts), so every master attached has
        // its own value there too. Under STALL_FORCE every master stalls.
        const cd = linuxS1Cd({ ias: d.ias, oas: d.oas, tg0: d.granule.tg0, ttb0: BigInt(table.root), asid, stall: stalls, record: d.record, abort: d.abortOnTerminate });
        writeDwords(cdMemory, cdTable + ssid * CD_BYTES, encodeCd(cd));
        return { ssid, domain, asid };
      });
      const stage2Domain = attached?.nested === undefined ? undefined : model.domains[attached.nested];
      const stage2Table = attached?.nested === undefined ? undefined : builder.tables[attached.nested];
      if (attached?.nested !== undefined && stage2Domain && stage2Table) {
        // arm_smmu_make_nested_cd_table_ste: the guest's vSTE S1 fields over the stage-2 domain's STE, Config 0b111, MEV.
        const s2 = linuxS2Fields(model, stage2Domain, stage2Table, vmids.get(attached.nested) ?? 0, stalls);
        writeDwords(memory, ste, encodeSte({ ...steFields('nested', BigInt(cdTable), cdMax, stalld, master.pri), mev: true, s2 }));
      } else {
        writeDwords(memory, ste, encodeSte(steFields('s1', BigInt(cdTable), cdMax, stalld, master.pri)));
      }
      streams.push({ sid: stream.id, master: index, ste, cdTable, cds });
    }
  }
  return {
    version: 'v3',
    strtabBase,
    sidBits,
    streams,
    eventq: queue(smmu.eventqEntries, 32),
    priq: queue(smmu.priqEntries, 16),
    cmdq: queue(2 ** CMDQ_LOG2SIZE, 16),
    stalls: [],
    nextStag: 0,
    waitingRecords: [],
    evtqIrqActive: false,
    priqIrqActive: false,
    prgWaits: [],
    openPrgs: [],
    nextPrgi: model.masters.map(() => 0),
    tlbContexts: new Map(),
  };
}

function steFields(config: SteFields['config'], cdTable: bigint, cdMax: number, stalld: boolean, ats: boolean): SteFields {
  return { valid: true, config, s1Fmt: 0, s1ContextPtr: cdTable, s1CdMax: cdMax, s1Dss: 'ssid0', s1Stalld: stalld, eats: ats ? 1 : 0, strw: 0, mev: false, s2: NO_STAGE2 };
}
