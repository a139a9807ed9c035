import { DomainDeclaration, MasterDeclaration, Setting, VfioDeclaration, Word } from '../ast';
import { Range } from '../source';
import { hex } from '../../util/u64';
import { granuleOfBytes } from '../../pgtable/granule';
import { rootTableBytes } from '../../pgtable/ioPgtable';
import { cdTableBytes, firstUnmappedIpa, GuestPlacement, guestPlacement } from '../../scenario/guestPlacement';
import { CheckContext } from './context';
import { kernelHas, missingFeature } from './iommufdKernels';
import { CheckedMap } from './maps';
import { BlockSettings } from './settings';
import { isStage2 } from './stage2';

/** A nested domain that checked out: the stage-2 domain under it and where its guest keeps its CD and tables. */
export interface CheckedNesting {
  stage2: DomainDeclaration;
  placement: GuestPlacement;
}

/**
 * `nested`, `cd at`, `tables at` of every domain (SMMUv3 nesting; the version rule has
 * refused them on an SMMUv2): the target is a stage-2 domain of the same SMMU, the kernel
 * has arm-smmu-v3 nested domains, the guest's CD and table are aligned, and where stage 2
 * maps none of them (nor a map's output IPAs) a warning predicts the stage-2 fault.
 */
export function checkNesting(
  domains: readonly DomainDeclaration[],
  masters: readonly MasterDeclaration[],
  mapsOf: ReadonlyMap<DomainDeclaration | VfioDeclaration, readonly CheckedMap[]>,
  context: CheckContext,
): Map<DomainDeclaration, CheckedNesting> {
  const nestings = new Map<DomainDeclaration, CheckedNesting>();
  for (const domain of domains) {
    const settings = context.settings.get(domain);
    if (!settings) continue;
    const nested = settings.name('nested');
    if (!nested) {
      for (const key of ['cd', 'tables']) {
        const node = settings.node(key);
        if (node && settings.writtenNumber(key) !== undefined) {
          context.sink.error('not-nested', node.key.range, `'${key} at' places a guest's structure in IPA space, which only a nested domain has: domain '${domain.name?.text ?? '?'}' has no 'nested S2DOMAIN'`);
        }
      }
      continue;
    }
    const stage2 = context.symbols.resolve('domain', nested, context.sink)?.declaration;
    if (!stage2 || isStage2(settings)) continue;
    if (!checkTarget(domain, nested, stage2, context)) continue;
    const pgd = settings.node('pgd');
    if (pgd) {
      context.sink.error('nested-pgd', pgd.key.range, `'pgd' is a PA, and the tables of nested domain '${domain.name?.text ?? '?'}' are the guest's, at IPAs: write 'tables at IPA'`);
    }
    const placement = placeGuest(domain, settings, stage2, masters, mapsOf, context);
    if (placement) {
      nestings.set(domain, { stage2, placement });
      predictStage2Faults(domain, settings, nested.range, stage2, placement, mapsOf, context);
    }
  }
  return nestings;
}

/** The target is a stage-2 domain on the same SMMU, and the kernel nests. */
function checkTarget(domain: DomainDeclaration, nested: Word, stage2: DomainDeclaration, context: CheckContext): boolean {
  const name = domain.name?.text ?? '?';
  if (!isStage2(context.settings.get(stage2))) {
    context.sink.error('nested-target', nested.range, `'nested' names a stage-2 domain, and domain '${nested.text}' is stage 1: write 'stage 2' in it`);
    return false;
  }
  const own = context.smmuOf.get(domain);
  const theirs = context.smmuOf.get(stage2);
  if (own && theirs && own !== theirs) {
    context.sink.error(
      'nested-smmu',
      nested.range,
      `domain '${nested.text}' is on smmu '${theirs.name}' and domain '${name}' on smmu '${own.name}': a nested STE's stage 2 is its own SMMU's`,
    );
    return false;
  }
  if (!kernelHas(context.kernel, 'nesting')) {
    context.sink.error('nesting-kernel', nested.range, `domain '${name}' cannot be nested: ${missingFeature(context.kernel, 'nesting')}`);
    return false;
  }
  return true;
}

/** 2^S1CDMax CDs when a master attached to the domain binds PASIDs (its SMMU's ssid-bits), else one. */
function s1cdmaxOf(domain: DomainDeclaration, masters: readonly MasterDeclaration[], context: CheckContext): number {
  const name = domain.name?.text;
  const binds = masters.some((master) => master.pasids.length > 0 && context.settings.get(master)?.name('domain')?.text === name);
  const smmu = context.smmuOf.get(domain)?.declaration;
  return binds && smmu ? Number(context.settings.get(smmu)?.number('ssid-bits') ?? 0n) : 0;
}

/** `cd at` and `tables at` aligned, and the placement with what was left out decided; undefined after an error. */
function placeGuest(
  domain: DomainDeclaration,
  settings: BlockSettings,
  stage2: DomainDeclaration,
  masters: readonly MasterDeclaration[],
  mapsOf: ReadonlyMap<DomainDeclaration | VfioDeclaration, readonly CheckedMap[]>,
  context: CheckContext,
): GuestPlacement | undefined {
  const s1cdmax = s1cdmaxOf(domain, masters, context);
  const cdBytes = cdTableBytes(s1cdmax);
  const ias = settings.number('ias');
  const granule = granuleOfBytes(Number(settings.number('granule')));
  const rootBytes = BigInt(rootTableBytes(Number(ias), granule));
  const cdWhy = s1cdmax === 0 ? 'a CD is 64 bytes' : `the CD table of 2^${s1cdmax} CDs is ${cdBytes} bytes, and a linear CD table is aligned to its size`;
  const tablesWhy = rootBytes === 0x1000n ? 'a top-level table is a 4 KiB page' : `the top-level table of a ${granule.name}-granule domain with ias ${ias} is ${rootBytes / 1024n} KiB`;
  const cdAt = aligned(settings, 'cd', cdBytes, cdWhy, context);
  const tablesAt = aligned(settings, 'tables', rootBytes, tablesWhy, context);
  if (cdAt === null || tablesAt === null) return undefined;
  const stage2Settings = context.settings.get(stage2);
  return guestPlacement({
    stage2Maps: mapsOf.get(stage2) ?? [],
    avoid: (mapsOf.get(domain) ?? []).map((map) => ({ iova: map.pa, size: map.size })),
    stage2Granule: granuleOfBytes(Number(stage2Settings?.number('granule') ?? 0x1000n)),
    cdBytes,
    rootBytes,
    ...(cdAt === undefined ? {} : { cdAt }),
    ...(tablesAt === undefined ? {} : { tablesAt }),
  });
}

/** A written `KEY at IPA` when it is aligned; undefined when left out; null after reporting it. */
function aligned(settings: BlockSettings, key: 'cd' | 'tables', alignment: bigint, why: string, context: CheckContext): bigint | undefined | null {
  const value = settings.writtenNumber(key);
  const at = settings.node(key)?.value?.range;
  if (value === undefined || !at || value % alignment === 0n) return value;
  const down = value - (value % alignment);
  const size = alignment >= 1024n ? `${alignment / 1024n}K-aligned` : `${alignment}-byte aligned`;
  context.sink.error(`${key}-alignment`, at, `${key} at ${hex(value)} is not ${size}: ${why}`, undefined, {
    title: `Align it down to ${hex(down)}`,
    edits: [{ range: at, newText: hex(down) }],
  });
  return null;
}

/**
 * "legal, a warning at most" (the contract): a CD, a top-level table or a map's output that
 * stage 2 does not map faults there — CLASS=CD, TT or IN, with the IPA (Arm SMMUv3 3.3.2 and
 * 7.3: a stage-2 fault on a stage-1 fetch). Predicted from the stage-2 maps alone.
 */
function predictStage2Faults(
  domain: DomainDeclaration,
  settings: BlockSettings,
  nestedAt: Range,
  stage2: DomainDeclaration,
  placement: GuestPlacement,
  mapsOf: ReadonlyMap<DomainDeclaration | VfioDeclaration, readonly CheckedMap[]>,
  context: CheckContext,
): void {
  const stage2Maps = mapsOf.get(stage2) ?? [];
  const s2 = stage2.name?.text ?? '?';
  const ias = settings.number('ias');
  const rootBytes = BigInt(rootTableBytes(Number(ias), granuleOfBytes(Number(settings.number('granule')))));
  const warn = (klass: 'CD' | 'TT' | 'IN', ipa: bigint, at: Range, what: string): void => {
    context.sink.warning('predicted-stage2-fault', at, `predicted stage-2 fault, CLASS=${klass} at IPA ${hex(ipa)}: no map of domain '${s2}' covers ${what}`);
  };
  const written = (node: Setting | undefined): Range => node?.value?.range ?? nestedAt;
  // The CD of SubstreamID 0 (the stream's own traffic) is the table's first: the fetch every transaction makes.
  const cd = firstUnmappedIpa(placement.cdAt, cdTableBytes(0), stage2Maps);
  if (cd !== undefined) warn('CD', cd, written(settings.node('cd')), `the CD of domain '${domain.name?.text ?? '?'}'`);
  const tables = firstUnmappedIpa(placement.tablesAt, rootBytes, stage2Maps);
  if (tables !== undefined) warn('TT', tables, written(settings.node('tables')), `the top-level stage-1 table of domain '${domain.name?.text ?? '?'}'`);
  for (const map of mapsOf.get(domain) ?? []) {
    const out = firstUnmappedIpa(map.pa, map.size, stage2Maps);
    if (out !== undefined && map.node.pa) warn('IN', out, map.node.pa.range, `the output of this map (IPAs ${hex(map.pa)}–${hex(map.pa + map.size - 1n)})`);
  }
}
