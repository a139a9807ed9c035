import { DomainDeclaration, VfioDeclaration } from '../ast';
import { hex } from '../../util/u64';
import { granuleOfBytes } from '../../pgtable/granule';
import { rootTableBytes } from '../../pgtable/ioPgtable';
import { CheckContext } from './context';
import { CheckedMap } from './maps';

/**
 * Checks each domain's `pgd`: a 4 KiB page the SMMU can fetch (below 2^oas), on no mapped
 * PA (a table there would be a device's buffer), and no other domain's (each domain has
 * its own top-level table). Returns the pgds that checked out: the machine and the
 * language server's prediction put those domains' tables there.
 */
export function checkPgds(
  domains: readonly DomainDeclaration[],
  mapsOf: ReadonlyMap<DomainDeclaration | VfioDeclaration, readonly CheckedMap[]>,
  ownerName: (owner: DomainDeclaration | VfioDeclaration) => string,
  context: CheckContext,
): Map<DomainDeclaration, bigint> {
  const pgdOf = new Map<DomainDeclaration, bigint>();
  for (const domain of domains) {
    const settings = context.settings.get(domain);
    const pgd = settings?.writtenNumber('pgd');
    const at = settings?.node('pgd')?.value?.range;
    if (!settings || pgd === undefined || !at) continue;
    // A 4 KiB page with a 4K granule; with 16K or 64K, the start-level table's bytes (TTBR alignment, D8.2.3).
    const ias = settings.number('ias');
    const granule = granuleOfBytes(Number(settings.number('granule')));
    const bytes = rootTableBytes(Number(ias), granule);
    const pgdSize = BigInt(bytes);
    if (pgd % pgdSize !== 0n) {
      const down = pgd - (pgd % pgdSize);
      const why = bytes === 0x1000 ? 'a top-level table is a 4 KiB page' : `the top-level table of a ${granule.name}-granule domain with ias ${ias} is ${bytes / 1024} KiB`;
      context.sink.error('pgd-alignment', at, `pgd ${hex(pgd)} is not ${bytes / 1024}K-aligned: ${why}`, undefined, {
        title: `Align the pgd down to ${hex(down)}`,
        edits: [{ range: at, newText: hex(down) }],
      });
      continue;
    }
    const oas = settings.number('oas');
    if (pgd + pgdSize > 1n << oas) {
      context.sink.error('pgd-range', at, `pgd ${hex(pgd)} is beyond the ${oas}-bit output range (oas ${oas}): the SMMU could not fetch the table`);
      continue;
    }
    const hit = [...mapsOf].flatMap(([owner, maps]) => maps.map((map) => ({ owner, map }))).find(({ map }) => map.pa < pgd + pgdSize && pgd < map.pa + map.size);
    if (hit) {
      const { owner, map } = hit;
      context.sink.error(
        'pgd-overlap',
        at,
        `pgd ${hex(pgd)} is inside the PA range ${hex(map.pa)}–${hex(map.pa + map.size - 1n)} of the map on line ${context.lines.lineOf(map.node.range.start)} in ${ownerName(owner)}: the table would be a device's buffer`,
        [{ range: map.node.range, message: 'the map whose PA range holds the pgd' }],
      );
      continue;
    }
    const sharing = [...pgdOf].find(([, other]) => other === pgd)?.[0];
    const first = sharing ? context.settings.get(sharing)?.node('pgd') : undefined;
    if (sharing && first) {
      context.sink.error(
        'pgd-duplicate',
        at,
        `pgd ${hex(pgd)} is also the pgd of ${ownerName(sharing)} (line ${context.lines.lineOf(first.range.start)}): each domain has a top-level table of its own`,
        [{ range: first.range, message: 'the same pgd' }],
      );
      continue;
    }
    pgdOf.set(domain, pgd);
  }
  return pgdOf;
}
