import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

// The assertion files next to this test (`// SYNTAX TEST "source.iommu"`), checked by vscode-tmgrammar-test.
const caseFiles = readdirSync(repoPath('test', 'grammar')).filter((name) => name.endsWith('.test.iommu'));

test('the grammar test cases exist', () => {
  assert.ok(caseFiles.length >= 2, `found ${caseFiles.join(', ')}`);
});

for (const caseFile of caseFiles) {
  test(`grammar assertions hold: ${caseFile}`, () => {
    const run = runNode(repoPath('node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js'), [
      '--grammar',
      repoPath('syntaxes', 'iommu-scenario.tmLanguage.json'),
      '--compact',
      repoPath('test', 'grammar', caseFile),
    ]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /run successfuly/);
  });
}
