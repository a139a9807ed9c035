import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelFunctionName, kernelFunctions } from '../../emulator/kernel/functions';
import { kernelFrameLocation, kernelSourceFiles, kernelSourceText } from '../../emulator/inspect/kernelSources';
import { KernelStep } from '../../emulator/machine/state';

// Compiles only while every step of the fault path but the scenario's own handler is a function the model places.
const placed = (step: Exclude<KernelStep, 'handler'>): KernelFunctionName => step;

test('every kernel function is drawn at the line of its heading in its file\'s page', () => {
  assert.deepEqual(kernelFrameLocation(placed('arm_smmu_cb_write(RESUME)')), { file: 'drivers/iommu/arm/arm-smmu/arm-smmu.h', line: 9 });
  for (const f of kernelFunctions) {
    const at = kernelFrameLocation(f.name);
    assert.ok(at, f.name);
    assert.equal(at.file, f.file);
    const lines = kernelSourceText(f.file)?.split('\n') ?? [];
    assert.equal(lines[at.line - 1], f.name.includes('(') ? f.name : `${f.name}()`);
  }
});

test('a page: the file, what it is, and each function with what it does, as C comments within 92 columns', () => {
  assert.equal(
    kernelSourceText('drivers/iommu/iommu.c'),
    [
      '// drivers/iommu/iommu.c',
      '// Its functions on the fault path, as the IOMMU debugger runs them: what each does in this',
      "// model. This is not the kernel's source.",
      '',
      'report_iommu_fault()',
      "    // Calls the domain's fault handler (iommu_set_fault_handler) with the IOVA and the",
      '    // fault flags; with none set it returns -ENOSYS.',
      '',
    ].join('\n'),
  );
  for (const file of kernelSourceFiles) {
    for (const line of kernelSourceText(file)?.split('\n') ?? []) assert.ok(line.length <= 92, `${file}: ${line}`);
  }
  assert.equal(kernelSourceText('mm/memory.c'), undefined);
  assert.deepEqual(kernelSourceFiles, [...new Set(kernelSourceFiles)]);
});
