import { DomainDeclaration } from '../ast';
import { CheckContext, versionOf } from './context';
import { BlockSettings } from './settings';

/** Why each stage-1 setting means nothing on a stage-2 domain. */
const stage1Only: Readonly<Record<string, string>> = {
  ttbr1: 'TTBR1 is a stage-1 register; a stage-2 table has one base (VTTBR, STE.S2TTB)',
  nested: "a stage-2 domain is what a nested domain sits on ('nested' goes in the guest's stage-1 domain)",
  cd: 'a CD holds a stage-1 context, and a stage-2 STE (Config=0b110) fetches none',
  tables: "'tables at' places a guest's stage-1 tables in IPA space; a stage-2 table is at a PA ('pgd')",
  s1cbndx: 'FSYNR0.S1CBNDX names the stage-1 bank of a nested fault, and a stage-2 bank translates no stage 1',
};

/** Whether a checked domain is `stage 2`. */
export function isStage2(settings: BlockSettings | undefined): boolean {
  return settings?.number('stage') === 2n;
}

/**
 * The settings of one stage against the other: stage-1 settings on a `stage 2` domain, `vmid`
 * on a stage-1 one, and a VMID wider than SMMUv2's 8-bit CBAR.VMID.
 */
export function checkStageSettings(domain: DomainDeclaration, settings: BlockSettings, context: CheckContext): void {
  const name = domain.name?.text ?? '?';
  if (isStage2(settings)) {
    for (const [key, why] of Object.entries(stage1Only)) {
      const node = settings.node(key);
      if (node) context.sink.error('stage1-setting', node.key.range, `'${key}' is a stage-1 setting and domain '${name}' is stage 2: ${why}`);
    }
  } else {
    const vmid = settings.node('vmid');
    if (vmid) {
      context.sink.error('stage2-setting', vmid.key.range, `'vmid' is a stage-2 setting (CBAR.VMID, STE.S2VMID) and domain '${name}' is stage 1: write 'stage 2' in it, or leave the VMID out`);
    }
  }
  const vmid = settings.writtenNumber('vmid');
  const at = settings.node('vmid')?.value?.range;
  if (isStage2(settings) && vmid !== undefined && at && vmid > 0xffn && versionOf(context, context.smmuOf.get(domain)) === 'v2') {
    context.sink.error('vmid-range', at, `vmid ${vmid} does not fit SMMUv2's 8-bit CBAR.VMID (0..255): domain '${name}' is on smmu '${context.smmuOf.get(domain)?.name ?? '?'}', an SMMUv2`);
  }
}

/** Two stage-2 domains of one SMMU with one written VMID would hit each other's TLB entries. */
export function checkVmids(domains: readonly DomainDeclaration[], context: CheckContext): void {
  const seen = new Map<string, DomainDeclaration>();
  for (const domain of domains) {
    const settings = context.settings.get(domain);
    const vmid = settings?.writtenNumber('vmid');
    const smmu = context.smmuOf.get(domain);
    const at = settings?.node('vmid');
    if (vmid === undefined || !smmu || !at?.value || !isStage2(settings)) continue;
    const key = `${smmu.name}/${vmid}`;
    const first = seen.get(key);
    const firstNode = first ? context.settings.get(first)?.node('vmid') : undefined;
    if (!first || !firstNode) {
      seen.set(key, domain);
      continue;
    }
    context.sink.error(
      'duplicate-vmid',
      at.value.range,
      `vmid ${vmid} is also the VMID of domain '${first.name?.text ?? '?'}' (line ${context.lines.lineOf(firstNode.range.start)}) on smmu '${smmu.name}': two stage-2 domains of one SMMU need VMIDs of their own (TLB entries are tagged by VMID)`,
      [{ range: firstNode.range, message: 'the same VMID' }],
    );
  }
}
