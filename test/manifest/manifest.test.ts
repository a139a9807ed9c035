import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseLaunchArguments } from '../../debug-adapter/launchArguments';
import { repoPath } from '../helpers/repo';
import { manifest } from './manifest';

const { languages, grammars, breakpoints, debuggers, commands } = manifest.contributes;

function readJson(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(repoPath(relative), 'utf8')) as Record<string, unknown>;
}

test('the iommu-scenario language owns .iommu and has a language configuration', () => {
  assert.deepEqual(
    languages.map((l) => [l.id, l.extensions]),
    [['iommu-scenario', ['.iommu']]],
  );
  const configuration = readJson(languages[0]?.configuration ?? '');
  assert.deepEqual(configuration['comments'], { lineComment: '//', blockComment: ['/*', '*/'] });
});

test('the grammar file exists and declares the scope the manifest names', () => {
  const [grammar] = grammars;
  assert.ok(grammar);
  assert.equal(grammar.language, 'iommu-scenario');
  assert.equal(readJson(grammar.path)['scopeName'], grammar.scopeName);
});

test('breakpoints can be set in scenario files', () => {
  assert.deepEqual(breakpoints, [{ language: 'iommu-scenario' }]);
});

test('the iommu debugger: its initial configuration and snippets are launches the adapter accepts', () => {
  const [debuggerContribution] = debuggers;
  assert.ok(debuggerContribution);
  assert.equal(debuggerContribution.type, 'iommu');
  assert.deepEqual(debuggerContribution.languages, ['iommu-scenario']);
  const launch = debuggerContribution.configurationAttributes.launch;
  assert.deepEqual(launch.required, ['scenario']);
  assert.deepEqual(Object.keys(launch.properties).sort(), ['cwd', 'maxEvents', 'maxSeconds', 'scenario', 'stopOnEntry', 'stopOnFault', 'trace']);
  const bodies = [...debuggerContribution.initialConfigurations, ...debuggerContribution.configurationSnippets.map((s) => s.body)];
  assert.equal(bodies.length, 4);
  for (const body of bodies) {
    assert.equal(body['type'], 'iommu');
    assert.equal(body['request'], 'launch');
    assert.match(String(body['scenario']), /\$\{file\}/);
    assert.doesNotThrow(() => parseLaunchArguments(body));
  }
});

test('activation: on the language, on debug resolve, and on every contributed command', () => {
  const events = manifest.activationEvents;
  assert.ok(events.includes('onLanguage:iommu-scenario'));
  assert.ok(events.includes('onDebugResolve:iommu'));
  for (const { command } of commands) assert.ok(events.includes(`onCommand:${command}`), command);
});

test('main and bin point at the webpack bundles', () => {
  assert.equal(manifest.main, './dist/extension.js');
  assert.deepEqual(manifest.bin, { 'iommu-debug': './dist/cli.js' });
  for (const bundle of ['extension', 'server', 'debug-adapter', 'cli']) {
    assert.ok(existsSync(repoPath('dist', `${bundle}.js`)), `dist/${bundle}.js`);
    assert.ok(existsSync(repoPath('dist', `${bundle}.js.map`)), `dist/${bundle}.js.map`);
  }
});
