import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzers } from './fuzzers';

/** `npm test` runs every fuzzer for its few hundred cases from this seed: the same cases every run. */
const SEED = 20261207;

for (const target of fuzzers) {
  test(`fuzz ${target.name}: ${target.testCount} ${target.unit} from seed ${SEED} keep every promise`, async () => {
    const outcome = await target.run({ seed: SEED, count: target.testCount });
    if (!outcome.ok) assert.fail(`${outcome.error}\nreplay: npm run fuzz -- --target ${outcome.target} --seed ${outcome.seed} --path ${outcome.path} --count 1\nreproduction:\n${outcome.reproduction.map((r) => `--- ${r.name}\n${r.text}`).join('\n')}`);
    assert.equal(outcome.cases, target.testCount);
  });
}
