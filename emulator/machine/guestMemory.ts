import { GuestMemory } from '../kernel/iommufd/virtualQueues';
import { PhysicalMemory } from '../memory/physicalMemory';
import { TableMemory } from '../pgtable/ioPgtable';
import { Stage2TableConfig, walkStage2 } from '../pgtable/stage2Walker';
import { PAGE_SIZE } from '../util/u64';

/**
 * A guest's memory as the guest's own kernel sees it: addresses are IPAs, each access
 * translated by the VM's stage 2 as the guest CPU's accesses are. The guest's page tables
 * and CDs are written through it. A page stage 2 does not map is one the VMM never gave
 * the guest: the model reads it as zeros and drops writes to it — the guest "wrote" its
 * table there, and the SMMU's walk of that IPA faults at stage 2, which is what a scenario
 * that leaves it out wants to show.
 */
export class GuestPhysicalView implements TableMemory {
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly stage2: Stage2TableConfig,
  ) {}

  /** The PA of `ipa`, or undefined where stage 2 does not map it. */
  translate(ipa: bigint): bigint | undefined {
    const walked = walkStage2(this.memory, this.stage2, ipa);
    return walked.outcome.kind === 'success' ? walked.outcome.pa : undefined;
  }

  /** The view the virtual SMMU's queues use (kernel/iommufd/virtualQueues.ts). */
  guestMemory(): GuestMemory {
    return { memory: this.memory, translate: (ipa) => this.translate(ipa) };
  }

  private pa(ipa: number): number | undefined {
    const pa = this.translate(BigInt(ipa));
    return pa === undefined ? undefined : Number(pa);
  }

  readLo(ipa: number): number {
    const pa = this.pa(ipa);
    return pa === undefined ? 0 : this.memory.readLo(pa);
  }

  readHi(ipa: number): number {
    const pa = this.pa(ipa);
    return pa === undefined ? 0 : this.memory.readHi(pa);
  }

  readU64(ipa: number): bigint {
    const pa = this.pa(ipa);
    return pa === undefined ? 0n : this.memory.readU64(pa);
  }

  writeDescriptor(ipa: number, lo: number, hi: number): void {
    const pa = this.pa(ipa);
    if (pa !== undefined) this.memory.writeDescriptor(pa, lo, hi);
  }

  writeU64(ipa: number, value: bigint): void {
    const pa = this.pa(ipa);
    if (pa !== undefined) this.memory.writeU64(pa, value);
  }

  /** A 4 KiB guest page: stage 2 maps it whole or not at all (its smallest leaf is a page). */
  zeroPage(ipa: number): void {
    const pa = this.pa(ipa - (ipa % PAGE_SIZE));
    if (pa !== undefined) this.memory.zeroPage(pa);
  }
}
