import { PhysicalMemory } from '../memory/physicalMemory';
import { IoPgtable, rootTableBytes } from '../pgtable/ioPgtable';
import { linuxStage2Layout } from '../pgtable/stage2Geometry';
import { HotStage2Walker } from '../pgtable/stage2Walker';
import { DEFAULT_WALK_CACHE_SLOTS, HotWalker } from '../pgtable/walker';
import { levelSize } from '../pgtable/descriptor';
import { hasChange } from '../kernel/versions';
import { DomainModel, ScenarioModel } from '../scenario/model';
import { stage2Xnx } from './addressSpaces';

/** The translation hot path's walker of one table: a stage-1 or a stage-2 walk, one interface. */
export type HotTableWalker = Pick<HotWalker, 'startLevel' | 'walk'>;

/**
 * The hot walker of `table`, owned by `domain`: a stage-2 domain's walks S2AP/XN from its
 * VTTBR; a nested domain's stage 1 has none — its tables are at IPAs, and each TLB miss
 * takes the describing nested walk (lookup.ts).
 */
export function hotWalkerOf(model: ScenarioModel, memory: PhysicalMemory, table: IoPgtable, domain: DomainModel): HotTableWalker | undefined {
  if (domain.nested !== undefined) return undefined;
  const slots = walkCacheSlots(domain);
  if (table.stage === 2) return new HotStage2Walker(memory, table.stage2Config(stage2Xnx(model, domain)), slots);
  return new HotWalker(memory, table.tableConfig(), slots);
}

const MIN_WALK_CACHE_SLOTS = 64;

/**
 * The walk cache a domain's walker gets: a slot per level-3 table span its maps cover (a
 * power of two, MIN_WALK_CACHE_SLOTS up to the default). The cache is invisible, so a
 * smaller one only costs upper-level reads on a collision; a full-size one per domain
 * would cost the language server's prediction of a file of hundreds of domains tens of
 * megabytes of slots to allocate and collect on every check.
 */
function walkCacheSlots(domain: DomainModel): number {
  const span = BigInt(levelSize(2, domain.granule));
  let regions = 0n;
  for (const map of [...domain.maps, ...domain.ttbr1Maps]) regions += (map.iova + map.size - 1n) / span - map.iova / span + 1n;
  let slots = MIN_WALK_CACHE_SLOTS;
  while (slots < DEFAULT_WALK_CACHE_SLOTS && BigInt(slots) < regions) slots *= 2;
  return slots;
}

/** The bytes a domain's `pgd` takes: its start-level table (a stage-2 one concatenated as io-pgtable-arm does). */
export function pgdBytes(model: ScenarioModel, domain: DomainModel): number {
  if (domain.stage === 1) return rootTableBytes(domain.ias, domain.granule);
  return linuxStage2Layout(domain.ias, domain.oas, domain.granule, hasChange(model.kernel, 'stage2ConcatMandatory') ? 'mandatory' : 'level0').rootBytes;
}
