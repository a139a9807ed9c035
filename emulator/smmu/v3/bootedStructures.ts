import { Machine } from '../../machine/machine';
import { PhysicalMemory } from '../../memory/physicalMemory';
import { SmmuV3State } from './v3State';
import { ScenarioModel } from '../../scenario/model';
import { describeCd } from './cd';
import { CD_BYTES, STE_BYTES, steAddress } from './program';
import { DecodedField, describeSte } from './ste';
import { v3StateOf } from '../smmuState';

/** One structure as it sits in emulated memory: where, its dwords, and each field decoded. */
export interface StructureView {
  address: number;
  dwords: bigint[];
  fields: DecodedField[];
}

/** A CD in use: the SSID it sits at in a stream's CD table, the domain whose table it names, its ASID. */
export interface CdView {
  sid: number;
  master: string;
  ssid: number;
  domain: string;
  asid: number;
  cd: StructureView;
}

export interface StreamView {
  sid: number;
  master: string;
  ste: StructureView;
  cds: CdView[];
}

/** The queues and tables an SMMUv3 was given at probe. */
export interface SmmuV3Setup {
  strtabBase: number;
  sidBits: number;
  eventq: { base: number; log2size: number };
  priq: { base: number; log2size: number };
  cmdq: { base: number; log2size: number };
}

const DWORDS = STE_BYTES / 8;

/**
 * The SMMUv3 structures Linux writes at probe and attach, read back from the memory of a
 * machine that has booted and not run: the same code writes them for a run (programSmmuV3),
 * and the codecs the debugger uses decode them.
 */
export class V3Structures {
  private constructor(private readonly machine: Machine) {}

  /** Boots a machine for the model; undefined if the model cannot be built (the run would fail the same way). */
  static boot(model: ScenarioModel): V3Structures | undefined {
    if (!model.smmus.some((s) => s.version === 'v3')) return undefined;
    try {
      return new V3Structures(new Machine(model));
    } catch {
      return undefined;
    }
  }

  get model(): ScenarioModel {
    return this.machine.model;
  }

  private v3(smmu: number): SmmuV3State | undefined {
    return v3StateOf(this.machine.state, smmu);
  }

  /** A structure at `address`: a PA, or for a nested domain's CD an IPA read through its guest's stage 2. */
  private read(address: number, describe: (dwords: readonly bigint[]) => DecodedField[], memory: Pick<PhysicalMemory, 'readU64'> = this.machine.runtime.memory): StructureView {
    const dwords = Array.from({ length: DWORDS }, (_, i) => memory.readU64(address + 8 * i));
    return { address, dwords, fields: describe(dwords) };
  }

  smmuIndex(name: string): number | undefined {
    const index = this.model.smmus.findIndex((s) => s.name === name);
    return index < 0 || !this.v3(index) ? undefined : index;
  }

  setup(smmu: number): SmmuV3Setup | undefined {
    const v3 = this.v3(smmu);
    if (!v3) return undefined;
    const queue = (q: SmmuV3State['eventq']) => ({ base: q.base, log2size: q.log2size });
    return { strtabBase: v3.strtabBase, sidBits: v3.sidBits, eventq: queue(v3.eventq), priq: queue(v3.priq), cmdq: queue(v3.cmdq) };
  }

  /** Every stream of every SMMUv3, with its STE and the CDs in use. */
  streams(): StreamView[] {
    return this.model.smmus.flatMap((_, smmu) => {
      const v3 = this.v3(smmu);
      if (!v3) return [];
      return v3.streams.flatMap((entry): StreamView[] => {
        const at = steAddress(this.machine.runtime.memory, v3, entry.sid);
        if (typeof at !== 'number') return [];
        const master = this.model.masters[entry.master]?.name ?? '?';
        const cds = entry.cds.map((c) => ({
          sid: entry.sid,
          master,
          ssid: c.ssid,
          domain: this.model.domains[c.domain]?.name ?? '?',
          asid: c.asid,
          cd: this.read((entry.cdTable ?? 0) + c.ssid * CD_BYTES, describeCd, this.machine.runtime.guests[c.domain]?.view),
        }));
        return [{ sid: entry.sid, master, ste: this.read(at, describeSte), cds }];
      });
    });
  }

  streamsOf(master: string): StreamView[] {
    return this.streams().filter((s) => s.master === master);
  }

  /** Every CD that names the domain's page table, stream by stream. */
  cdsOf(domain: string): CdView[] {
    return this.streams().flatMap((s) => s.cds.filter((c) => c.domain === domain));
  }
}
