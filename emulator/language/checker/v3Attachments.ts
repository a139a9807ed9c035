import { DomainDeclaration, MasterDeclaration } from '../ast';
import { CheckContext, versionOf } from './context';
import { CheckedContainer } from './vfio';
import { knownSmmuKind } from '../../smmu/kinds';

/** The masters a vfio container attached somewhere. */
export function placedMasters(containers: readonly CheckedContainer[]): Set<MasterDeclaration> {
  return new Set(containers.flatMap((c) => c.placements.flatMap((p) => (p.domain === undefined ? [] : [p.master]))));
}

/**
 * Where a master on an SMMUv3 is attached at start: its own domain, or a domain of the vfio
 * container that placed it (`placed`); undefined when it is attached nowhere, and its STE
 * then aborts everything (its PASID bindings are never written). Whether its own attach
 * succeeded is checkAttachments' answer: up to Linux 6.9 it depends on the first master
 * attached to the same domain (scenario/attach.ts).
 */
export function v3Attachment(
  master: MasterDeclaration,
  context: Pick<CheckContext, 'settings' | 'smmuOf' | 'symbols' | 'ownAttached'>,
  placed: ReadonlySet<MasterDeclaration>,
): { own: DomainDeclaration } | { vfio: true } | undefined {
  // An SMMU with context banks attaches in the order masters claim them (attach.ts).
  if (knownSmmuKind(versionOf(context, context.smmuOf.get(master)))?.contextBanks !== false) return undefined;
  if (placed.has(master)) return { vfio: true };
  const setting = context.settings.get(master)?.name('domain');
  const domain = setting ? context.symbols.get('domain', setting.text)?.declaration : undefined;
  return domain && context.ownAttached.has(master) ? { own: domain } : undefined;
}
