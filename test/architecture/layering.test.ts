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
  /** Of the emulator, only its public modules (docs/architecture.md, "The emulator's public face"). */
  emulatorPublicOnly?: boolean;
}

/**
 * The emulator's public modules: its read-only face (inspect/), the one door for commands
 * (the Machine) with the events it sends up and the plain data they carry, the scenario
 * language, compiling a scenario into its model, the language server's predictions, and
 * 64-bit formatting. Everything else (smmu/, pgtable/, memory/, kernel/, the machine's
 * insides, cli/) is the emulator's own.
 */
const publicEmulatorModules: readonly RegExp[] = [
  /^emulator\/inspect\/[A-Za-z0-9]+$/,
  /^emulator\/analysis\/[A-Za-z0-9]+$/,
  /^emulator\/language\/(checker\/)?[A-Za-z0-9]+$/,
  /^emulator\/machine\/(machine|events|state)$/,
  /^emulator\/scenario\/(compile|model)$/,
  /^emulator\/util\/u64$/,
];

const rules: readonly Rule[] = [
  { folder: 'emulator', folders: [], packages: [] },
  { folder: 'server', folders: ['emulator'], packages: ['vscode-languageserver', 'vscode-languageserver-textdocument'], emulatorPublicOnly: true },
  { folder: 'debug-adapter', folders: ['emulator'], packages: ['@vscode/debugadapter', '@vscode/debugprotocol'], emulatorPublicOnly: true },
  {
    folder: 'client',
    folders: [],
    // The inline adapter is started in the extension host; everything else goes through DAP,
    // with the custom requests' types from the one file that declares them.
    // The fault-log requests' names and shapes are the language server's, in a file that imports nothing.
    files: ['debug-adapter/session', 'debug-adapter/scenarioReader', 'debug-adapter/protocol', 'server/faultLogRequests'],
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
    if (folder === 'emulator' && rule.folder !== 'emulator' && rule.emulatorPublicOnly && !publicEmulatorModules.some((m) => m.test(target))) {
      return `${file} imports ${target}, which is not one of the emulator's public modules`;
    }
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

test('the adapter and the server reach the emulator through its public modules only', () => {
  const adapter = rules.find((r) => r.folder === 'debug-adapter');
  assert.ok(adapter);
  assert.equal(violation(adapter, 'debug-adapter/session.ts', '../emulator/inspect/streams'), undefined);
  assert.equal(violation(adapter, 'debug-adapter/session.ts', '../emulator/machine/machine'), undefined);
  assert.equal(
    violation(adapter, 'debug-adapter/session.ts', '../emulator/smmu/v3/ste'),
    "debug-adapter/session.ts imports emulator/smmu/v3/ste, which is not one of the emulator's public modules",
  );
  assert.equal(
    violation(adapter, 'debug-adapter/variables/scopes.ts', '../../emulator/machine/engines'),
    "debug-adapter/variables/scopes.ts imports emulator/machine/engines, which is not one of the emulator's public modules",
  );
});
