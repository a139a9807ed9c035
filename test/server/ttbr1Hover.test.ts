import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { completion } from '../../server/completion';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/**
 * The language server on examples/adreno-two-processes.iommu: hover on a transaction's
 * address walks the table the line's submit selects (`submit N pagetable NAME` for TTBR0,
 * the domain's TTBR1 for the upper range); completion offers `pagetable` and the pagetables
 * after a submit's ID.
 */

const text = readFileSync(repoPath('examples', 'adreno-two-processes.iommu'), 'utf8');
let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(text);
});

after(() => doc.close());

async function hoverText(needle: string, occurrence = 0): Promise<string> {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, 2, occurrence) });
  assert.ok(hover, `no hover on '${needle}'`);
  return (hover.contents as MarkupContent).value;
}

test('the file checks clean', async () => {
  assert.deepEqual(doc.diagnostics.filter((d) => d.severity === 1 || d.severity === 2), []);
});

test('hover: a TTBR1 address walks the TTBR1 table by its low 48 bits', async () => {
  const lines = (await hoverText('0xffff_ffff_f000_0040 64')).split('\n');
  assert.ok(lines.includes('read `0xffff_ffff_f000_0040` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom → gpu_dom (TTBR1)'), lines.join('\n'));
});

test('hover: the same address in submit 9 (pagetable proc7) and submit 10 (pagetable proc9) walks each one\'s table', async () => {
  // proc7's table: 0x4000_1000 (L0), 0x4000_2000 (L1), 0x4000_3000 (L2) — VA[38:30] = 4, VA[29:21] = 1 (D8.2.1, 4K granule).
  assert.equal(
    await hoverText('0x1_0020_0000 64', 0),
    [
      '**In the run**: translation fault at level 2: L2[1] is invalid (proc7 (pagetable, ASID 1)); stalls; answered terminate: aborted (RESUME terminate)',
      '',
      'read `0x0001_0020_0000` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom → proc7 (pagetable, ASID 1)',
      '',
      '_As the tables stand before the run (a handler may change them):_',
      '',
      '**translation fault at level 2**: L2[1] is invalid',
      '',
      '| level | index | descriptor at | value | meaning |',
      '|---|---|---|---|---|',
      '| L0 | 0 | `0x40001000` | `0x0000000040002003` | table → 0x40002000 |',
      '| L1 | 4 | `0x40002020` | `0x0000000040003003` | table → 0x40003000 |',
      '| L2 | 1 | `0x40003008` | `0x0000000000000000` | invalid |',
    ].join('\n'),
  );
  const right = (await hoverText('0x1_0020_0000 64', 1)).split('\n');
  assert.ok(right.includes('read `0x0001_0020_0000` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom → proc9 (pagetable, ASID 2)'), right.join('\n'));
});

/** Completion where `▮` stands, on a scenario that is not open in the server (completion reads the analysis only). */
function labels(source: string): string[] {
  const offset = source.indexOf('▮');
  const analysis = new Analysis(scenarioUri, 1, source.slice(0, offset) + source.slice(offset + 1));
  return completion(analysis, analysis.positionAt(offset))
    .map((item) => item.label)
    .sort();
}

test('completion: `pagetable` after a submit\'s ID, then the pagetables; `asid` and `map` in a pagetable block', () => {
  const head = text.slice(0, text.indexOf('engine gpu.cp'));
  assert.ok(labels(`${head}engine gpu.cp {\n  submit 3 ▮\n}\n`).includes('pagetable'));
  assert.deepEqual(labels(`${head}engine gpu.cp {\n  submit 3 pagetable ▮\n}\n`), ['proc7', 'proc9']);
  assert.deepEqual(labels(`${head}pagetable p on gpu_dom {\n  ▮\n}\n`), ['asid', 'map']);
});
