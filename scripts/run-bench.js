#!/usr/bin/env node
// @ts-check
// `npm run bench`: runs every compiled benchmark (out/bench/*.bench.js, each exporting
// `run(): Promise<Record<string, number>>`) one after another and prints one JSON object,
// also kept in test-results/bench.json. `npm run --silent bench` prints nothing else.
'use strict';

const { mkdirSync, readdirSync, writeFileSync } = require('fs');
const path = require('path');

async function main() {
  const benchRoot = path.join(__dirname, '..', 'out', 'bench');
  const files = readdirSync(benchRoot).filter((file) => file.endsWith('.bench.js')).sort();
  /** @type {Record<string, number>} */
  const results = {};
  for (const file of files) {
    const bench = require(path.join(benchRoot, file));
    Object.assign(results, await bench.run());
  }
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const resultsDir = path.join(__dirname, '..', 'test-results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'bench.json'), json);
  process.stdout.write(json);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
