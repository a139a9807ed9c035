import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileScenario } from '../../../emulator/scenario/compile';
import { closestWord, editDistance } from '../../../emulator/language/suggestions';

describe('edit distance', () => {
  test('insertions, deletions, substitutions and neighbouring swaps each cost one', () => {
    assert.equal(editDistance('stall', 'stall'), 0);
    assert.equal(editDistance('stal', 'stall'), 1);
    assert.equal(editDistance('stalll', 'stall'), 1);
    assert.equal(editDistance('stoll', 'stall'), 1);
    assert.equal(editDistance('gpu_dmo', 'gpu_dom'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

describe('the word meant', () => {
  test('the nearest candidate within a third of the word (at least one edit), case aside', () => {
    assert.equal(closestWord('domian', ['smmu', 'domain', 'master']), 'domain');
    assert.equal(closestWord('Domain', ['smmu', 'domain']), 'domain');
    assert.equal(closestWord('gpx', ['gpu', 'nic']), 'gpu');
  });

  test('none when nothing is near, when two are equally near, or when the word is a candidate', () => {
    assert.equal(closestWord('frobnicate', ['smmu', 'domain']), undefined);
    assert.equal(closestWord('v4', ['v2', 'v3']), undefined);
    assert.equal(closestWord('stall', ['stall', 'stal']), undefined);
    // A one-letter word is never all replaced: `x` is not a misspelt `m` (its case may be).
    assert.equal(closestWord('x', ['m']), undefined);
    assert.equal(closestWord('M', ['m']), 'm');
  });
});

/** Each diagnostic as [code, message, the fix's title and edits as [start, end, newText]]. */
function suggestionsIn(text: string): [string, string, string | undefined, [number, number, string][]][] {
  return compileScenario(text).diagnostics.map((d) => [d.code, d.message, d.fix?.title, (d.fix?.edits ?? []).map((e): [number, number, string] => [e.range.start, e.range.end, e.newText])]);
}

describe('did you mean, where the parser and the checker meet a word they do not know', () => {
  test('a misspelt declaration keyword', () => {
    const text = 'smmu s { version v2 }\ndomian d { }\n';
    const at = text.indexOf('domian');
    assert.deepEqual(suggestionsIn(text), [
      ['syntax', "unexpected 'domian'; expected a declaration: scenario, kernel, timing, smmu, domain, master, engine, workqueue, handler, pagetable, vfio, vm, expect; did you mean 'domain'?", "Change to 'domain'", [[at, at + 6, 'domain']]],
    ]);
  });

  test('a misspelt setting, statement and setting value', () => {
    const text = 'smmu s { verison v2 }\ndomain d { fault stal }\nmaster m { stream 0; domain d }\nengine m.e { raed 0x1000 4 }\n';
    const span = (word: string): [number, number] => [text.indexOf(word), text.indexOf(word) + word.length];
    assert.deepEqual(suggestionsIn(text), [
      ['syntax', "unknown setting 'verison' in an smmu block; expected one of: version, context-banks, unmatched, stall-model, pri-handling, eventq, priq, ssid-bits, base, device, impl; did you mean 'version'?", "Change to 'version'", [[...span('verison'), 'version']]],
      ['bad-value', "'fault' must be terminate or stall, not 'stal'; did you mean 'stall'?", "Change to 'stall'", [[...span('stal'), 'stall']]],
      ['syntax', "unknown statement 'raed' in an engine block; expected one of: start, interval, outstanding, stream, read, write, wait, repeat, submit; did you mean 'read'?", "Change to 'read'", [[...span('raed'), 'read']]],
    ]);
  });

  test('a workqueue and a handler name misspelt; no suggestion when nothing is near', () => {
    const text = 'smmu s { version v2 }\ndomain d { }\nworkqueue slow { workers 1 }\nhandler h on d { queue slwo\n  terminate }\nhandler g on dd { terminate }\n';
    const diagnostics = compileScenario(text).diagnostics;
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      ["unknown workqueue 'slwo' (workqueues: iopf, slow); did you mean 'slow'?", "unknown domain 'dd' (domains: d); did you mean 'd'?"],
    );
  });
});
