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
import { encodeSte, SteFields } from './ste';

/** SMMU_STRTAB_BASE_CFG.SPLIT: a level-2 table of 2^6 STEs is one 4 KiB page. */
export const STRTAB_SPLIT = 6;
export const STE_BYTES = 64;
export const CD_BYTES = 64;
const CMDQ_LOG2SIZE = 8;

export interface Builder {
  memory: PhysicalMemory;
  allocator: TableAllocator;
  tables: readonly IoPgtable[];
}

function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE_SIZE));
}

function writeDwords(memory: PhysicalMemory, pa: number, dwords: readonly bigint[]): void {
  dwords.forEach((dword, i) => memory.writeU64(pa + 8 * i, dword));
}

function bitLength(value: number): number {
  return value === 0 ? 0 : Math.floor(Math.log2(value)) + 1;
}

/** Where the STE of `sid` lives: through its level-1 descriptor (Span, L2Ptr) into the level-2 table. */
export function steAddress(memory: PhysicalMemory, smmu: Pick<SmmuV3State, 'strtabBase' | 'sidBits'>, sid: number): number | 'beyond' | 'no-l2' {
  if (sid >= 2 ** smmu.sidBits) return 'beyond';
  const l1 = memory.readU64(smmu.strtabBase + 8 * Math.floor(sid / 2 ** STRTAB_SPLIT));
  const span = Number(l1 & 0x1fn);
  if (span === 0) return 'no-l2';
  const l2 = Number(l1 & 0x000f_ffff_ffff_ffc0n);
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
  const asids = new Map<number, number>();
  const asidOf = (domain: number): number => {
    const known = asids.get(domain);
    if (known !== undefined) return known;
    asids.set(domain, asids.size + 1);
    return asids.size;
  };
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
      const cdTable = allocator.allocateContiguous(pagesFor(CD_BYTES * 2 ** cdMax));
      const stalls = stallEnabled(master.canStall, smmu.stallModel);
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
        writeDwords(memory, cdTable + ssid * CD_BYTES, encodeCd(cd));
        return { ssid, domain, asid };
      });
      // Linux sets S1STALLD for a master that cannot stall on an SMMU whose stalls are optional.
      const stalld = smmu.stallModel === 'stall' && !stalls;
      writeDwords(memory, ste, encodeSte(steFields('s1', BigInt(cdTable), cdMax, stalld, master.pri)));
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
  };
}

function steFields(config: SteFields['config'], cdTable: bigint, cdMax: number, stalld: boolean, ats: boolean): SteFields {
  return { valid: true, config, s1Fmt: 0, s1ContextPtr: cdTable, s1CdMax: cdMax, s1Dss: 'ssid0', s1Stalld: stalld, eats: ats ? 1 : 0, strw: 0 };
}
