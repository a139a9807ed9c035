import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numberValue, tokenize } from '../../../emulator/language/lexer';
import { punctuators, Token } from '../../../emulator/language/tokens';
import { Source } from './syntaxHelpers';

/** `kind:text` of every token but the final `end`. */
function kinds(text: string): string[] {
  return tokenize(text)
    .tokens.filter((t) => t.kind !== 'end')
    .map((t) => `${t.kind}:${t.kind === 'newline' ? JSON.stringify(t.text) : t.text}`);
}

function errors(text: string): Array<{ text: string; message: string }> {
  return tokenize(text).diagnostics.map((d) => ({ text: text.slice(d.range.start, d.range.end), message: d.message }));
}

function onlyToken(text: string): Token {
  const tokens = tokenize(text).tokens;
  assert.equal(tokens.length, 2, `'${text}' is not one token`);
  return tokens[0] as Token;
}

function valueOf(text: string): bigint | undefined {
  const token = onlyToken(text);
  assert.equal(token.kind, 'number');
  return token.kind === 'number' ? token.value : undefined;
}

test('identifiers take letters, digits, _ and a - that a letter or _ follows', () => {
  assert.deepEqual(kinds('can-stall access-flag tlb-hit dropped-events _x9 gpu_dom'), [
    'identifier:can-stall',
    'identifier:access-flag',
    'identifier:tlb-hit',
    'identifier:dropped-events',
    'identifier:_x9',
    'identifier:gpu_dom',
  ]);
  assert.deepEqual(kinds('iova-0x1000'), ['identifier:iova', 'punctuator:-', 'number:0x1000']);
  assert.deepEqual(kinds('a-_b a--b x- i-1'), ['identifier:a-_b', 'identifier:a', 'punctuator:-', 'punctuator:-', 'identifier:b', 'identifier:x', 'punctuator:-', 'identifier:i', 'punctuator:-', 'number:1']);
});

test('token ranges are UTF-16 offsets into the text', () => {
  const text = 'map 0x1000 -> pa';
  const s = new Source(text);
  assert.deepEqual(
    tokenize(text).tokens.map((t) => t.range),
    [s.at('map'), s.at('0x1000'), s.at('->'), s.at('pa'), { start: text.length, end: text.length }],
  );
});

test('decimal and hex numbers, with _ anywhere after the first digit', () => {
  assert.equal(valueOf('4096'), 4096n);
  assert.equal(valueOf('0'), 0n);
  assert.equal(valueOf('007'), 7n);
  assert.equal(valueOf('0x1000'), 0x1000n);
  assert.equal(valueOf('0xA000_0000'), 0xa000_0000n);
  assert.equal(valueOf('0xabcdef'), 0xabcdefn);
  assert.equal(valueOf('0X10'), 16n);
  assert.equal(valueOf('0x0000_1000_0000'), 0x1000_0000n);
  assert.equal(valueOf('1_000_000'), 1_000_000n);
  assert.equal(valueOf('1__0_'), 10n);
  assert.equal(valueOf('0x_10'), 16n);
});

test('size suffixes K, M and G multiply by powers of 1024', () => {
  assert.equal(valueOf('4K'), 4096n);
  assert.equal(valueOf('2M'), 2n * 1024n * 1024n);
  assert.equal(valueOf('1G'), 1024n ** 3n);
  assert.equal(valueOf('16_K'), 16n * 1024n);
  assert.equal(valueOf('0x10K'), 0x4000n);
  assert.equal(valueOf('16G'), 16n << 30n);
});

test('numbers keep full 64-bit precision and stop at 2^64-1', () => {
  assert.equal(valueOf('0xFFFF_FFFF_FFFF_FFFF'), (1n << 64n) - 1n);
  assert.equal(valueOf('18446744073709551615'), (1n << 64n) - 1n);
  assert.equal(valueOf('0x20_0000_0000_0001'), (1n << 53n) + 1n);
  assert.equal(valueOf('16777215G'), 16777215n << 30n);
  assert.deepEqual(errors('0x1_0000_0000_0000_0000'), [{ text: '0x1_0000_0000_0000_0000', message: "'0x1_0000_0000_0000_0000' does not fit in 64 bits" }]);
  assert.deepEqual(errors('18446744073709551616'), [{ text: '18446744073709551616', message: "'18446744073709551616' does not fit in 64 bits" }]);
  assert.deepEqual(errors('17179869184G'), [{ text: '17179869184G', message: "'17179869184G' does not fit in 64 bits" }]);
  assert.equal(valueOf('18446744073709551616'), undefined);
});

test('a malformed number is one token with no value and one error', () => {
  assert.equal(valueOf('12abc'), undefined);
  assert.deepEqual(errors('12abc'), [{ text: '12abc', message: "malformed number '12abc'" }]);
  assert.deepEqual(errors('0x'), [{ text: '0x', message: "malformed number '0x': expected hex digits after '0x'" }]);
  assert.deepEqual(errors('0x_K'), [{ text: '0x_K', message: "malformed number '0x_K': expected hex digits after '0x'" }]);
  assert.deepEqual(errors('4k'), [{ text: '4k', message: "malformed number '4k': the size suffixes are K, M and G" }]);
  assert.deepEqual(errors('0b101'), [{ text: '0b101', message: "malformed number '0b101'" }]);
  assert.deepEqual(errors('0x1Z'), [{ text: '0x1Z', message: "malformed number '0x1Z'" }]);
  assert.deepEqual(kinds('1.5'), ['number:1', 'punctuator:.', 'number:5']);
  assert.deepEqual(numberValue('4KK'), { error: "malformed number '4KK'" });
});

test('strings resolve \\" and \\\\', () => {
  const token = onlyToken('"a\\"b\\\\c"');
  assert.deepEqual(token, { kind: 'string', range: { start: 0, end: 9 }, text: '"a\\"b\\\\c"', value: 'a"b\\c', terminated: true, firstOnLine: true });
  assert.deepEqual(tokenize('"a\\"b\\\\c"').diagnostics, []);
  const empty = onlyToken('""');
  assert.equal(empty.kind === 'string' && empty.value, '');
});

test('any other escape is an error at the escape and stays as written', () => {
  const text = 'log "a\\nb\\{c"';
  const s = new Source(text);
  const { tokens, diagnostics } = tokenize(text);
  assert.deepEqual(
    diagnostics.map((d) => [d.range, d.message]),
    [
      [s.at('\\n'), "unknown escape '\\n': a string takes only \\\" and \\\\"],
      [s.at('\\{'), "unknown escape '\\{': a string takes only \\\" and \\\\"],
    ],
  );
  const string = tokens[1];
  assert.equal(string?.kind === 'string' && string.value, 'a\\nb\\{c');
});

test('a string unterminated at the end of its line is an error at its quote and ends there', () => {
  const text = 'log "abc\nretry';
  const s = new Source(text);
  assert.deepEqual(kinds(text), ['identifier:log', 'string:"abc', 'newline:"\\n"', 'identifier:retry']);
  const string = tokenize(text).tokens[1];
  assert.deepEqual(string && string.kind === 'string' && [string.value, string.terminated, string.range], ['abc', false, s.at('"abc')]);
  assert.deepEqual(
    tokenize(text).diagnostics.map((d) => [d.range, d.message]),
    [[s.at('"'), 'this string is never closed (a string ends at the end of its line)']],
  );
  // An escaped quote does not close it; a backslash just before the line break stays in it.
  assert.deepEqual(kinds('"a\\"\nb'), ['string:"a\\"', 'newline:"\\n"', 'identifier:b']);
  assert.deepEqual(kinds('"a\\\nb'), ['string:"a\\', 'newline:"\\n"', 'identifier:b']);
  assert.equal(errors('"abc').length, 1);
});

test('comments are not tokens; their ranges are kept', () => {
  const text = 'smmu a // apps SMMU\n/* two\nlines */ domain d /* x */';
  const s = new Source(text);
  const lexed = tokenize(text);
  assert.deepEqual(lexed.comments, [s.at('// apps SMMU'), s.span('/* two', 'lines */'), s.at('/* x */')]);
  assert.deepEqual(kinds(text), ['identifier:smmu', 'identifier:a', 'newline:"\\n"', 'identifier:domain', 'identifier:d']);
  assert.deepEqual(lexed.diagnostics, []);
});

test('a comment that spans lines puts the next token on a new line', () => {
  const tokens = tokenize('a /* x\n y */ b /* z */ c').tokens;
  assert.deepEqual(
    tokens.map((t) => [t.text, t.firstOnLine]),
    [
      ['a', true],
      ['b', true],
      ['c', false],
      ['', false],
    ],
  );
});

test('an unterminated block comment is an error at /* and runs to the end', () => {
  const text = 'a /* never\nclosed';
  const s = new Source(text);
  const lexed = tokenize(text);
  assert.deepEqual(lexed.comments, [{ start: s.at('/*').start, end: text.length }]);
  assert.deepEqual(
    lexed.diagnostics.map((d) => [d.range, d.message]),
    [[s.at('/*'), "'/*' is never closed"]],
  );
  assert.deepEqual(kinds(text), ['identifier:a']);
});

test('every punctuator and operator is one token', () => {
  const text = punctuators.join(' ');
  assert.deepEqual(kinds(text), punctuators.map((p) => `punctuator:${p}`));
  assert.deepEqual(tokenize(text).diagnostics, []);
});

test('operators match the longest punctuator first', () => {
  assert.deepEqual(kinds('a->b<<c>>d&&&e|||f<=>g!=h==i'), [
    'identifier:a', 'punctuator:->', 'identifier:b', 'punctuator:<<', 'identifier:c', 'punctuator:>>', 'identifier:d',
    'punctuator:&&', 'punctuator:&', 'identifier:e', 'punctuator:||', 'punctuator:|', 'identifier:f', 'punctuator:<=', 'punctuator:>',
    'identifier:g', 'punctuator:!=', 'identifier:h', 'punctuator:==', 'identifier:i',
  ]);
  // `=` alone is no operator of the language.
  assert.deepEqual(kinds('a>>=d'), ['identifier:a', 'punctuator:>>', 'identifier:d']);
  assert.deepEqual(errors('a>>=d'), [{ text: '=', message: "unexpected character '='" }]);
});

test('line breaks are tokens, one per break, \\r\\n included', () => {
  assert.deepEqual(kinds('a\nb\r\nc\rd\n\ne'), [
    'identifier:a', 'newline:"\\n"', 'identifier:b', 'newline:"\\r\\n"', 'identifier:c', 'newline:"\\r"', 'identifier:d', 'newline:"\\n"', 'newline:"\\n"', 'identifier:e',
  ]);
});

test('line breaks inside parentheses and brackets are not tokens; a brace ends an unclosed group', () => {
  assert.deepEqual(kinds('f(a,\n b)\nx[\n1]\n'), [
    'identifier:f', 'punctuator:(', 'identifier:a', 'punctuator:,', 'identifier:b', 'punctuator:)', 'newline:"\\n"',
    'identifier:x', 'punctuator:[', 'number:1', 'punctuator:]', 'newline:"\\n"',
  ]);
  assert.deepEqual(kinds('(a\n{\nb'), ['punctuator:(', 'identifier:a', 'punctuator:{', 'newline:"\\n"', 'identifier:b']);
  assert.deepEqual(kinds(')\na'), ['punctuator:)', 'newline:"\\n"', 'identifier:a']);
});

test('firstOnLine marks the first token of each line, even where the line break is no token', () => {
  const tokens = tokenize('a b\n  c (d\ne)').tokens.filter((t) => t.kind !== 'newline');
  assert.deepEqual(
    tokens.map((t) => [t.text, t.firstOnLine]),
    [
      ['a', true],
      ['b', false],
      ['c', true],
      ['(', false],
      ['d', false],
      ['e', true],
      [')', false],
      ['', false],
    ],
  );
});

test('unknown characters are reported, one error per run, and skipped', () => {
  const text = 'a @ b #$? c é = d \u0007';
  const s = new Source(text);
  assert.deepEqual(kinds(text), ['identifier:a', 'identifier:b', 'identifier:c', 'identifier:d']);
  assert.deepEqual(
    tokenize(text).diagnostics.map((d) => [d.range, d.message]),
    [
      [s.at('@'), "unexpected character '@'"],
      [s.at('#$?'), "unexpected characters '#$?'"],
      [s.at('é'), "unexpected character 'é'"],
      [s.at('='), "unexpected character '='"],
      [s.at('\u0007'), "unexpected character 'U+0007'"],
    ],
  );
  // A character outside the BMP is one run of two UTF-16 units.
  assert.deepEqual(tokenize('😀').diagnostics.map((d) => d.range), [{ start: 0, end: 2 }]);
});

test('blanks: space, tab, vertical tab, form feed and a byte-order mark', () => {
  assert.deepEqual(kinds('\uFEFFa\tb\vc\fd'), ['identifier:a', 'identifier:b', 'identifier:c', 'identifier:d']);
  assert.deepEqual(errors('\uFEFFa\tb\vc\fd'), []);
});

test('tokenize reads a slice of a text in place, with offsets into the whole text', () => {
  const text = 'log "at {iova + 4} x"';
  const s = new Source(text);
  const { start, end } = s.at('iova + 4');
  const lexed = tokenize(text, start, end);
  assert.deepEqual(
    lexed.tokens.map((t) => [t.kind, t.range, t.firstOnLine]),
    [
      ['identifier', s.at('iova'), false],
      ['punctuator', s.at('+'), false],
      ['number', s.at('4'), false],
      ['end', { start: end, end }, false],
    ],
  );
  // A line comment in the slice stops at its end.
  const commented = 'x {a // b} y';
  assert.deepEqual(tokenize(commented, 3, 9).comments, [{ start: 5, end: 9 }]);
});

test('every token list ends with one zero-width end token', () => {
  assert.deepEqual(tokenize('').tokens, [{ kind: 'end', range: { start: 0, end: 0 }, text: '', firstOnLine: true }]);
  assert.deepEqual(tokenize('a\n').tokens.at(-1), { kind: 'end', range: { start: 2, end: 2 }, text: '', firstOnLine: true });
});
