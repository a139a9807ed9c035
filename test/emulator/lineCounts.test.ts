import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineCounts } from '../../emulator/inspect/lineCounts';
import { readFileSync } from 'node:fs';
import { repoPath } from '../helpers/repo';
import { runScenario } from './helpers/scenario';

test('each line counts every transaction it issued, however long the run: not the journal, which keeps the newest few', () => {
  const { machine } = runScenario(
    `smmu s { version v2 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d }
engine m.e {
  repeat 3000 { read 0x0 + (i % 16) * 0x1000 64 }
  read 0x20_0000 4
}
`,
    { journalRecords: 100 },
  );
  assert.deepEqual(lineCounts(machine), [
    { line: 5, issued: 3000, completed: 3000, aborted: 0, raz: 0, stalled: 0, translating: 0, last: { status: 'completed', pa: 0x8000_7000n } },
    { line: 6, issued: 1, completed: 0, aborted: 1, raz: 0, stalled: 0, translating: 0, last: { status: 'aborted', pa: undefined } },
  ]);
});

test('the a530 story: the texture reads made RAZ while FSR holds the fault are counted RAZ', () => {
  const { machine } = runScenario(readFileSync(repoPath('examples', 'a530-fault-no-stall.iommu'), 'utf8'));
  assert.deepEqual(
    lineCounts(machine).map((c) => [c.line, c.issued, c.completed, c.raz]),
    [
      [19, 1, 1, 0],
      [20, 1, 0, 1],
      [26, 4, 0, 4],
    ],
  );
});
