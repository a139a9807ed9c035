import { DomainDeclaration, MasterDeclaration, Name, VfioDeclaration } from '../ast';
import { Attacher } from '../../scenario/attach';
import { ContainerDomain, ContainerMember, ContainerPlacement, placeContainer } from '../../scenario/vfio';
import { masterStallOf } from './attach';
import { CheckContext, versionOf } from './context';
import { knownSmmuKind } from '../../smmu/kinds';

/** One master of a container where it landed, with the name in the `masters` list that put it there. */
export interface CheckedPlacement extends ContainerPlacement {
  master: MasterDeclaration;
  /** The master's name in the container's `masters` list. */
  listed: Name;
}

/** A vfio container as the checker decided it: the domains it makes and where each master landed. */
export interface CheckedContainer {
  declaration: VfioDeclaration;
  domains: ContainerDomain[];
  placements: CheckedPlacement[];
}

interface Listed {
  master: MasterDeclaration;
  listed: Name;
  member: ContainerMember;
}

/**
 * The masters a container may place: listed once in all containers, and without a `domain`
 * line of their own (a device is owned either by a kernel driver, which attaches its
 * domain, or by vfio for userspace; never by both).
 */
function listedMasters(vfio: VfioDeclaration, seen: Map<MasterDeclaration, { vfio: VfioDeclaration; listed: Name }>, context: CheckContext): Listed[] {
  const name = vfio.name?.text ?? '?';
  return vfio.masters.flatMap((list) =>
    list.masters.flatMap((listed): Listed[] => {
      const master = context.symbols.resolve('master', listed, context.sink)?.declaration;
      if (!master) return [];
      const first = seen.get(master);
      if (first) {
        const line = context.lines.lineOf(first.listed.range.start);
        const message =
          first.vfio === vfio
            ? `master '${listed.text}' is listed twice in vfio '${name}' (first on line ${line})`
            : `master '${listed.text}' is already in vfio '${first.vfio.name?.text ?? '?'}' (line ${line}): a device can be in one container only`;
        context.sink.error('vfio-master-twice', listed.range, message, [{ range: first.listed.range, message: `master '${listed.text}' first listed here` }]);
        return [];
      }
      seen.set(master, { vfio, listed });
      const settings = context.settings.get(master);
      const own = settings?.node('domain');
      if (own) {
        context.sink.error('vfio-master-domain', listed.range, `master '${listed.text}' has its own 'domain' line: it is attached either there or by vfio '${name}', not both`, [
          { range: own.range, message: `the 'domain' line of master '${listed.text}'` },
        ]);
        return [];
      }
      const smmu = context.smmuOf.get(master);
      const stall = masterStallOf(master, context);
      if (!smmu || !stall) return [];
      const banks = smmu.declaration ? context.settings.get(smmu.declaration)?.number('context-banks') : undefined;
      const member: ContainerMember = {
        name: listed.text,
        smmu: smmu.name,
        stall,
        contextBanks: knownSmmuKind(versionOf(context, smmu))?.contextBanks ? Number(banks ?? 0n) : undefined,
        smmuV3Kernel: versionOf(context, smmu) === 'v3' ? context.kernel : undefined,
      };
      return [{ master, listed, member }];
    }),
  );
}

/** The container makes a domain of its own name: a declared domain of that name would be two. */
function checkDomainName(vfio: VfioDeclaration, context: CheckContext): void {
  if (!vfio.name) return;
  const domain = context.symbols.get('domain', vfio.name.text);
  if (!domain?.nameRange) return;
  context.sink.error(
    'vfio-domain-name',
    vfio.name.range,
    `vfio '${vfio.name.text}' makes a domain named '${vfio.name.text}', and domain '${vfio.name.text}' is declared on line ${context.lines.lineOf(domain.nameRange.start)}: rename one`,
    [{ range: domain.nameRange, message: `domain '${vfio.name.text}'` }],
  );
}

/**
 * Places every container's masters, containers in declaration order after the masters with
 * their own `domain` line (`attacher` holds those attaches), and says on each listed master
 * where it landed and why: information, or a warning when it landed nowhere.
 */
export function checkContainers(containers: readonly VfioDeclaration[], attacher: Attacher<DomainDeclaration | ContainerDomain>, context: CheckContext): CheckedContainer[] {
  const seen = new Map<MasterDeclaration, { vfio: VfioDeclaration; listed: Name }>();
  return containers.flatMap((vfio): CheckedContainer[] => {
    checkDomainName(vfio, context);
    const listed = listedMasters(vfio, seen, context);
    const smmu = context.smmuOf.get(vfio);
    if (!vfio.name || !smmu) return [];
    const stall = context.settings.get(vfio)?.word('fault') === 'stall';
    const result = placeContainer({ name: vfio.name.text, smmu: smmu.name, stall, members: listed.map((l) => l.member) }, attacher);
    const placements = result.placements.flatMap((placement): CheckedPlacement[] => {
      const entry = listed[placement.member];
      return entry ? [{ ...placement, master: entry.master, listed: entry.listed }] : [];
    });
    for (const p of placements) {
      if (p.outcome === 'unattached') context.sink.warning('vfio-unattached', p.listed.range, p.reason);
      else context.sink.information('vfio-placement', p.listed.range, p.reason);
    }
    return [{ declaration: vfio, domains: result.domains, placements }];
  });
}
