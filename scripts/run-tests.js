#!/usr/bin/env node
// @ts-check
// Runs the compiled tests (out/test/**/*.test.js) with node's built-in test runner.
// `unit`: everything that runs offline (`npm test`); `e2e`: out/test/e2e only.
'use strict';

const { readdirSync } = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const suite = process.argv[2];
if (suite !== 'unit' && suite !== 'e2e') {
  console.error('usage: node scripts/run-tests.js unit|e2e');
  process.exit(2);
}

const testRoot = path.join(__dirname, '..', 'out', 'test');
const e2eRoot = path.join(testRoot, 'e2e');
const files = readdirSync(testRoot, { recursive: true, encoding: 'utf8' })
  .map((file) => path.join(testRoot, file))
  .filter((file) => file.endsWith('.test.js'))
  .filter((file) => (suite === 'e2e') === file.startsWith(e2eRoot + path.sep))
  .sort();

if (files.length === 0) {
  console.error(`no compiled ${suite} tests under ${testRoot}: run \`npm run compile\` first`);
  process.exit(1);
}

const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
