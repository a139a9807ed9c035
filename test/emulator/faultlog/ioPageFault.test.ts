import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';

/** include/trace/events/iommu.h: io_page_fault's `IOMMU:%s %s iova=0x%016llx flags=0x%04x`, as /sys/kernel/tracing/trace shows it. */
test('the io_page_fault tracepoint line after ftrace\'s columns: device, iova, IOMMU_FAULT_WRITE', () => {
  const reports = readFaultLog(
    [
      '     irq/35-arm-smmu-187     [002] d..1.   123.456789: io_page_fault: IOMMU:arm-smmu 15000000.iommu iova=0x0000000040002000 flags=0x0001',
      '     irq/35-arm-smmu-187     [002] d..1.   123.456790: io_page_fault: IOMMU:arm-smmu 15000000.iommu iova=0x0000000040003000 flags=0x0000',
    ].join('\n'),
  );
  assert.deepEqual(
    reports.map((r) => [r.source, r.device, r.lines, r.iova, r.write, r.read, r.kind, r.sid, r.registers]),
    [
      ['io_page_fault', '15000000.iommu', [1, 1], '0x40002000', true, false, null, null, {}],
      ['io_page_fault', '15000000.iommu', [2, 2], '0x40003000', false, true, null, null, {}],
    ],
  );
  assert.equal(reports[0]?.explanation, "the IOMMU core's io_page_fault tracepoint: arm-smmu reported a write to IOVA 0x40002000 it could not translate (device 15000000.iommu); the tracepoint carries no fault kind, StreamID or context bank");
});
