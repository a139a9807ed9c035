import { Runtime } from '../machine/runtime';
import { KernelLogLevel } from '../machine/journal';
import { SmmuModel } from '../scenario/model';

/**
 * The kernel's own log lines, apart from the emulator's trace and the scenario's `log`
 * statements: each is the text dmesg shows, byte for byte in the named release's format,
 * with the device prefix dev_err()/dev_info() add (`arm-smmu 15000000.iommu: `).
 */
export function printk(rt: Runtime, thread: number, level: KernelLogLevel, line: string): void {
  rt.journal.log({ time: rt.state.now, thread, message: line, offset: -1, kernel: level });
  if (rt.observed) rt.emit({ kind: 'kernel-log', time: rt.state.now, thread, level, line });
}

/** What dev_printk puts before a line about an SMMU: the driver's name and the device's (`arm-smmu 15000000.iommu:`). */
export function smmuDevicePrefix(rt: Runtime, smmu: number): string {
  const model = rt.model.smmus[smmu];
  if (model === undefined) return 'arm-smmu ?:';
  let prefix = prefixes.get(model);
  if (prefix === undefined) prefixes.set(model, (prefix = `${model.version === 'v3' ? 'arm-smmu-v3' : 'arm-smmu'} ${model.device}:`));
  return prefix;
}

/** Each SMMU's prefix, made once: a storm prints millions of lines. */
const prefixes = new WeakMap<SmmuModel, string>();

/** dev_err() / dev_info() on an SMMU: `arm-smmu 15000000.iommu: TEXT`. */
export function smmuPrintk(rt: Runtime, thread: number, smmu: number, level: KernelLogLevel, text: string): void {
  printk(rt, thread, level, `${smmuDevicePrefix(rt, smmu)} ${text}`);
}
