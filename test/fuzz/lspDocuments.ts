import fc from 'fast-check';
import { scenarioArbitrary } from '../emulator/generators/scenarioArbitrary';
import { corpus, damagedScenario } from '../helpers/mutations';

/**
 * Documents for the language-server fuzzer: damaged real scenarios, generated valid ones,
 * token soup, and the huge and degenerate inputs a server must survive (long lines, deep
 * expressions, 10,000-line files, binary junk, other line breaks, lone surrogates).
 * Sizes are drawn as numbers, so fast-check shrinks a failing document by shrinking them.
 */

const example = fc.nat({ max: corpus.length - 1 }).map((i) => corpus[i] ?? '');

const header = 'smmu s { version v2 }\ndomain d { map 0x1000 -> 0x8000 size 1M rw }\nmaster m { stream 1; domain d }\n';

function inEngine(body: string): string {
  return `${header}engine m.e {\n  ${body}\n}\n`;
}

function inHandler(body: string): string {
  return `${header}engine m.e { read 0x4000_0000 64 }\nhandler h on d {\n  context thread\n  ${body}\n  terminate\n}\n`;
}

/** Words and punctuation of the language, numbers, names and line breaks: text that lexes but rarely parses. */
const tokenSoup = fc
  .array(
    fc.constantFrom(
      ...'scenario timing smmu domain master engine workqueue handler vfio expect map unmap size pages read write as on if else repeat submit wait log dump tlbi sleep stall off for retry terminate abort success invalid failure page context thread irq queue stream mask pasid priv exec value version v2 v3 fault stall hupcf report raz iopf i iova kind faults completed'.split(' '),
      ...'{ } ( ) [ ] ; , . -> + - * / % << >> < <= > >= == != & ^ | && || ! ~ = "'.split(' '),
      '0x1000', '4K', '2M', '64', '0', 'gpu', 'gpu.cp', 'd', 'm.e', '"{iova}"', '"x', '//', '/*', '*/', '\n', '\n', '\n', '\t',
    ),
    { maxLength: 300 },
  )
  .map((words) => words.join(' '));

const lineBreaks = fc.tuple(example, fc.constantFrom('\r\n', '\r', '\n\r', '\u2028')).map(([text, lineBreak]) => text.replace(/\n/g, lineBreak));

const loneSurrogates = fc
  .tuple(example, fc.array(fc.tuple(fc.nat(), fc.constantFrom('\uD800', '\uDFFF', '\uDBFF\uDBFF', '\uDC00\uD800', '\u{1F600}', '\uFEFF', '\0')), { minLength: 1, maxLength: 6 }))
  .map(([text, inserts]) => inserts.reduce((t, [at, s]) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1)), text));

/** Bytes as Latin-1 characters: NULs, control characters, half a UTF-8 sequence. */
const binaryJunk = fc.uint8Array({ maxLength: 4000 }).map((bytes) => Array.from(bytes, (b) => String.fromCharCode(b)).join(''));

const unclosed = fc.tuple(example, fc.constantFrom('/*', '"', 'log "{', '{', '(', 'engine m.e {', 'handler h on d { if iova > {')).map(([text, opener]) => `${opener}\n${text}`);

/**
 * Inputs as large as a file gets: each needs an iterative walk, or a bound, somewhere.
 * Depths go well past where a recursion overflows (some thousands of frames), lengths
 * to hundreds of thousands of characters and 10,000 lines.
 */
/** A size up to `max`, drawn evenly: fast-check's usual bias to small numbers would rarely reach sizes that matter here. */
function size(max: number, min = 0): fc.Arbitrary<number> {
  return fc.noBias(fc.integer({ min, max }));
}

const huge = fc.oneof(
  size(40_000).map((n) => inEngine(`read 0x1000${' + 1'.repeat(n)} 64 as x`)),
  fc.tuple(size(40_000), fc.constantFrom('-', '~', '!', '- ', '~!-')).map(([n, op]) => inEngine(`read ${op.repeat(n)}1 64`)),
  size(8_000).map((n) => inHandler(`if ${Array(n + 1).fill('iova > 1 && fsr != 2 || level == 0').join(' || ')} { log "{${Array(n + 1).fill('iova').join(' * ')}}" }`)),
  fc
    .tuple(size(20_000), fc.constantFrom('(', 'f(', 'a[', '-(', '(1, '), fc.constantFrom('expect faults == #', inEngine('read # 64'), inHandler('if # { dump }'), inHandler('log "{#}"')), fc.boolean())
    .map(([n, open, context, closed]) => context.replace('#', `${open.repeat(n)}1${closed ? (open.endsWith('[') ? ']' : ')').repeat(n) : ''}`)),
  size(5_000).map((n) => `engine m.e {\n${'repeat 1 {\n'.repeat(n)}read 0 4\n${'}\n'.repeat(n)}}\n`),
  size(5_000).map((n) => inHandler(`if iova > 0 { dump }${' else if iova > 1 { dump }'.repeat(n)}`)),
  fc.tuple(size(200_000), fc.constantFrom('a', '1', ' ', '{', '"', '(', '/')).map(([n, c]) => `${header}// ${c.repeat(n)}\n${c.repeat(n)}\n`),
  size(12_000, 1).map((n) => inEngine(Array.from({ length: n }, (_, i) => `read 0x${(0x1000 + i * 64).toString(16)} 64 as t${i}`).join('\n  '))),
  size(10_000, 1).map((n) => Array.from({ length: n }, (_, i) => `domain d${i} { map 0x1000 -> 0x8000 size 4K rw }`).join('\n')),
  size(10_000).map((n) => inHandler(`log "${'{iova} '.repeat(n)}"`)),
  size(20_000).map((n) => '\n'.repeat(n)),
);

export const documentArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: damagedScenario },
  { weight: 3, arbitrary: scenarioArbitrary },
  { weight: 1, arbitrary: example },
  { weight: 3, arbitrary: tokenSoup },
  { weight: 1, arbitrary: lineBreaks },
  { weight: 1, arbitrary: loneSurrogates },
  { weight: 1, arbitrary: binaryJunk },
  { weight: 1, arbitrary: unclosed },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', '\uFEFF', '\uFEFFscenario "bom"\n', '\r\n\r\n', '}', '{') },
  { weight: 1, arbitrary: huge },
);

/** What an incremental change inserts: pieces of the language, line breaks, junk. */
export const insertedText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '\n', '\r\n', '{', '}', '(', ')', '"', '{iova}', ' + 1', '->', 'map ', 'read ', '0x1000 64', 'engine m.e {\n', 'if iova > 0 { dump }', '/*', '*/', '//', '\uD800', '\u{1F600}'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  example,
);
