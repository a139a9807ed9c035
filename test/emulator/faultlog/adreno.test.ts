import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';

/** drm/msm's pr_warn lines (no device prefix), made from adreno_gpu.c's format strings. */

test('*** gpu fault: ttbr0=… iova=… dir=… type=… source=…: iova, direction, kind, TTBR0 with its fields', () => {
  const [report] = readFaultLog('*** gpu fault: ttbr0=000100010a3b4000 iova=0000000001047dc0 dir=WRITE type=PERMISSION source=CP (0,0,0,0)');
  assert.deepEqual([report?.source, report?.device, report?.iova, report?.write, report?.read, report?.kind], ['adreno', null, '0x1047dc0', true, false, 'permission']);
  assert.deepEqual(report?.registers, { TTBR0: { value: '0x100010a3b4000', fields: { BADDR: '0x10a3b4000', ASID: 1 } } });
  assert.equal(report?.explanation, 'the GPU made a write to IOVA 0x1047dc0 that was refused by the permissions of an entry in the table at TTBR0 0x100010a3b4000: permission fault');
});

test('the older *** gpu fault: iova=… flags=… line: IOMMU_FAULT_WRITE in flags is a write, no kind', () => {
  const reports = readFaultLog(['*** gpu fault: iova=0000000001047de0 flags=1 (0,0,0,0)', '*** gpu fault: iova=0000000001047e00 flags=0 (0,0,0,0)'].join('\n'));
  assert.deepEqual(
    reports.map((r) => [r.iova, r.write, r.kind, r.registers]),
    [
      ['0x1047de0', true, null, {}],
      ['0x1047e00', false, null, {}],
    ],
  );
});

test('a gpu fault line wrapped by the terminal inside dir=READ is read whole, over two lines', () => {
  const reports = readFaultLog(['[ 491.421486] *** gpu fault: ttbr0=00000001e7d67000 iova=00000001033f0000 dir=R', 'EAD type=TRANSLATION source=CCU (0,0,0,1)'].join('\n'));
  assert.deepEqual(
    reports.map((r) => [r.lines, r.iova, r.read, r.kind, r.registers.TTBR0?.value]),
    [[[1, 2], '0x1033f0000', true, 'translation', '0x1e7d67000']],
  );
});
