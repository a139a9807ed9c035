import { ScenarioModel } from '../scenario/model';

/** Writes one trace line: cycle, unit, text (TraceFormatter's format). */
export type TraceLine = (time: number, who: string, what: string) => string;

/**
 * One line per master of each vfio container, at cycle 0: where it landed and, when it is
 * not the container's first choice, why ("passthrough: nic1 → passthrough#2 (new domain: …)").
 */
export function vfioPlacementLines(model: ScenarioModel, line: TraceLine): string[] {
  return model.vfio.flatMap((container) =>
    container.placements.map((p) => {
      const master = model.masters[p.master]?.name ?? '?';
      const domain = p.domain === undefined ? '?' : (model.domains[p.domain]?.name ?? '?');
      switch (p.outcome) {
        case 'attached':
          return line(0, 'vfio', `${container.name}: ${master} → ${domain} (attached)`);
        case 'new-domain':
          return line(0, 'vfio', `${container.name}: ${master} → ${domain} (new domain: ${p.why})`);
        case 'unattached':
          return line(0, 'vfio', `${container.name}: ${master} not attached (${p.why})`);
      }
    }),
  );
}
