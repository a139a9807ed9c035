import { DomainDeclaration, VmDeclaration } from '../ast';
import { CheckContext } from './context';
import { kernelHas, missingFeature } from './iommufdKernels';
import { CheckedNesting } from './nesting';
import { isStage2 } from './stage2';

/** A vm as the default rule sees it: its name and the stage-2 domain it owns. */
export interface VmStage2 {
  name: string;
  stage2: string | undefined;
}

/**
 * The vm of a nested domain: its `vm` line, else the one vm whose `stage2` is the domain's
 * `nested` target (none, or two, leaves it without one). The checker and the elaborator use it.
 */
export function vmOfNested(written: string | undefined, nested: string | undefined, vms: readonly VmStage2[]): string | undefined {
  if (written !== undefined) return written;
  const owners = vms.filter((vm) => nested !== undefined && vm.stage2 === nested);
  return owners.length === 1 ? owners[0]?.name : undefined;
}

/**
 * Every `vm` block (its `stage2` a stage-2 domain no other vm owns, what the kernel's iommufd
 * has), and every domain's `vm` line (only on a nested domain, and on the vm whose stage 2 the
 * domain sits on).
 */
export function checkVms(vms: readonly VmDeclaration[], domains: readonly DomainDeclaration[], nestings: ReadonlyMap<DomainDeclaration, CheckedNesting>, context: CheckContext): void {
  const owners = new Map<DomainDeclaration, VmDeclaration>();
  for (const vm of vms) {
    const settings = context.settings.get(vm);
    const name = vm.name?.text ?? '?';
    const stage2 = settings?.name('stage2');
    if (!stage2) {
      if (!settings?.node('stage2')) context.sink.error('vm-stage2', vm.name?.range ?? vm.range, `vm '${name}' needs 'stage2 DOMAIN': the stage-2 domain that is its IPA space`);
    } else {
      const target = context.symbols.resolve('domain', stage2, context.sink)?.declaration;
      if (target && !isStage2(context.settings.get(target))) {
        context.sink.error('vm-stage2', stage2.range, `'stage2' names a stage-2 domain, and domain '${stage2.text}' is stage 1: write 'stage 2' in it`);
      } else if (target) {
        const first = owners.get(target);
        const firstNode = first ? context.settings.get(first)?.node('stage2') : undefined;
        if (first && firstNode) {
          context.sink.error(
            'duplicate-vm-stage2',
            stage2.range,
            `domain '${stage2.text}' is already the stage 2 of vm '${first.name?.text ?? '?'}' (line ${context.lines.lineOf(firstNode.range.start)}): a VM's IPA space is its own`,
            [{ range: firstNode.range, message: 'the same stage-2 domain' }],
          );
        } else {
          owners.set(target, vm);
        }
      }
    }
    const faultQueue = settings?.node('fault-queue');
    if (faultQueue?.value && settings?.word('fault-queue') === 'on' && !kernelHas(context.kernel, 'faultQueue')) {
      context.sink.error('fault-queue-kernel', faultQueue.value.range, `vm '${name}' cannot have a fault queue: ${missingFeature(context.kernel, 'faultQueue')}`);
    }
    const veventq = settings?.node('veventq');
    if (veventq && !kernelHas(context.kernel, 'veventq')) {
      context.sink.error('veventq-kernel', veventq.key.range, `vm '${name}' cannot have a vEVENTQ: ${missingFeature(context.kernel, 'veventq')}`);
    }
  }
  for (const domain of domains) checkDomainVm(domain, owners, nestings, context);
}

/** A domain's `vm V`: the domain is nested, on V's stage 2. */
function checkDomainVm(domain: DomainDeclaration, owners: ReadonlyMap<DomainDeclaration, VmDeclaration>, nestings: ReadonlyMap<DomainDeclaration, CheckedNesting>, context: CheckContext): void {
  const settings = context.settings.get(domain);
  const written = settings?.name('vm');
  if (!settings || !written) return;
  const vm = context.symbols.resolve('vm', written, context.sink)?.declaration;
  const name = domain.name?.text ?? '?';
  if (!settings.name('nested')) {
    context.sink.error('vm-not-nested', written.range, `'vm' gives a nested domain to a VM, and domain '${name}' has no 'nested S2DOMAIN': the guest's stage 1 sits on the VM's stage 2`);
    return;
  }
  const nesting = nestings.get(domain);
  const vmStage2 = vm ? context.settings.get(vm)?.name('stage2')?.text : undefined;
  if (!vm || !nesting || vmStage2 === undefined || [...owners].every(([, owner]) => owner !== vm)) return;
  const target = nesting.stage2.name?.text;
  if (vmStage2 !== target) {
    context.sink.error('vm-mismatch', written.range, `vm '${written.text}' has stage 2 '${vmStage2}', and domain '${name}' is nested on '${target ?? '?'}': a guest's stage 1 sits on its own VM's stage 2`);
  }
}
