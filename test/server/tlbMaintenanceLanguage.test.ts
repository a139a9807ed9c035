import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MarkupContent } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { completion } from '../../server/completion';
import { hover } from '../../server/hover';
import { phraseWords, statementSpec } from '../../emulator/language/grammarTable';
import { settingSpec } from '../../emulator/language/schema';
import { compileScenario } from '../../emulator/scenario/compile';
import { scenarioUri } from './helpers';

const cursor = '▮';

const scenario = `smmu s { version v2 }
domain d {
  dma lazy
  flush-queue 64
  flush-timeout 5000
  map 0x1000 -> 0x8000_1000 size 4K rw
}
master m { stream 0x0; domain d }
handler h on d {
  context thread
  unmap 0x1000 size 4K nosync
  sync
}
`;

function analysisOf(source: string): { analysis: Analysis; offset: number } {
  const offset = source.indexOf(cursor);
  const text = offset < 0 ? source : source.slice(0, offset) + source.slice(offset + cursor.length);
  return { analysis: new Analysis(scenarioUri, 1, text), offset };
}

/** The hover `delta` characters into the first `needle`. */
function hoverOf(needle: string, delta = 1): string {
  const analysis = new Analysis(scenarioUri, 1, scenario);
  const result = hover(analysis, analysis.positionAt(scenario.indexOf(needle) + delta));
  assert.ok(result, `no hover on '${needle}'`);
  return (result.contents as MarkupContent).value;
}

test('unmap … nosync, sync and the dma settings parse and check without a diagnostic', () => {
  const compiled = compileScenario(scenario);
  assert.deepEqual(compiled.diagnostics, []);
  assert.deepEqual(compiled.model?.domains[0]?.dma, { lazy: true, queueSize: 64, timeout: 5000 });
});

test('sync in a handler with no unmap … nosync: a warning that nothing is gathered', () => {
  const compiled = compileScenario(scenario.replace('size 4K nosync', 'size 4K'));
  assert.deepEqual(
    compiled.diagnostics.map((d) => [d.code, d.severity, d.message]),
    [
      [
        'sync-nothing-gathered',
        'warning',
        "nothing is gathered for 'sync': handler 'h' has no 'unmap … nosync' ('unmap' syncs before it returns, or in a 'dma lazy' domain leaves the IOVA to the flush queue), so iommu_iotlb_sync issues nothing on SMMUv3 and only a TLBSYNC on SMMUv2",
      ],
    ],
  );
});

test('a flush queue that is not a power of two is refused (the ring indexes with a mask)', () => {
  const compiled = compileScenario(scenario.replace('flush-queue 64', 'flush-queue 100'));
  assert.equal(compiled.diagnostics.length, 1);
});

test('hover on sync, nosync and dma comes from the tables', () => {
  assert.ok(hoverOf('  sync\n', 3).includes(statementSpec('handler', 'sync').doc));
  assert.ok(hoverOf('nosync').includes(phraseWords['nosync']?.doc ?? '?'));
  assert.ok(hoverOf('dma lazy').includes(settingSpec('domain', 'dma')?.summary ?? '?'));
});

test('completion offers nosync after a whole size, and sync among the handler statements', () => {
  const after = analysisOf(scenario.replace('size 4K nosync', `size 4K ${cursor}`));
  assert.deepEqual(completion(after.analysis, after.analysis.positionAt(after.offset)).map((i) => i.label), ['nosync']);
  const statement = analysisOf(scenario.replace('  sync\n', `  ${cursor}\n`));
  assert.ok(completion(statement.analysis, statement.analysis.positionAt(statement.offset)).some((i) => i.label === 'sync'));
});
