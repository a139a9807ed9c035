import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Hover, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

const a530 = readFileSync(repoPath('examples', 'a530-fault-no-stall.iommu'), 'utf8');
let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(a530);
});

after(() => doc.close());

async function hoverAt(needle: string, delta = 0, occurrence = 0): Promise<Hover | null> {
  return doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, delta, occurrence) });
}

async function hoverText(needle: string, delta = 0, occurrence = 0): Promise<string> {
  const hover = await hoverAt(needle, delta, occurrence);
  assert.ok(hover, `no hover on '${needle}'`);
  return (hover.contents as MarkupContent).value;
}

test('an address that will fault: what the run did, the route and the walk down to the invalid entry', async () => {
  const hover = await hoverAt('0x0700_0000', 3);
  assert.ok(hover);
  assert.deepEqual(hover.range, doc.range('0x0700_0000'));
  assert.equal(
    (hover.contents as MarkupContent).value,
    [
      '**In the run**: translation fault at level 2: L2[56] is invalid; raz (translation fault, CFCFG=0: terminated)',
      '',
      'read `0x0700_0000` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom',
      '',
      '_As the tables stand before the run (a handler may change them):_',
      '',
      '**translation fault at level 2**: L2[56] is invalid',
      '',
      '| level | index | descriptor at | value | meaning |',
      '|---|---|---|---|---|',
      '| L0 | 0 | `0x40000000` | `0x0000000040001003` | table → 0x40001000 |',
      '| L1 | 0 | `0x40001000` | `0x0000000040002003` | table → 0x40002000 |',
      '| L2 | 56 | `0x400021c0` | `0x0000000000000000` | invalid |',
    ].join('\n'),
  );
});

test('reads the run makes RAZ while FSR holds the fault (HUPCF=0): each iteration, then the walk they never made, with its leaf', async () => {
  const text = await hoverText('0x0100_2000 + i*64', 5);
  const terminated = 'raz (terminated untranslated: FSR=0x402 holds a fault and HUPCF=0)';
  assert.equal(
    text,
    [
      `**In the run**: ${terminated} (i = 0, 0x1002000) — 4 of 4 raz`,
      '',
      '| i | IOVA | in the run |',
      '|---|---|---|',
      `| 0 | \`0x1002000\` | ${terminated} |`,
      `| 1 | \`0x1002040\` | ${terminated} |`,
      `| 2 | \`0x1002080\` | ${terminated} |`,
      `| 3 | \`0x10020c0\` | ${terminated} |`,
      '',
      'read `0x0100_2000` (for i = 0) from gpu.tp: stream 0x0 → master gpu → domain gpu_dom',
      '',
      '_As the tables stand before the run (a handler may change them):_',
      '',
      '**0x0100_2000 → 0x8000_2000** (4K page, level 3)',
      '',
      'permissions priv rw-, unpriv rwx; memory cached (AttrIndx 1)',
      '',
      '| level | index | descriptor at | value | meaning |',
      '|---|---|---|---|---|',
      '| L0 | 0 | `0x40000000` | `0x0000000040001003` | table → 0x40001000 |',
      '| L1 | 0 | `0x40001000` | `0x0000000040002003` | table → 0x40002000 |',
      '| L2 | 8 | `0x40002040` | `0x0000000040003003` | table → 0x40003000 |',
      '| L3 | 2 | `0x40003010` | `0x0000000080002f47` | page → 0x80002000 rw, AttrIndx 1 (cached), SH inner, AF, nG |',
    ].join('\n'),
  );
});

test('a file with errors does not run: the static walk, saying so', async () => {
  await doc.change(a530.replace('hupcf off', 'hupcf maybe'));
  try {
    const lines = (await hoverText('0x0700_0000', 3)).split('\n');
    assert.equal(lines[0], '**translation fault at level 2**: L2[56] is invalid');
    assert.equal(lines.at(-3), 'read `0x0700_0000` from gpu.cp: stream 0x0 → master gpu → domain gpu_dom');
    assert.equal(lines.at(-1), '_As the tables stand before the run (the file has errors, so it does not run)._');
  } finally {
    await doc.change(a530);
  }
});

test("a map's address: the first page's walk in its domain", async () => {
  const text = await hoverText('0x8000_0000', 2);
  assert.match(text, /^\*\*0x0100_0000 → 0x8000_0000\*\* \(4K page, level 3\)\n/);
  assert.match(text, /the first page of this map in domain gpu_dom/);
});

test("a domain's name: its configuration and the SCTLR Linux writes for it", async () => {
  assert.equal(
    await hoverText('gpu_dom', 1),
    [
      '**domain gpu_dom**',
      '',
      'on smmu kgsl: ias 48 (4 levels from L0), oas 40',
      '',
      'faults terminate; terminated transactions read as zero (RAZ/WI)',
      '',
      'SCTLR 0x00001047 (CFCFG=0, HUPCF=0, CFRE=0)',
      '',
      '1 map: 0x0100_0000 → 0x8000_0000 (0x100000)',
    ].join('\n'),
  );
});

test('an engine: how it issues and where its transactions go; a label: who carries it', async () => {
  assert.equal(
    await hoverText('gpu.tp', 4),
    ['**engine gpu.tp**', '', 'issues 4 transactions; the first at cycle 50, then every 10, at most 4 in flight', '', 'stream 0x0 → domain gpu_dom'].join('\n'),
  );
  assert.equal(await hoverText('as tex', 4), ['**label tex**', '', '- `read 0x0100_2000 + i*64 64` in gpu.tp, line 26 (every iteration of its repeat)'].join('\n'));
});

test('a setting: what it is on the hardware, with what 0 and 1 do', async () => {
  const text = await hoverText('hupcf off', 1);
  assert.equal(
    text,
    [
      '**hupcf** (SMMUv2) — SCTLR.HUPCF, bit 8: Hit Under Previous Context Fault.',
      '',
      'off (0): while FSR holds a fault, or a transaction is stalled, every later transaction of the context bank is terminated, or stalls behind it, without being translated. on (1): later transactions translate independently; a later faulting one stalls too.',
      '',
      'default: `off`',
    ].join('\n'),
  );
  assert.match(await hoverText('report raz', 8), /^\*\*report\*\* — How a terminated transaction ends: SCTLR\.CFRE \(bit 5\)/);
});

test('between a setting and its value, on text the parser skipped: no hover (a fuzzer finding: it described the value)', async () => {
  await doc.change(a530.replace('hupcf off', 'hupcf @@ off'));
  try {
    assert.equal(await hoverAt('@@', 1), null);
    assert.deepEqual((await hoverAt('hupcf @@', 2))?.range, doc.range('hupcf'));
    assert.deepEqual((await hoverAt('off', 1))?.range, doc.range('off'));
  } finally {
    await doc.change(a530);
  }
});

test('keywords, fault fields and counters explain themselves', async () => {
  assert.match(await hoverText('dump ', 1), /^`dump`: a crash dump — registers, fault syndrome/);
  assert.equal(await hoverText('{iova}', 2), '**iova** (fault field) — the faulting input address (FAR on SMMUv2, InputAddr on SMMUv3)');
  assert.equal(await hoverText('raz == 5', 1), '**raz** (counter) — transactions terminated as RAZ/WI (reads returned zeros, writes dropped)');
});

test('nothing in a comment', async () => {
  assert.equal(await hoverAt('terminated without', 2), null);
});

test('the server works on unsaved text: a change is what the next hover sees', async () => {
  await doc.change(a530.replace('map 0x0100_0000 -> 0x8000_0000 size 1M rw', 'map 0x0100_0000 -> 0x8000_0000 size 1M rw\n  map 0x0700_0000 -> 0x9000_0000 size 4K rw'));
  const lines = (await hoverText('0x0700_0000', 3, 1)).split('\n');
  assert.equal(lines[0], '**In the run**: completed → 0x9000_0000');
  assert.ok(lines.includes('**0x0700_0000 → 0x9000_0000** (4K page, level 3)'), lines.join('\n'));
  await doc.change(a530);
});
