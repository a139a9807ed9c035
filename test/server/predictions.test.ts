import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HoverRequest, InlayHint, InlayHintRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/*
 * Issue 13: on SMMUv2 too, the inlay hints, hovers and "will fault" hints say what the run
 * does (emulator/analysis/prediction.ts), not what the tables say before it: the Adreno 530
 * scenarios, every transaction, including the reads made RAZ while FSR holds a fault and
 * those stalled behind it.
 */

const example = (name: string): string => readFileSync(repoPath('examples', name), 'utf8');

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(example('a530-fault-no-stall.iommu'));
});

after(() => doc.close());

async function inlays(): Promise<[number, string, string | undefined][]> {
  const hints: InlayHint[] = (await doc.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: scenarioUri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } })) ?? [];
  return hints.map((h) => [h.position.line + 1, typeof h.label === 'string' ? h.label : '', typeof h.tooltip === 'object' ? h.tooltip.value : h.tooltip]);
}

/** The first line of the hover on each address, in file order. */
async function hoverHeads(addresses: readonly string[]): Promise<string[]> {
  const heads: string[] = [];
  for (const address of addresses) {
    const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(address, 1) });
    heads.push(((hover?.contents as MarkupContent | undefined)?.value ?? '').split('\n')[0] ?? '');
  }
  return heads;
}

function predictedFaults(): [string, string | MarkupContent][] {
  return doc.diagnostics.filter((d) => d.code === 'predicted-fault').map((d) => [doc.textAt(d.range), d.message]);
}

const addresses = ['0x0100_0000 64', '0x0700_0000 64', '0x0100_2000 + i*64'];
const fault = 'translation fault at level 2: L2[56] is invalid';
const stalledTerminated = `${fault}; stalls; answered terminate: aborted (RESUME terminate)`;

describe('Adreno 530 predictions come from the run', () => {
  test('no stall, no HUPCF: the faulting read is terminated, the texture reads behind it are RAZ (the run: raz == 5)', async () => {
    await doc.change(example('a530-fault-no-stall.iommu'));
    const raz = 'raz (terminated untranslated: FSR=0x402 holds a fault and HUPCF=0)';
    assert.deepEqual(await inlays(), [
      [19, '→ 0x8000_0000', 'completed → 0x8000_0000'],
      [20, '→ translation fault · raz', `${fault}; raz (translation fault, CFCFG=0: terminated)`],
      [26, '→ raz', `${raz} (i = 0, 0x1002000) — 4 of 4 raz`],
    ]);
    assert.deepEqual(await hoverHeads(addresses), [
      '**In the run**: completed → 0x8000_0000',
      `**In the run**: ${fault}; raz (translation fault, CFCFG=0: terminated)`,
      `**In the run**: ${raz} (i = 0, 0x1002000) — 4 of 4 raz`,
    ]);
    assert.deepEqual(predictedFaults(), [
      ['0x0700_0000', `will fault: ${fault}; raz (translation fault, CFCFG=0: terminated)`],
      ['0x0100_2000 + i*64', `will fault: ${raz} (i = 0, 0x1002000) — 4 of 4 raz`],
    ]);
  });

  test('stall with HUPCF: only the faulting read waits, and is terminated; the texture reads translate', async () => {
    await doc.change(example('a530-stall-hupcf.iommu'));
    assert.deepEqual(await inlays(), [
      [20, '→ 0x8000_0000', 'completed → 0x8000_0000'],
      [21, '→ translation fault · stall · terminate: aborted', stalledTerminated],
      [28, '→ 0x8000_2000', 'completed → 0x8000_2000 (i = 0, 0x1002000) — 4 of 4 completed'],
    ]);
    assert.deepEqual(await hoverHeads(addresses), [
      '**In the run**: completed → 0x8000_0000',
      `**In the run**: ${stalledTerminated}`,
      '**In the run**: completed → 0x8000_2000 (i = 0, 0x1002000) — 4 of 4 completed',
    ]);
    assert.deepEqual(predictedFaults(), [['0x0700_0000', `will fault: ${stalledTerminated}`]]);
  });

  test('stall without HUPCF: the texture reads stall behind the fault, then translate once it is answered', async () => {
    await doc.change(example('a530-stall-no-hupcf.iommu'));
    const behind = 'stalls behind a fault (HUPCF=0); completed → 0x8000_2000 (i = 0, 0x1002000) — 4 of 4 completed, 4 stalled behind a fault (HUPCF=0)';
    assert.deepEqual(await inlays(), [
      [17, '→ 0x8000_0000', 'completed → 0x8000_0000'],
      [18, '→ translation fault · stall · terminate: aborted', stalledTerminated],
      [24, '→ stalled behind a fault · then → 0x8000_2000', behind],
    ]);
    const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position('0x0100_2000 + i*64', 1) });
    assert.deepEqual(((hover?.contents as MarkupContent | undefined)?.value ?? '').split('\n').slice(0, 8), [
      `**In the run**: ${behind}`,
      '',
      '| i | IOVA | in the run |',
      '|---|---|---|',
      '| 0 | `0x1002000` | stalls behind a fault (HUPCF=0); completed → 0x8000_2000 |',
      '| 1 | `0x1002040` | stalls behind a fault (HUPCF=0); completed → 0x8000_2040 |',
      '| 2 | `0x1002080` | stalls behind a fault (HUPCF=0); completed → 0x8000_2080 |',
      '| 3 | `0x10020c0` | stalls behind a fault (HUPCF=0); completed → 0x8000_20c0 |',
    ]);
    // They complete: no "will fault" on them.
    assert.deepEqual(predictedFaults(), [['0x0700_0000', `will fault: ${stalledTerminated}`]]);
  });

  test('a transaction the run never issues (its engine hangs on a stall nothing answers) gets the static walk, which says so', async () => {
    // Before 6.16 nothing answers a stall the worker leaves unanswered.
    const text = `smmu s { version v2 }
domain d { fault stall; map 0x0100_0000 -> 0x8000_0000 size 1M rw }
master m { stream 0x1; domain d; can-stall }
engine m.e {
  outstanding 1
  read 0x0700_0000 64 as stuck
  read 0x0100_0000 64 as never
}
handler h on d { context workqueue; log "no answer" }
kernel 6.12
`;
    await doc.change(text);
    assert.deepEqual(await inlays(), [
      [6, '→ translation fault · stall · stalled', `${fault}; stalls; still stalled when the run ends`],
      [7, '→ 0x8000_0000', 'translates → 0x8000_0000 — as the tables stand before the run (the run did not reach it)'],
    ]);
    assert.deepEqual(predictedFaults(), [['0x0700_0000', `will fault: ${fault}; stalls; still stalled when the run ends`]]);
    const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position('0x0100_0000 64 as never', 1) });
    const lines = ((hover?.contents as MarkupContent | undefined)?.value ?? '').split('\n');
    assert.equal(lines[0], '**0x0100_0000 → 0x8000_0000** (4K page, level 3)');
    assert.equal(lines.at(-1), '_As the tables stand before the run (the run did not reach it)._');
  });
});
