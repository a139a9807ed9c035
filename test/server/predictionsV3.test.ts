import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Diagnostic, DiagnosticSeverity, InlayHint, InlayHintRequest } from 'vscode-languageserver-protocol/node';
import { TraceFormatter } from '../../emulator/cli/trace';
import { Machine } from '../../emulator/machine/machine';
import { compileScenario } from '../../emulator/scenario/compile';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/*
 * Predicted faults behind an SMMUv3 come from a run of the emulator (emulator/analysis/prediction.ts):
 * the hint on each transaction's address and the inlay hint after it say what the CLI's run
 * shows — stalls with their STAG, page request groups and Last, event records written or
 * dropped, and how each ended. (SMMUv2: predictions.test.ts.)
 */

const example = (name: string): string => readFileSync(repoPath('examples', name), 'utf8');
const stalls = example('smmuv3-stalls-out-of-order.iommu');
const overflow = example('smmuv3-eventq-overflow.iommu');
const sva = example('sva-pri-page-requests.iommu');

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(stalls);
});

after(() => doc.close());

async function predicted(text: string): Promise<Diagnostic[]> {
  return (await doc.change(text)).diagnostics.filter((d) => d.code === 'predicted-fault');
}

async function inlays(): Promise<{ line: number; label: string; tooltip: string | undefined }[]> {
  const hints: InlayHint[] = (await doc.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: scenarioUri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } })) ?? [];
  return hints.map((h) => ({ line: h.position.line + 1, label: typeof h.label === 'string' ? h.label : '', tooltip: typeof h.tooltip === 'object' ? h.tooltip.value : h.tooltip }));
}

function hint(address: string, occurrence: number, message: string): Diagnostic {
  return { range: doc.range(address, occurrence), severity: DiagnosticSeverity.Hint, code: 'predicted-fault', source: 'iommu', message };
}

/** The CLI's readable trace of a scenario, made in this process as `iommu-debug run` makes it. */
function cliTrace(text: string): string[] {
  const model = compileScenario(text).model;
  assert.ok(model);
  const machine = new Machine(model);
  const trace = new TraceFormatter(machine);
  const lines: string[] = [];
  machine.on((event) => {
    const line = trace.format(event);
    if (line !== undefined) lines.push(line);
  });
  machine.run();
  return [...lines, ...trace.summary(machine.result())];
}

function traceHas(lines: readonly string[], pattern: RegExp, count = 1): void {
  assert.equal(lines.filter((l) => pattern.test(l)).length, count, `${pattern} in:\n${lines.join('\n')}`);
}

describe('predictions behind an SMMUv3', () => {
  test('stalls resumed out of order: each read stalls with its own STAG, and how each was answered', async () => {
    assert.deepEqual(await predicted(stalls), [
      hint('0x0700_0000', 0, 'will fault: translation fault at level 2: L2[56] is invalid; stalls with STAG 0x0; F_TRANSLATION → EVTQ[0]; answered retry: completed → 0x8800_0000'),
      hint('0x0710_0000', 0, 'will fault: translation fault at level 2: L2[56] is invalid; stalls with STAG 0x1; F_TRANSLATION → EVTQ[1]; answered terminate: raz (CMD_RESUME terminate)'),
    ]);
    assert.deepEqual(await inlays(), [
      {
        line: 17,
        label: '→ translation fault · stall STAG 0x0 · retry → 0x8800_0000',
        tooltip: 'translation fault at level 2: L2[56] is invalid; stalls with STAG 0x0; F_TRANSLATION → EVTQ[0]; answered retry: completed → 0x8800_0000',
      },
      { line: 18, label: '→ translation fault · stall STAG 0x1 · terminate: raz', tooltip: 'translation fault at level 2: L2[56] is invalid; stalls with STAG 0x1; F_TRANSLATION → EVTQ[1]; answered terminate: raz (CMD_RESUME terminate)' },
    ]);
    const trace = cliTrace(stalls);
    traceHas(trace, /gpu\.cp +read +0x7000000 64 as first \(line 17\) stalled stag 0x0$/);
    traceHas(trace, /EVTQ\[0\] ← F_TRANSLATION sid 0x10 stag 0x0 stall read 0x7000000$/);
    traceHas(trace, /EVTQ\[1\] ← F_TRANSLATION sid 0x10 stag 0x1 stall read 0x7100000$/);
    traceHas(trace, /as first \(line 17\) → 0x88000000 completed/);
    traceHas(trace, /as second \(line 18\) raz \(CMD_RESUME terminate\)$/);
  });

  test('an event queue overflow: the first faulting iteration, then all of them — records written and dropped', async () => {
    assert.deepEqual(await predicted(overflow), [
      hint(
        '0x0100_0000 + i*0x2000',
        0,
        'will fault: translation fault at level 3: L3[16] is invalid (i = 8, 0x1010000); F_TRANSLATION → EVTQ[0]; aborted (translation fault, CD.S=0: terminated (CD.A=1)) — 8 of 16 fault: 6 event records written, 2 dropped (EVTQ full, PROD.OVFLG toggled); 8 aborted',
      ),
    ]);
    // The first iteration translates; the tooltip tells all sixteen.
    assert.deepEqual(await inlays(), [
      { line: 21, label: '→ 0x8000_0000', tooltip: 'completed → 0x8000_0000 (i = 0, 0x1000000) — 8 of 16 fault: 6 event records written, 2 dropped (EVTQ full, PROD.OVFLG toggled); 8 aborted' },
    ]);
    const trace = cliTrace(overflow);
    traceHas(trace, /EVTQ\[0\] ← F_TRANSLATION sid 0x1 read 0x1010000$/);
    traceHas(trace, /EVTQ\[\d\] ← F_TRANSLATION/, 6);
    traceHas(trace, /EVTQ full: F_TRANSLATION .* discarded/, 2);
    traceHas(trace, /PROD\.OVFLG toggles$/, 1);
    traceHas(trace, /aborted 8, events 6, dropped-events 2$/);
  });

  test('PRI page requests: one group per submit, Last on its final request, the groups answered Success', async () => {
    assert.deepEqual(await predicted(sva), [
      hint(
        '0x4000_0000 + i*0x1000',
        0,
        'will fault: translation fault at level 0: L0[0] is invalid; ATS translation failed: page request in group 0x0 (i = 0, 0x40000000); its page request goes to PRIQ[0]; answered success: completed → 0x9000_0000 — 4 of 4 fault: group 0x0 of 4 page requests, Last=1 on 0x40003000; 4 completed',
      ),
      hint(
        '0x4010_0000 + i*0x1000',
        0,
        'will fault: translation fault at level 0: L0[0] is invalid; ATS translation failed: page request in group 0x1 (i = 0, 0x40100000); its page request goes to PRIQ[1]; answered success: completed → 0x9010_0000 — 2 of 2 fault: group 0x1 of 2 page requests, Last=1 on 0x40101000; 2 completed',
      ),
    ]);
    assert.deepEqual(
      (await inlays()).map((h) => [h.line, h.label]),
      [
        [18, '→ translation fault · page request group 0x0 · success → 0x9000_0000'],
        [22, '→ translation fault · page request group 0x1 · success → 0x9010_0000'],
      ],
    );
    const trace = cliTrace(sva);
    traceHas(trace, /PRIQ\[0\] ← PPR sid 0x100 ssid 5 prgi 0x0 0x40000000$/);
    traceHas(trace, /PRIQ\[1\] ← PPR sid 0x100 ssid 5 prgi 0x1 0x40100000$/);
    traceHas(trace, /PRIQ\[\d\] ← PPR .* prgi 0x0 0x40003000 last$/);
    traceHas(trace, /PRIQ\[\d\] ← PPR .* prgi 0x1 0x40101000 last$/);
    traceHas(trace, / last$/, 2);
    traceHas(trace, /nic\.rx +read +0x4000\d000 64 as rx \(line 18\) → 0x9000\d000 completed/, 4);
  });

  test('stall records that wait for room in a full event queue, and a run that does not end', async () => {
    const text = `smmu s { version v3; eventq 2 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d; can-stall }
engine m.e { outstanding 8; repeat 4 { read 0x10_0000 + i*0x1000 64 as r } }
handler h on d { map page -> 0x9000_0000 rw; retry }
`;
    assert.deepEqual((await predicted(text)).map((d) => d.message), [
      'will fault: translation fault at level 3: L3[256] is invalid (i = 0, 0x100000); stalls with STAG 0x0; F_TRANSLATION → EVTQ[0]; answered retry: completed → 0x9000_0000 — 4 of 4 fault: 4 stalls (STAG 0x0, 0x1, 0x2, 0x3); 2 stall records waited for room in the full EVTQ; 4 completed',
    ]);
    // A runaway run stops at the prediction's budget; a transaction it never reached gets the static walk's prediction, which says so.
    const runawayText = text.replace('map page -> 0x9000_0000 rw; ', '').replace('handler h', 'engine m.late { start 1000000; read 0x20_0000 64 as late }\nhandler h');
    const [runaway, late] = await predicted(runawayText);
    assert.equal(late?.message, 'will fault: translation fault at level 2: L2[1] is invalid — as the tables stand before the run (the run stopped before reaching it)');
    assert.match(
      typeof runaway?.message === 'string' ? runaway.message : '',
      /^will fault: translation fault at level 3: L3\[256\] is invalid \(i = 0, 0x100000\); stalls with STAG 0x0; F_TRANSLATION → EVTQ\[0\]; still stalled when the prediction stopped \(the run did not end within 25000 events \(cycle \d+\): transaction #0 of m\.e \(line 4\) has faulted \d+ times — a handler keeps answering retry without fixing what faults\) — 4 of 4 fault: 4 stalls \(STAG 0x0, 0x1, 0x2, 0x3\); 2 stall records waited for room in the full EVTQ; 4 still stalled$/,
    );
  });

  test('configuration events: a PASID the master does not bind, an unattached master', async () => {
    const text = sva.replace('read 0x4010_0000 + i*0x1000 64 pasid 5', 'read 0x4010_0000 + i*0x1000 64 pasid 6');
    const [, tx] = await predicted(text);
    assert.equal(
      tx?.message,
      'will fault: C_BAD_CD: CD 6 of StreamID 0x100 is not valid (V=0) (i = 0, 0x40100000); C_BAD_CD → EVTQ[0]; aborted — 2 of 2 fault: 2 aborted',
    );
    const unattached = 'smmu s { version v3 }\ndomain d { }\nmaster m { stream 0x1 }\nengine m.e { read 0x0 64 }\n';
    assert.deepEqual(await predicted(unattached), [hint('0x0', 0, 'will fault: aborted (STE.Config=abort: StreamID 0x1 has no domain attached)')]);
    assert.deepEqual((await inlays()).map((h) => h.label), ['→ aborted']);
  });

  test('a scenario with errors does not run: the static walk predicts, in the domain bound at the PASID', async () => {
    const text = sva.replace('domain dev_dom { map 0x0 ->', 'domain dev_dom { map 0x1 ->');
    assert.deepEqual(
      (await predicted(text)).map((d) => d.message),
      [
        'will fault: translation fault at level 0: L0[0] is invalid (i = 0, 0x40000000) — as the tables stand before the run (the file has errors, so it does not run)',
        'will fault: translation fault at level 0: L0[0] is invalid (i = 0, 0x40100000) — as the tables stand before the run (the file has errors, so it does not run)',
      ],
    );
    assert.deepEqual(
      (await inlays()).map((h) => [h.label, h.tooltip]),
      [
        ['→ translation fault', 'translation fault at level 0: L0[0] is invalid (i = 0, 0x40000000) — as the tables stand before the run (the file has errors, so it does not run)'],
        ['→ translation fault', 'translation fault at level 0: L0[0] is invalid (i = 0, 0x40100000) — as the tables stand before the run (the file has errors, so it does not run)'],
      ],
    );
  });
});
