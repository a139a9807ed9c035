import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ScenarioPredictions } from '../../emulator/analysis/prediction';
import { checkText } from '../../emulator/cli/commands';
import { StaticSystem } from '../../emulator/analysis/staticSystem';
import { compileScenario } from '../../emulator/scenario/compile';
import { hex } from '../../emulator/util/u64';
import { distPath, repoPath } from '../helpers/repo';
import { runNode } from '../helpers/runNode';

/*
 * Issue 13: `check` prints each written transaction's prediction as a hint, and the
 * prediction is what the run does. For every example, each transaction the prediction's run
 * issued is compared with a separate `iommu-debug run --json` (status and PA).
 */

const cli = distPath('cli');
const examples = readdirSync(repoPath('examples')).filter((f) => f.endsWith('.iommu')).sort();

/** One transaction as `run --json` lists it: `line iova status pa`. */
type Row = string;

function predictionsOf(text: string): ScenarioPredictions {
  const compiled = compileScenario(text);
  return new ScenarioPredictions(compiled, () => new StaticSystem(compiled.file, compiled.check));
}

/** The rows the prediction's run gives, for the transactions `run --json` lists (labelled, faulted, or not completed). */
function predictedRows(text: string): Row[] {
  const compiled = compileScenario(text);
  const predictions = predictionsOf(text);
  return predictions.all().flatMap((p) => {
    assert.equal(p.source, 'run', `line ${compiled.lines.lineOf(p.site.transaction.range.start)} is predicted statically`);
    if (p.source !== 'run') return [];
    const line = compiled.lines.lineOf(p.site.transaction.range.start);
    const labelled = p.site.transaction.label !== undefined;
    return p.ran.filter((t) => labelled || t.status !== 'completed' || t.faults.length > 0).map((t) => `${line} ${hex(t.iova)} ${t.status} ${t.pa === undefined ? 'null' : hex(t.pa)}`);
  });
}

function runRows(file: string): Row[] {
  const run = runNode(cli, ['run', '--json', file]);
  const json = JSON.parse(run.stdout) as { transactions: { line: number; iova: string; status: string; pa: string | null }[] };
  return json.transactions.map((t) => `${t.line} ${t.iova} ${t.status} ${t.pa ?? 'null'}`);
}

describe('every example: the prediction is what the run does', () => {
  for (const name of examples) {
    test(name, () => {
      const file = repoPath('examples', name);
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(predictedRows(text).sort(), runRows(file).sort());
      // One hint per written transaction, on its address, after the diagnostics.
      const compiled = compileScenario(text);
      const check = runNode(cli, ['check', file]);
      assert.equal(check.status, 0, check.stderr);
      const lines = check.stdout.trimEnd().split('\n');
      const hints = lines.filter((l) => l.includes(': hint: '));
      assert.deepEqual(lines.slice(lines.length - hints.length), hints, 'hints come last');
      assert.deepEqual(
        hints.map((l) => l.slice(0, l.indexOf(': hint: '))),
        predictionsOf(text).sites.map((s) => {
          const at = compiled.lines.positionAt(s.transaction.address?.range.start ?? s.transaction.range.start);
          return `${file}:${at.line + 1}:${at.character + 1}`;
        }),
      );
    });
  }
});

describe('check on the Adreno 530 scenarios: every transaction, as the run does it', () => {
  const check = (name: string): string[] => runNode(cli, ['check', repoPath('examples', name)]).stdout.trimEnd().split('\n').map((l) => l.slice(l.indexOf('.iommu:') + '.iommu:'.length));
  const fault = 'translation fault at level 2: L2[56] is invalid';

  test('no stall, no HUPCF: RAZ behind the outstanding fault', () => {
    assert.deepEqual(check('a530-fault-no-stall.iommu'), [
      '19:8: hint: completed → 0x8000_0000',
      `20:8: hint: ${fault}; raz (translation fault, CFCFG=0: terminated)`,
      '26:19: hint: raz (terminated untranslated: FSR=0x402 holds a fault and HUPCF=0) (i = 0, 0x1002000) — 4 of 4 raz',
    ]);
  });

  test('stall with HUPCF: the texture reads translate while the fault waits', () => {
    assert.deepEqual(check('a530-stall-hupcf.iommu'), [
      '20:10: hint: completed → 0x8000_0000',
      `21:10: hint: ${fault}; stalls; answered terminate: aborted (RESUME terminate)`,
      '28:19: hint: completed → 0x8000_2000 (i = 0, 0x1002000) — 4 of 4 completed',
    ]);
  });

  test('stall without HUPCF: the texture reads stall behind the fault', () => {
    assert.deepEqual(check('a530-stall-no-hupcf.iommu'), [
      '17:8: hint: completed → 0x8000_0000',
      `18:8: hint: ${fault}; stalls; answered terminate: aborted (RESUME terminate)`,
      '24:19: hint: stalls behind a fault (HUPCF=0); completed → 0x8000_2000 (i = 0, 0x1002000) — 4 of 4 completed, 4 stalled behind a fault (HUPCF=0)',
    ]);
  });
});

test('a file with errors: check predicts by the static walk, the first iteration and the first that faults, and says why', () => {
  const text = `smmu kgsl { version v2 }
domain gpu_dom {
  fault stall
  hupcf maybe
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp {
  repeat 8 { read 0x010F_E000 + i*0x1000 64 as ok }
}
`;
  let printed = '';
  const status = checkText('st.iommu', text, { write: (s) => (printed += s) });
  assert.equal(status, 2);
  assert.deepEqual(printed.trimEnd().split('\n'), [
    "st.iommu:4:9: error: 'hupcf' must be on or off, not 'maybe'",
    'st.iommu:9:19: hint: translates → 0x800f_e000 (i = 0, 0x10fe000); translation fault at level 3: L3[256] is invalid (i = 2, 0x1100000) — as the tables stand before the run (the file has errors, so it does not run)',
  ]);
});

test('a file with an error in one engine: the rest runs, and predicts what it does; the broken engine is predicted statically and says why', () => {
  const text = readFileSync(repoPath('examples', 'a530-fault-no-stall.iommu'), 'utf8').replace(
    'engine gpu.tp {',
    'engine gpu.half {\n  read 0x0100_3000 64 as typed\n  write\n}\n\nengine gpu.tp {',
  );
  let printed = '';
  const status = checkText('half.iommu', text, { write: (s) => (printed += s) });
  assert.equal(status, 2);
  assert.deepEqual(printed.trimEnd().split('\n'), [
    "half.iommu:25:8: error: expected an address after 'write'",
    'half.iommu:19:8: hint: completed → 0x8000_0000',
    'half.iommu:20:8: hint: translation fault at level 2: L2[56] is invalid; raz (translation fault, CFCFG=0: terminated)',
    'half.iommu:24:8: hint: translates → 0x8000_3000 — as the tables stand before the run (its engine has errors, so it does not run)',
    'half.iommu:25:3: hint: the address cannot be computed before the run — its engine has errors, so it does not run',
    'half.iommu:31:19: hint: raz (terminated untranslated: FSR=0x402 holds a fault and HUPCF=0) (i = 0, 0x1002000) — 4 of 4 raz',
  ]);
});

test('the part of a file that runs: declarations without errors, checked again on their own; nothing when what is left refers to what was dropped', () => {
  const good = compileScenario('smmu s { version v2 }\ndomain d { map 0x0 -> 0x8000_0000 size 4K rw }\nmaster m { stream 0x1; domain d }\nengine m.a { read 0x0 4 }\nengine m.b { read }\n');
  assert.equal(good.model, undefined);
  assert.deepEqual(good.runnable?.dropped.map((d) => d.kind === 'engine' && d.name?.engine.text), ['b']);
  assert.deepEqual(good.runnable?.model.engines.map((e) => e.name), ['m.a']);
  const domainBroken = compileScenario('smmu s { version v2 }\ndomain d { map 0x0 -> }\nmaster m { stream 0x1; domain d }\nengine m.a { read 0x0 4 }\n');
  assert.equal(domainBroken.runnable, undefined);
});
