import { smmuDeviceOf } from '../../language/schema';
import { line } from './result';

/**
 * The smmu block's settings that make the kernel print `device` again: a device-tree name
 * `<unit-address>.<node>` gives the MMIO base (`base`), and any name the emulator would not
 * make from that base alone (another node name, an ACPI `arm-smmu-v3.0.auto`) is written
 * as `device "…"`.
 */
export function deviceSettings(device: string): string[] | { cannot: string } {
  if (/[\s"\\]/.test(device) || device === '') return { cannot: `device '${device}': a scenario's device name is one word in quotes, without quotes or backslashes` };
  const match = /^([1-9a-f][0-9a-f]*|0)\.(.+)$/.exec(device);
  const base = match?.[1] === undefined ? undefined : BigInt(`0x${match[1]}`);
  const settings: string[] = [];
  if (base !== undefined) settings.push(line(`  base ${scenarioHex(base)}`, `the unit address of the device name ${device}`));
  if (base === undefined || smmuDeviceOf(base) !== device) {
    settings.push(line(`  device "${device}"`, base === undefined ? 'the device name, not a device-tree one (ACPI names SMMUs <driver>.<N>.auto)' : `the device-tree node is ${match?.[2]}@${match?.[1]}`));
  }
  return settings;
}

/** `0x1500_0000` as the scenario language writes a number: hex, `_` between groups of four digits. */
export function scenarioHex(value: bigint): string {
  const digits = value.toString(16);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  return `0x${groups.join('_')}`;
}
