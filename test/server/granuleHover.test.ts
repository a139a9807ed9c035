import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/*
 * Hover in a 16K-granule domain (examples/granule-16k.iommu, ias 47): the walk table's
 * levels and indices are the 16K granule's (Arm ARM D8.2.9, Table D8-34: L1 IA[46:36],
 * L2 IA[35:25], L3 IA[24:14]); its tables are 16 KiB, from 0x4000_0000 up: the root, the
 * level-2 table the 32M block sits in (0x4000_4000), the level-3 table of the ring (0x4000_8000).
 */

const text = readFileSync(repoPath('examples', 'granule-16k.iommu'), 'utf8');
let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(text);
});

after(() => doc.close());

async function hoverText(needle: string, delta = 0): Promise<string> {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, delta) });
  assert.ok(hover, `no hover on '${needle}'`);
  return (hover.contents as MarkupContent).value;
}

test('a read past the ring: a level-3 fault, L3[3] of the 16K table that holds the ring', async () => {
  assert.equal(
    await hoverText('0x0400_c000', 3),
    [
      '**In the run**: translation fault at level 3: L3[3] is invalid; aborted (translation fault, CFCFG=0: terminated)',
      '',
      'read `0x0400_c000` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom',
      '',
      '_As the tables stand before the run (a handler may change them):_',
      '',
      '**translation fault at level 3**: L3[3] is invalid',
      '',
      '16K granule: 11 index bits a level, 2048 entries a table',
      '',
      '| level | index | descriptor at | value | meaning |',
      '|---|---|---|---|---|',
      '| L1 | 0 | `0x40000000` | `0x0000000040004003` | table → 0x40004000 |',
      '| L2 | 2 | `0x40004010` | `0x0000000040008003` | table → 0x40008000 |',
      '| L3 | 3 | `0x40008018` | `0x0000000000000000` | invalid |',
    ].join('\n'),
  );
});

test('a read inside the 32M block: the leaf is at level 2, L2[1]', async () => {
  const lines = (await hoverText('0x0300_1234', 3)).split('\n');
  assert.deepEqual(lines.slice(6), [
    '**0x0300_1234 → 0x8300_1234** (32M block, level 2)',
    '',
    'permissions priv rw-, unpriv rwx; memory cached (AttrIndx 1)',
    '',
    '16K granule: 11 index bits a level, 2048 entries a table',
    '',
    '| level | index | descriptor at | value | meaning |',
    '|---|---|---|---|---|',
    '| L1 | 0 | `0x40000000` | `0x0000000040004003` | table → 0x40004000 |',
    '| L2 | 1 | `0x40004008` | `0x0000000082000f45` | block 32M → 0x82000000 rw, AttrIndx 1 (cached), SH inner, AF, nG |',
  ]);
});

test('the granule setting: what it is on the hardware, and its default', async () => {
  const lines = (await hoverText('granule 16K', 1)).split('\n');
  assert.equal(lines[0], "**granule** — Translation granule of the domain's stage-1 table: TCR.TG0 on SMMUv2, CD.TG0 on SMMUv3 (io-pgtable-arm's ARM_64_LPAE_S1 with a 4K, 16K or 64K page).");
  assert.equal(lines.at(-1), 'default: `4K`');
});
