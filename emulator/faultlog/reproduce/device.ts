/**
 * The SMMU's MMIO base from the device name the kernel printed: the emulator names an
 * SMMU `<base in lowercase hex>.iommu` (scenario/elaborate.ts), so only such a name can be
 * printed again, and `base` is the one setting that chooses it.
 */
export function baseOfDevice(device: string): bigint | { cannot: string } {
  const match = /^([1-9a-f][0-9a-f]*|0)\.iommu$/.exec(device);
  if (!match?.[1]) {
    return { cannot: `device '${device}' is not named <MMIO base in hex>.iommu: a scenario names an SMMU only by its base (smmu setting \`base\`), which prints as \`15000000.iommu\`` };
  }
  return BigInt(`0x${match[1]}`);
}

/** `0x1500_0000` as the scenario language writes a number: hex, `_` between groups of four digits. */
export function scenarioHex(value: bigint): string {
  const digits = value.toString(16);
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  return `0x${groups.join('_')}`;
}
