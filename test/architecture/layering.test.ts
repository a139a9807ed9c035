import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoPath, repoRoot } from '../helpers/repo';

/**
 * README "Layout": dependencies point one way —
 * client → debug-adapter → emulator, server → emulator — and the emulator knows no
 * editor protocol. Each rule lists what a folder's sources may import.
 */
interface Rule {
  folder: string;
  /** Folders of this repository it may import from (besides its own). */
  folders: readonly string[];
  /** Files of other folders it may import, by repository path without extension. */
  files?: readonly string[];
  /** npm packages it may import. */
  packages: readonly string[];
}

const rules: readonly Rule[] = [
  { folder: 'emulator', folders: [], packages: [] },
  { folder: 'server', folders: ['emulator'], packages: ['vscode-languageserver', 'vscode-languageserver-textdocument'] },
  { folder: 'debug-adapter', folders: ['emulator'], packages: ['@vscode/debugadapter', '@vscode/debugprotocol'] },
  {
    folder: 'client',
    folders: [],
    // The inline adapter is started in the extension host; everything else goes through DAP,
    // with the custom requests' types from the one file that declares them.
    files: ['debug-adapter/session', 'debug-adapter/scenarioReader', 'debug-adapter/protocol'],
    packages: ['vscode', 'vscode-languageclient'],
  },
  // Webview scripts run in the browser, bundled on their own: the messages they exchange with
  // the host and the timeline's shape, nothing else. (media/tsconfig.json has no Node types,
  // so Node's modules do not type-check there.)
  { folder: 'media', folders: [], files: ['client/timeline/messages', 'debug-adapter/protocol'], packages: [] },
];

function sourcesOf(folder: string): string[] {
  return readdirSync(repoPath(folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(repoPath(file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]);
  const requires = [...text.matchAll(/\b(?:require|import)\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]);
  return [...specifiers, ...requires].filter((s): s is string => s !== undefined);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Why `specifier` in `file` breaks `rule`, or undefined when it is allowed. */
function violation(rule: Rule, file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = path.relative(repoRoot, path.resolve(repoRoot, path.dirname(file), specifier)).split(path.sep).join('/');
    if (target === 'package.json') return undefined;
    const folder = target.split('/')[0] ?? '';
    if (folder === rule.folder || rule.folders.includes(folder) || rule.files?.includes(target)) return undefined;
    return `${file} imports ${target}`;
  }
  const name = packageName(specifier);
  if (builtinModules.includes(name.replace(/^node:/, '')) || rule.packages.includes(name)) return undefined;
  return `${file} imports the package ${name}`;
}

for (const rule of rules) {
  test(`${rule.folder}/ imports only what the architecture allows`, () => {
    const files = sourcesOf(rule.folder);
    assert.ok(files.length > 0, `${rule.folder}/ has no sources`);
    const problems = files.flatMap((file) =>
      importsOf(file).flatMap((specifier) => violation(rule, file, specifier) ?? []),
    );
    assert.deepEqual(problems, []);
  });
}

test('the import scanner sees every kind of import it must police', () => {
  const rule = rules[0];
  assert.ok(rule);
  assert.equal(violation(rule, 'emulator/cli/main.ts', 'vscode'), 'emulator/cli/main.ts imports the package vscode');
  assert.equal(violation(rule, 'emulator/cli/main.ts', '../../server/server'), 'emulator/cli/main.ts imports server/server');
  assert.equal(violation(rule, 'emulator/cli/main.ts', './args'), undefined);
  assert.equal(violation(rule, 'emulator/cli/main.ts', 'node:fs'), undefined);
});
