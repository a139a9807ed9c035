/** A kernel log with noise, an arm-smmu context fault (line 2) and an SMMUv3 event with its four dwords (lines 3-7). */
export const dmesg = [
  '[    1.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]',
  '[   12.345678] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xd65504710, fsynr=0x60011, cbfrsynra=0x0, cb=6',
  '[   13.000000] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x13 received:',
  '[   13.000001] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000004200005813',
  '[   13.000002] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020280000007',
  '[   13.000003] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000ffff12345000',
  '[   13.000004] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000',
  '',
].join('\n');

export const logUri = 'file:///work/dmesg.log';
