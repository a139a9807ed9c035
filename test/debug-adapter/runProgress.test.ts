import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunProgress } from '../../debug-adapter/runProgress';

function recorder(): { said: string[]; progress: (clock: () => number) => RunProgress } {
  const said: string[] = [];
  return {
    said,
    progress: (clock) => new RunProgress({ start: (m) => said.push(`start ${m}`), update: (m) => said.push(`update ${m}`), end: () => said.push('end') }, clock),
  };
}

test('a short run shows nothing; a long one shows progress after 500 ms, updates it every 250 ms, and ends it when it stops', () => {
  let now = 1000;
  const { said, progress } = recorder();
  const p = progress(() => now);
  p.running();
  now += 300;
  p.tick(40, 2);
  p.stopped();
  assert.deepEqual(said, []);

  p.running();
  now += 499;
  p.tick(100, 10);
  now += 1;
  p.tick(2_000, 150);
  now += 100;
  p.tick(3_000, 200);
  now += 150;
  p.tick(1_234_567, 1_365_218);
  p.stopped();
  p.stopped();
  assert.deepEqual(said, ['start cycle 2,000 · 150 transactions', 'update cycle 1,234,567 · 1,365,218 transactions', 'end']);
});

test('a resume while already running keeps the first start time', () => {
  let now = 0;
  const { said, progress } = recorder();
  const p = progress(() => now);
  p.running();
  now = 400;
  p.running();
  now = 500;
  p.tick(10, 1);
  assert.deepEqual(said, ['start cycle 10 · 1 transaction']);
});
