import { PhysicalMemory } from '../memory/physicalMemory';
import { IoPgtable, rootTableBytes } from '../pgtable/ioPgtable';
import { linuxStage2Layout } from '../pgtable/stage2Geometry';
import { HotStage2Walker } from '../pgtable/stage2Walker';
import { HotWalker } from '../pgtable/walker';
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
  if (table.stage === 2) return new HotStage2Walker(memory, table.stage2Config(stage2Xnx(model, domain)));
  return new HotWalker(memory, table.tableConfig());
}

/** The bytes a domain's `pgd` takes: its start-level table (a stage-2 one concatenated as io-pgtable-arm does). */
export function pgdBytes(model: ScenarioModel, domain: DomainModel): number {
  if (domain.stage === 1) return rootTableBytes(domain.ias, domain.granule);
  return linuxStage2Layout(domain.ias, domain.oas, domain.granule, hasChange(model.kernel, 'stage2ConcatMandatory') ? 'mandatory' : 'level0').rootBytes;
}
