import { SmmuDeclaration } from '../ast';
import { smmuBaseOf, smmuDeviceOf } from '../schema';
import { Range } from '../source';
import { CheckContext } from './context';
import { BlockSettings } from './settings';

/**
 * The name every kernel line of the `index`th SMMU prints (dev_name() of its platform
 * device): its `device`, else the device-tree name of its `base`.
 */
export function smmuDevice(settings: BlockSettings, index: number): string {
  return settings.text('device') ?? smmuDeviceOf(settings.node('base') ? settings.number('base') : smmuBaseOf(index));
}

/** What gives an SMMU its device name: its `device`, else its `base`, else its position (the default base). */
function namedAt(smmu: SmmuDeclaration, settings: BlockSettings): Range {
  return settings.node('device')?.value?.range ?? settings.node('base')?.value?.range ?? smmu.name?.range ?? smmu.range;
}

/**
 * Two SMMUs of one name: device_add refuses the second platform device ("sysfs: cannot
 * create duplicate filename"), and no log line could tell them apart.
 */
export function checkSmmuDevices(smmus: readonly SmmuDeclaration[], context: CheckContext): void {
  const first = new Map<string, { smmu: SmmuDeclaration; settings: BlockSettings }>();
  smmus.forEach((smmu, index) => {
    const settings = context.settings.get(smmu);
    // A `device` written wrong has been reported; the name meant is not known.
    if (!settings || (settings.node('device') && settings.text('device') === undefined)) return;
    const device = smmuDevice(settings, index);
    const earlier = first.get(device);
    if (!earlier) {
      first.set(device, { smmu, settings });
      return;
    }
    const earlierName = `smmu '${earlier.smmu.name?.text ?? '?'}'`;
    context.sink.error(
      'duplicate-device',
      namedAt(smmu, settings),
      `smmu '${smmu.name?.text ?? '?'}' has the device name "${device}" of ${earlierName} (line ${context.lines.lineOf(earlier.smmu.range.start)}): the kernel names each device once`,
      [{ range: namedAt(earlier.smmu, earlier.settings), message: `${earlierName} is "${device}"` }],
    );
  });
}
