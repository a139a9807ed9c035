import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { messageOf } from '../../../emulator/faultlog/lineText';
import { readLines } from '../../../emulator/faultlog/reader';
import { readFaultLog } from '../../../emulator/faultlog/readFaultLog';

/** Pieces of real formats and noise, so that the generated text comes near the formats, not just random bytes. */
const pieces = [
  'arm-smmu 1.iommu: ',
  'arm-smmu-v3 2.iommu: ',
  'Unhandled context fault: ',
  'fsr=0x402, ',
  'iova=0x1000, ',
  'fsynr=0x3, ',
  'cbfrsynra=0x5, ',
  'cb=1',
  'FSR    = 00000402 [Format=2 TF], SID=0x5',
  'event 0x10 received:',
  '\t0x0000000100000010',
  'event: F_TRANSLATION client: x sid: 0x1 ssid: 0 iova: 0x10 ipa: 0',
  '*** gpu fault: iova=0000000001047de0 flags=1 (0,0,0,0)',
  'EVTQ overflow detected -- events lost',
  '[    1.000000] ',
  '\n',
  '\r\n',
  ' ',
  'x',
];

const text = fc.oneof(fc.string({ unit: fc.constantFrom(...pieces), maxLength: 30 }), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

test('the reader never throws on arbitrary text, and every report names only lines it read', () => {
  fc.assert(
    fc.property(text, (input) => {
      const reports = readFaultLog(input);
      const read = readLines(input);
      const lineCount = input.split('\n').length;
      for (const report of reports) {
        const [first, last] = report.lines;
        assert.ok(first >= 1 && first <= last && last <= lineCount);
        // The report's first and last lines are lines the reader understood, not lines it skipped.
        assert.ok(read.some((l) => l.first === first));
        assert.ok(read.some((l) => l.last === last));
      }
      for (const line of read) assert.notEqual(messageOf(line.text.replace('\n', '')).trim(), '');
    }),
    { numRuns: 2000 },
  );
});
