import fc from 'fast-check';
import { featureScenarioArbitrary } from '../emulator/generators/featureArbitrary';
import { corpus, damagedScenario } from '../helpers/mutations';

/**
 * What the CLI fuzzer feeds `check` and `run`: a damaged corpus scenario, a generated valid
 * one, or something no one would write — empty, binary, one huge line, deep nesting, ten
 * thousand lines. Files are bytes: the CLI reads them as UTF-8.
 */

export interface CliInput {
  /** What the case is, for the failure report. */
  kind: string;
  bytes: Uint8Array;
  /** Run the real `dist/cli.js` as well as the in-process path. */
  spawn: boolean;
}

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

const NESTING = [100, 1_000, 10_000] as const;

/** Openers that nest, each with its closer: blocks, expressions, repeats, handler ifs. */
const nestings: readonly ((depth: number) => string)[] = [
  (n) => '{'.repeat(n),
  (n) => `engine m.e { read ${'('.repeat(n)}0${')'.repeat(n)} 4 }\n`,
  (n) => `engine m.e { ${'repeat 2 { '.repeat(n)}read 0x0 4${' }'.repeat(n)} }\n`,
  (n) => `handler h on d { ${'if write { '.repeat(n)}terminate${' }'.repeat(n)} }\n`,
  (n) => `engine m.e { read ${Array.from({ length: n }, (_, i) => `${i}`).join(' + ')} 4 }\n`,
];

const smallScenario = 'smmu s { version v3 }\ndomain d { map 0x0 -> 0x8000_0000 size 1M rw }\nmaster m { stream 0x1; domain d }\n';

/**
 * Ten thousand lines of one kind. (Not ten thousand domains: each costs the machine a walk
 * cache of its own, seconds a case — reported, and not the CLI's promise being tested.)
 */
const longFiles: readonly ((line: number) => string)[] = [
  (i) => `// comment ${i}`,
  (i) => `  map 0x${((i + 1) * 0x10000).toString(16)} -> 0x${(0x1_0000_0000 + i * 0x1000).toString(16)} size 4K rw`,
  (i) => `  read 0x${(i * 0x40).toString(16)} 64${i % 7 === 0 ? ' as t' : ''}`,
  (i) => `expect transactions >= ${i}`,
  (i) => corpus[i % corpus.length]?.split('\n')[i % 7] ?? '',
];

/** Where a kind's lines go: in an engine, in a domain, or at the top level. */
function longFile(which: number, body: string): string {
  if (which === 1) return `${smallScenario}domain big {\n${body}\n}\n`;
  if (which === 2) return `${smallScenario}engine m.e {\n${body}\n}\n`;
  return `${smallScenario}${body}\n`;
}

const degenerate: fc.Arbitrary<{ kind: string; bytes: Uint8Array }> = fc.oneof(
  fc.constant({ kind: 'empty', bytes: new Uint8Array(0) }),
  fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((bytes) => ({ kind: 'binary', bytes })),
  fc.tuple(fc.constantFrom('a', '9', '0x', '"', '/*', 'map ', '{ ', '-> '), fc.constantFrom(10_000, 100_000, 1_000_000)).map(([unit, length]) => ({
    kind: `one line of ${length} × '${unit}'`,
    bytes: utf8(`${smallScenario}engine m.e { read 0x0 4 }\n${unit.repeat(Math.ceil(length / unit.length))}`),
  })),
  fc.tuple(fc.nat({ max: nestings.length - 1 }), fc.constantFrom(...NESTING)).map(([which, depth]) => ({
    kind: `nesting ${which} × ${depth}`,
    bytes: utf8(`${smallScenario}${nestings[which]?.(depth) ?? ''}`),
  })),
  fc.nat({ max: longFiles.length - 1 }).map((which) => {
    const body = Array.from({ length: 10_000 }, (_, i) => longFiles[which]?.(i) ?? '').join('\n');
    return { kind: `10,000 lines of kind ${which}`, bytes: utf8(longFile(which, body)) };
  }),
);

/** One case in 50 also runs the real CLI (spawning ten thousand twice would take the afternoon). */
const spawnOneIn = (n: number): fc.Arbitrary<boolean> => fc.nat({ max: n - 1 }).map((k) => k === 0);

export const cliInput: fc.Arbitrary<CliInput> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: damagedScenario.map((text) => ({ kind: 'damaged corpus scenario', bytes: utf8(text) })) },
      { weight: 3, arbitrary: featureScenarioArbitrary.map((s) => ({ kind: `generated scenario [${s.features.join(', ')}]`, bytes: utf8(s.text) })) },
      { weight: 1, arbitrary: degenerate },
    ),
    spawnOneIn(50),
  )
  .map(([input, spawn]) => ({ ...input, spawn }));
