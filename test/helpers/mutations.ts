import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { repoPath } from './repo';

/** Every example, and every code block of the language doc: valid scenarios to damage. */
export const corpus = [
  ...readdirSync(repoPath('examples'))
    .filter((file) => file.endsWith('.iommu'))
    .map((file) => readFileSync(repoPath('examples', file), 'utf8')),
  ...[...readFileSync(repoPath('docs/scenario-language.md'), 'utf8').matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? ''),
];

export type Mutation =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'swap'; line: number; other: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: string };

export function mutate(text: string, mutation: Mutation): string {
  const lines = text.split('\n');
  const pick = (n: number): number => n % Math.max(1, lines.length);
  switch (mutation.kind) {
    case 'delete':
      lines.splice(pick(mutation.line), 1);
      return lines.join('\n');
    case 'duplicate':
      lines.splice(pick(mutation.line), 0, lines[pick(mutation.line)] ?? '');
      return lines.join('\n');
    case 'swap': {
      const [a, b] = [pick(mutation.line), pick(mutation.other)];
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, mutation.at % (text.length + 1));
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + mutation.bytes + text.slice(at);
    }
  }
}

/** Characters that matter to the lexer and parser, and some that do not belong at all. */
const interesting = fc.constantFrom(...'{}()[];,.->"\\/*\n\r\t =<>!&|^~%+_0xKMG9azpage\u00e9\u{1F600}\uD800@#'.split(''), '->', '/*', '*/', '//', '0x', 'map', 'if', 'else', 'domain', 'repeat');

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.string({ unit: interesting, minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) }),
);

/** A damaged scenario: one of the corpus with one to four mutations. */
export const damagedScenario: fc.Arbitrary<string> = fc
  .tuple(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([which, mutations]) => mutations.reduce(mutate, corpus[which] ?? ''));
