import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../helpers/repo';
import { FuzzOutcome, Fuzzer } from './fuzzTarget';
import { fuzzers } from './fuzzers';

/**
 * `npm run fuzz -- [--target NAME]… [--seed N] [--count N] [--path P]`: runs each fuzzer
 * (all by default) for `count` cases from `seed`, prints one JSON object, and writes each
 * failure's minimal reproducing input under `fuzz-findings/` (git-ignored). Exit 1 when a
 * fuzzer found something.
 */

interface Options {
  targets: readonly Fuzzer[];
  seed: number;
  count: number | undefined;
  path: string | undefined;
}

const usage = `usage: npm run fuzz -- [--target ${fuzzers.map((f) => f.name).join('|')}]… [--seed N] [--count N] [--path P]`;

function whole(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${flag} needs a whole number\n${usage}`);
  return Number(value);
}

function parse(argv: readonly string[]): Options {
  const names: string[] = [];
  let seed = Date.now() % 2 ** 31;
  let count: number | undefined;
  let replay: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') names.push(argv[++i] ?? '');
    else if (arg === '--seed') seed = whole(arg, argv[++i]);
    else if (arg === '--count') count = whole(arg, argv[++i]);
    else if (arg === '--path') replay = argv[++i];
    else throw new Error(`unknown argument '${arg}'\n${usage}`);
  }
  const targets = names.length === 0 ? fuzzers : names.map((name) => {
    const target = fuzzers.find((f) => f.name === name);
    if (!target) throw new Error(`no fuzzer named '${name}'\n${usage}`);
    return target;
  });
  return { targets, seed, count, path: replay };
}

/** Writes a failure's files; returns the folder. */
function writeFinding(outcome: Extract<FuzzOutcome, { ok: false }>): string {
  const folder = repoPath('fuzz-findings', outcome.target, `seed-${outcome.seed}-path-${outcome.path.replace(/[^0-9:]/g, '') || 'none'}`);
  mkdirSync(folder, { recursive: true });
  for (const file of outcome.reproduction) writeFileSync(path.join(folder, path.basename(file.name)), file.text);
  const replay = `npm run fuzz -- --target ${outcome.target} --seed ${outcome.seed} --path ${outcome.path} --count 1`;
  writeFileSync(path.join(folder, 'failure.txt'), `${outcome.error}\n\nreplay: ${replay}\n`);
  return folder;
}

async function main(): Promise<number> {
  const options = parse(process.argv.slice(2));
  const report: Record<string, unknown>[] = [];
  let failed = false;
  for (const target of options.targets) {
    const count = options.count ?? target.testCount;
    process.stderr.write(`fuzz: ${target.name}: ${count} ${target.unit} from seed ${options.seed}\n`);
    const started = Date.now();
    const outcome = await target.run({ seed: options.seed, count, path: options.path });
    const seconds = (Date.now() - started) / 1000;
    if (outcome.ok) {
      report.push({ target: target.name, unit: target.unit, cases: outcome.cases, seed: options.seed, seconds, failures: 0 });
      continue;
    }
    failed = true;
    const folder = writeFinding(outcome);
    process.stderr.write(`fuzz: ${target.name} FAILED after ${outcome.cases} ${target.unit}: ${outcome.error.split('\n')[0]}\n      reproduction: ${folder}\n`);
    report.push({ target: target.name, unit: target.unit, cases: outcome.cases, seed: options.seed, seconds, failures: 1, path: outcome.path, finding: path.relative(repoPath(), folder) });
  }
  process.stdout.write(`${JSON.stringify({ seed: options.seed, fuzzers: report }, null, 2)}\n`);
  return failed ? 1 : 0;
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
