import { StringLiteral, StringPart } from './ast';
import { DiagnosticSink } from './diagnostics';
import { tokenize } from './lexer';
import { TokenCursor } from './parserCursor';
import { parseExpressionAt } from './parserExpressions';
import { describeToken, StringToken } from './tokens';

const BACKSLASH = 92;
const OPEN_BRACE = 123;

/** Offsets of the text between a string token's quotes. */
function contentOf(token: StringToken): { start: number; end: number } {
  return { start: token.range.start + 1, end: token.terminated ? token.range.end - 1 : token.range.end };
}

/** A string whose braces mean nothing (a scenario title): one text part. */
export function plainStringLiteral(token: StringToken): StringLiteral {
  const content = contentOf(token);
  const parts: StringPart[] = content.end > content.start ? [{ kind: 'text', value: token.value, range: content }] : [];
  return { kind: 'string', range: token.range, value: token.value, parts };
}

/** A `log` message: its `{expr}` holes are parsed in place, so their ranges point into the file. */
export function interpolatedStringLiteral(text: string, token: StringToken, sink: DiagnosticSink): StringLiteral {
  const content = contentOf(token);
  return { kind: 'string', range: token.range, value: token.value, parts: parseTemplateParts(text, content.start, content.end, true, sink) };
}

/**
 * Splits `text[start, end)` into text and `{expr}` holes. In a quoted string (`escapes`)
 * `\"` and `\\` are resolved in the text parts (the lexer has reported any other escape,
 * which stays as written); a logpoint message is taken literally.
 */
export function parseTemplateParts(text: string, start: number, end: number, escapes: boolean, sink: DiagnosticSink): StringPart[] {
  const parts: StringPart[] = [];
  let textStart = start;
  let value = '';
  let p = start;
  while (p < end) {
    const c = text.charCodeAt(p);
    if (escapes && c === BACKSLASH && p + 1 < end) {
      const escaped = text.charAt(p + 1);
      value += escaped === '"' || escaped === '\\' ? escaped : `\\${escaped}`;
      p += 2;
      continue;
    }
    if (c === OPEN_BRACE) {
      const close = text.indexOf('}', p + 1);
      if (close < 0 || close >= end) {
        sink.error('syntax', { start: p, end: p + 1 }, "'{' is never closed: a hole is written {expression}");
        // What follows is no hole: keep it as text.
        value += text.slice(p, end);
        p = end;
        break;
      }
      if (p > textStart) parts.push({ kind: 'text', value, range: { start: textStart, end: p } });
      parts.push(parseHole(text, p, close, sink));
      value = '';
      p = close + 1;
      textStart = p;
      continue;
    }
    value += text.charAt(p);
    p++;
  }
  if (p > textStart) parts.push({ kind: 'text', value, range: { start: textStart, end: p } });
  return parts;
}

/** `{expr}` from `open` (the `{`) to `close` (the `}`). */
function parseHole(text: string, open: number, close: number, sink: DiagnosticSink): StringPart {
  const range = { start: open, end: close + 1 };
  const lexed = tokenize(text, open + 1, close);
  for (const diagnostic of lexed.diagnostics) sink.error(diagnostic.code, diagnostic.range, diagnostic.message);
  const cursor = new TokenCursor(text, lexed.tokens, sink);
  cursor.skipNewlines();
  const before = cursor.position;
  const expression = parseExpressionAt(cursor);
  cursor.skipNewlines();
  const rest = cursor.peek();
  if (cursor.position === before && rest.kind === 'end') cursor.error(range, "expected an expression inside '{}'");
  else if (rest.kind !== 'end') cursor.error(rest.range, `unexpected ${describeToken(rest)} in '{…}'`);
  return { kind: 'hole', expression, range };
}
