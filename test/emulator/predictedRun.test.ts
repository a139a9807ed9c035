import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { predictRun, RunTransaction } from '../../emulator/analysis/predictedRun';
import { V3Structures } from '../../emulator/inspect/v3Structures';
import { Transaction } from '../../emulator/language/ast';
import { compileScenario } from '../../emulator/scenario/compile';
import { ScenarioModel } from '../../emulator/scenario/model';
import { repoPath } from '../helpers/repo';

/*
 * emulator/analysis/predictedRun.ts files what the machine did under each written
 * transaction, on SMMUv2 and SMMUv3 alike; v3Structures.ts reads back what Linux wrote at boot.
 */

function modelOf(text: string): ScenarioModel {
  const model = compileScenario(text).model;
  assert.ok(model, 'the scenario has errors');
  return model;
}

/** The written transactions of engine `engine` (0-based), in program order. */
function transactionsOf(model: ScenarioModel, engine: number): Transaction[] {
  return (model.engines[engine]?.program ?? []).flatMap((op) => (op.op === 'transaction' ? [op.node] : []));
}

/** Four reads that stall on an event queue of two entries: the last two stall records wait for room. */
const waiting = `smmu s { version v3; eventq 2 }
domain d { fault stall; map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d; can-stall }
engine m.e { outstanding 8; repeat 4 { read 0x10_0000 + i*0x1000 64 as r } }
handler h on d { map page -> 0x9000_0000 rw; retry }
`;

describe('predictRun', () => {
  test('stall records that meet a full queue are written later, never dropped; each transaction keeps its STAG and its answer', () => {
    const model = modelOf(waiting);
    const run = predictRun(model);
    assert.ok(run);
    assert.equal(run.stop, 'finished');
    assert.equal(run.stopMessage, undefined);
    const [site] = transactionsOf(model, 0);
    assert.ok(site);
    const list = run.sites.get(site) ?? [];
    assert.deepEqual(
      list.map((t) => [t.iterations, t.stag, t.event?.kind === 'written' ? [t.event.index, t.event.time - (t.fault?.time ?? 0)] : t.event?.kind, t.response, t.status, t.pa]),
      [
        [[0], 0, [0, 0], 'retry', 'completed', 0x9000_0000n],
        [[1], 1, [1, 0], 'retry', 'completed', 0x9000_0000n],
        [[2], 2, [0, 3], 'retry', 'completed', 0x9000_0000n],
        [[3], 3, [1, 3], 'retry', 'completed', 0x9000_0000n],
      ],
    );
    assert.equal(run.counters['dropped-events'], 0);
  });

  test('a run that does not end is cut at the budget: what it did so far, and the machine\'s reason', () => {
    const model = modelOf(waiting.replace('map page -> 0x9000_0000 rw; ', ''));
    const run = predictRun(model, 500);
    assert.ok(run);
    assert.equal(run.stop, 'budget');
    assert.match(run.stopMessage ?? '', /^the run did not end within 500 events \(cycle \d+\): transaction #\d of m\.e \(line 4\) has faulted \d+ times/);
    const [site] = transactionsOf(model, 0);
    // Each read is between a retry and its next stall when the budget runs out: none ended.
    assert.deepEqual((site && run.sites.get(site)?.map((t) => [t.stag, t.response, t.status])) ?? [], [
      [0, 'retry', 'pending'],
      [1, 'retry', 'pending'],
      [2, 'retry', 'pending'],
      [3, 'retry', 'pending'],
    ]);
  });

  test('page requests: the group of each transaction, its PRI queue slot, and which request carried Last', () => {
    const model = modelOf(readFileSync(repoPath('examples', 'sva-pri-page-requests.iommu'), 'utf8'));
    const run = predictRun(model);
    assert.ok(run);
    const [rx] = transactionsOf(model, 0);
    const [tx] = transactionsOf(model, 1);
    assert.ok(rx && tx);
    assert.deepEqual(run.sites.get(rx)?.map((t) => t.pageRequest), [
      { prgi: 0, sent: { index: 0, last: false } },
      { prgi: 0, sent: { index: 3, last: false } },
      { prgi: 0, sent: { index: 4, last: false } },
      { prgi: 0, sent: { index: 5, last: true } },
    ]);
    assert.deepEqual(run.sites.get(tx)?.map((t) => t.pageRequest), [
      { prgi: 1, sent: { index: 1, last: false } },
      { prgi: 1, sent: { index: 2, last: true } },
    ]);
  });

  test('SMMUv2, CFCFG=0 and HUPCF=0: the fault is terminated, and the reads behind it are RAZ without a walk, in the trace\'s words', () => {
    const model = modelOf(readFileSync(repoPath('examples', 'a530-fault-no-stall.iommu'), 'utf8'));
    const run = predictRun(model);
    assert.ok(run);
    assert.equal(run.stop, 'finished');
    const [ok, bad] = transactionsOf(model, 0);
    const [tex] = transactionsOf(model, 1);
    assert.ok(ok && bad && tex);
    const story = (t: RunTransaction) => [t.iova, t.status, t.pa, t.how, t.fault && [t.fault.kind, t.fault.level, t.fault.reason], t.stall, t.response];
    assert.deepEqual(run.sites.get(ok)?.map(story), [[0x100_0000n, 'completed', 0x8000_0000n, 'walk, level 3 leaf', undefined, undefined, undefined]]);
    assert.deepEqual(run.sites.get(bad)?.map(story), [[0x700_0000n, 'raz', undefined, 'translation fault, CFCFG=0: terminated', ['translation', 2, 'L2[56] is invalid'], undefined, undefined]]);
    const terminated = 'terminated untranslated: FSR=0x402 holds a fault and HUPCF=0';
    assert.deepEqual(run.sites.get(tex)?.map(story), [
      [0x100_2000n, 'raz', undefined, terminated, undefined, undefined, undefined],
      [0x100_2040n, 'raz', undefined, terminated, undefined, undefined, undefined],
      [0x100_2080n, 'raz', undefined, terminated, undefined, undefined, undefined],
      [0x100_20c0n, 'raz', undefined, terminated, undefined, undefined, undefined],
    ]);
  });

  test('SMMUv2, CFCFG=1 and HUPCF=0: the fault stalls and is answered; the reads behind it stall behind it, then translate', () => {
    const model = modelOf(readFileSync(repoPath('examples', 'a530-stall-no-hupcf.iommu'), 'utf8'));
    const run = predictRun(model);
    assert.ok(run);
    const [, bad] = transactionsOf(model, 0);
    const [tex] = transactionsOf(model, 1);
    assert.ok(bad && tex);
    assert.deepEqual(run.sites.get(bad)?.map((t) => [t.status, t.stall, t.stag, t.response, t.how]), [['aborted', 'fault', undefined, 'terminate', 'RESUME terminate']]);
    assert.deepEqual(run.sites.get(tex)?.map((t) => [t.status, t.stall, t.pa, t.fault]), [
      ['completed', 'behind', 0x8000_2000n, undefined],
      ['completed', 'behind', 0x8000_2040n, undefined],
      ['completed', 'behind', 0x8000_2080n, undefined],
      ['completed', 'behind', 0x8000_20c0n, undefined],
    ]);
  });
});

describe('V3Structures', () => {
  test("a stream's STE and its CDs, read where programSmmuV3 put them", () => {
    const v3 = V3Structures.boot(modelOf(readFileSync(repoPath('examples', 'sva-pri-page-requests.iommu'), 'utf8')));
    assert.ok(v3);
    const [stream] = v3.streamsOf('nic');
    assert.ok(stream);
    assert.equal(stream.sid, 0x100);
    assert.equal(stream.ste.dwords[0], 0x4000_0000_4000_800bn);
    assert.deepEqual(
      stream.cds.map((c) => [c.ssid, c.domain, c.asid, c.cd.address]),
      [
        [0, 'dev_dom', 1, 0x4000_8000],
        [5, 'app_mm', 2, 0x4000_8140],
      ],
    );
    assert.deepEqual(v3.cdsOf('app_mm').map((c) => c.master), ['nic']);
    assert.deepEqual(v3.setup(0), { strtabBase: 0x4000_5000, sidBits: 9, eventq: { base: 0x4000_c000, log2size: 5 }, priq: { base: 0x4000_d000, log2size: 4 }, cmdq: { base: 0x4000_e000, log2size: 8 } });
  });
});
