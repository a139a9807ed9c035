import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelLines } from '../helpers/kernelLines';
import { runWithEvents } from './run';

/**
 * arm_smmu_context_fault's lines when no handler is set (report_iommu_fault returns
 * -ENOSYS): one "Unhandled context fault" line up to 6.10; from 6.11 (d525b0af0c3b)
 * arm_smmu_print_context_fault_info prints it and then FSR and FSYNR0 decoded.
 */

function scenario(kernel: string, access: string): string {
  return `kernel ${kernel}
smmu kgsl { version v2; base 0x0500_0000 }
domain gpu_dom { map 0x0100_0000 -> 0x8000_0000 size 1M rw }
master gpu { stream 0x21; domain gpu_dom }
engine gpu.cp { ${access} }
`;
}

const READ = 'read 0x0700_0000 64 as bad';
const UNHANDLED_READ = 'arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0x07000000, fsynr=0x2, cbfrsynra=0x21, cb=0';

test('6.6: one line, "Unhandled context fault", byte for byte', () => {
  assert.deepEqual(kernelLines(runWithEvents(scenario('6.6', READ)).machine), [UNHANDLED_READ]);
});

test('5.15: the same one line', () => {
  assert.deepEqual(kernelLines(runWithEvents(scenario('5.15', READ)).machine), [UNHANDLED_READ]);
});

test('6.12: the line, then FSR and FSYNR0 decoded (arm_smmu_print_context_fault_info)', () => {
  assert.deepEqual(kernelLines(runWithEvents(scenario('6.12', READ)).machine), [
    UNHANDLED_READ,
    'arm-smmu 5000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x21',
    'arm-smmu 5000000.iommu: FSYNR0 = 00000002 [S1CBNDX=0 PLVL=2]',
  ]);
});

test('7.1: a write to a read-only page: PF and WNR in the decode lines', () => {
  const text = scenario('7.1', 'write 0x0110_0000 4 value 1 as w').replace('size 1M rw }', 'size 1M rw\n  map 0x0110_0000 -> 0x8100_0000 size 4K r }');
  assert.deepEqual(kernelLines(runWithEvents(text).machine), [
    'arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x408, iova=0x01100000, fsynr=0x13, cbfrsynra=0x21, cb=0',
    'arm-smmu 5000000.iommu: FSR    = 00000408 [Format=2 PF], SID=0x21',
    'arm-smmu 5000000.iommu: FSYNR0 = 00000013 [S1CBNDX=0 WNR PLVL=3]',
  ]);
});

test('7.1: a stalled fault shows SS in the FSR line', () => {
  const text = scenario('7.1', READ).replace('domain gpu_dom {', 'domain gpu_dom { fault stall;').replace('stream 0x21;', 'stream 0x21; can-stall;');
  assert.deepEqual(kernelLines(runWithEvents(text).machine).slice(1), [
    'arm-smmu 5000000.iommu: FSR    = 40000402 [SS Format=2 TF], SID=0x21',
    'arm-smmu 5000000.iommu: FSYNR0 = 00000002 [S1CBNDX=0 PLVL=2]',
  ]);
});

test('a handler is set: no line on any release (report_iommu_fault did not return -ENOSYS)', () => {
  for (const kernel of ['6.6', '6.12']) {
    const text = `${scenario(kernel, READ)}handler h on gpu_dom { context thread; log "mine" }\n`;
    assert.deepEqual(kernelLines(runWithEvents(text).machine), [], kernel);
  }
});
