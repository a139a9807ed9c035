import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { distPath, repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

const cli = distPath('cli');
const { version } = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };

test('dist/cli.js is an executable script with a node shebang', () => {
  assert.match(readFileSync(cli, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('--version prints the package version', () => {
  const run = runNode(cli, ['--version']);
  assert.equal(run.status, 0);
  assert.equal(run.stdout, `iommu-debug ${version}\n`);
  assert.equal(run.stderr, '');
});

test('no arguments prints the usage and succeeds', () => {
  const run = runNode(cli, []);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^usage: iommu-debug COMMAND/);
});

test('an unknown command is a usage error: exit 2, one error line, the usage, no stack trace', () => {
  const run = runNode(cli, ['frobnicate']);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  const [first] = run.stderr.split('\n');
  assert.equal(first, "iommu-debug: error: unknown command 'frobnicate'");
  assert.match(run.stderr, /usage: iommu-debug/);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

test('an unknown option is a usage error', () => {
  const run = runNode(cli, ['--frob']);
  assert.equal(run.status, 2);
  assert.equal(run.stderr.split('\n')[0], "iommu-debug: error: unknown option '--frob'");
});
