import { FormattingOptions, TextEdit } from 'vscode-languageserver';
import { BinaryOperator } from '../emulator/language/ast';
import { maxNesting } from '../emulator/language/parserCursor';
import { Token } from '../emulator/language/tokens';
import { Analysis } from './analysis';

/**
 * Formats a scenario by lines; it never moves a token to another line or re-spaces a line
 * (users align their comments):
 *
 * - each line is indented to its brace depth (`options.tabSize` spaces a level, or a tab when
 *   `insertSpaces` is false); a line that starts with `}` is dedented once per leading `}`;
 *   past the nesting the language accepts (`maxNesting` levels) indentation stops growing,
 *   so the edits grow with the text, not with the square of its depth;
 * - a line that continues a statement (inside an unclosed `(` or `[`, or after a line that
 *   ends with a binary operator) gets one extra level;
 * - a line that starts inside a block comment is left exactly as it is;
 * - trailing blanks are removed (not from a line that ends inside an unclosed string or a
 *   block comment: they are the string's or the comment's);
 * - runs of blank lines shrink to one inside a block and to two at top level, blank lines at
 *   the start and the end go, and the text ends with exactly one line break (a text of
 *   blanks becomes empty).
 *
 * Brace depth comes from the tokens, so a file with syntax errors formats too (depth never
 * goes below zero). Line breaks keep their kind; the one added at the end is the file's first.
 * The result is one edit per changed line and one per run of removed lines.
 */
export function format(analysis: Analysis, options: FormattingOptions): TextEdit[] {
  const unit = options.insertSpaces ? ' '.repeat(Math.max(0, options.tabSize)) : '\t';
  const plan = formatLines(analysis, unit);
  if (plan) return editsFor(analysis, plan);
  // Nothing but blanks: an empty text (a byte order mark stays).
  const empty = analysis.text.startsWith('\uFEFF') ? '\uFEFF' : '';
  return analysis.text === empty ? [] : [TextEdit.replace(analysis.lspRange({ start: 0, end: analysis.text.length }), empty)];
}

/** What becomes of each line: its new content, or `undefined` when it goes. */
interface LinePlan {
  lines: Array<string | undefined>;
  /** A line break to add after the last kept line (it has none). */
  finalBreak: string | undefined;
}

interface Line {
  start: number;
  /** End of the content, before the line break. */
  end: number;
  /** The line break that ends it (`''` on the last line). */
  lineBreak: string;
}

const binaryOperators: ReadonlySet<string> = new Set<BinaryOperator>(['*', '/', '%', '+', '-', '<<', '>>', '<', '<=', '>', '>=', '==', '!=', '&', '^', '|', '&&', '||']);

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const pattern = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    lines.push({ start, end: match.index, lineBreak: match[0] });
    start = match.index + match[0].length;
  }
  lines.push({ start, end: text.length, lineBreak: '' });
  return lines;
}

/** What the tokens say about the start of each line. */
interface LineFacts {
  /** Open `{` before the line. */
  depth: number;
  /** `}` tokens that start the line and close an open `{`. */
  leadingCloses: number;
  /** The line continues a statement of an earlier line. */
  continuation: boolean;
}

function lineFacts(tokens: readonly Token[], lines: readonly Line[]): LineFacts[] {
  const facts: LineFacts[] = [];
  let depth = 0;
  let groups = 0;
  let previous: Token | undefined;
  let index = 0;
  for (const line of lines) {
    // Tokens before this line.
    while (index < tokens.length && (tokens[index]?.range.start ?? Infinity) < line.start) {
      const token = tokens[index] as Token;
      [depth, groups] = afterToken(token, depth, groups);
      if (token.kind !== 'newline' && token.kind !== 'end') previous = token;
      index++;
    }
    const lineDepth = depth;
    const lineGroups = groups;
    let leadingCloses = 0;
    let first: Token | undefined;
    for (let i = index, closes = depth; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      if (token.range.start > line.end || token.kind === 'newline' || token.kind === 'end') break;
      first ??= token;
      if (token.kind !== 'punctuator' || token.text !== '}' || closes === 0) break;
      leadingCloses++;
      closes--;
    }
    const closesGroup = first !== undefined && first.kind === 'punctuator' && (first.text === ')' || first.text === ']');
    const afterOperator = previous !== undefined && previous.kind === 'punctuator' && binaryOperators.has(previous.text) && first !== undefined;
    facts.push({ depth: lineDepth, leadingCloses, continuation: (lineGroups > 0 && !closesGroup) || afterOperator });
  }
  return facts;
}

/** Brace depth and `(`/`[` depth after a token; as the lexer does, a brace ends every group. */
function afterToken(token: Token, depth: number, groups: number): [number, number] {
  if (token.kind !== 'punctuator') return [depth, groups];
  switch (token.text) {
    case '{':
      return [depth + 1, 0];
    case '}':
      return [Math.max(0, depth - 1), 0];
    case '(':
    case '[':
      return [depth, groups + 1];
    case ')':
    case ']':
      return [depth, Math.max(0, groups - 1)];
    default:
      return [depth, groups];
  }
}

const blank = /[ \t\v\f]/;

/**
 * A line without its trailing blanks. Scanned from the end: `/[ \t]+$/` tries every run
 * of blanks in the line, which is quadratic in a long run that something follows (a
 * 120,000-character comment of spaces took 14 s).
 */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && blank.test(line[end - 1] ?? '')) end--;
  return line.slice(0, end);
}

/** The plan, or `undefined` when the text holds nothing but blanks. */
function formatLines(analysis: Analysis, unit: string): LinePlan | undefined {
  const text = analysis.text;
  const lines = splitLines(text);
  const facts = lineFacts(analysis.compiled.tokens, lines);
  const blockComments = analysis.compiled.comments.filter((c) => text.startsWith('/*', c.start));
  /** Whether `offset` is strictly inside a block comment (they are in source order). */
  const inComment = (offset: number): boolean => {
    let low = 0;
    let high = blockComments.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const comment = blockComments[middle] as { start: number; end: number };
      if (offset <= comment.start) high = middle - 1;
      else if (offset >= comment.end) low = middle + 1;
      else return true;
    }
    return false;
  };
  // An unclosed string runs to the end of its line.
  const unclosedStringEnds = new Set(analysis.compiled.tokens.filter((t) => t.kind === 'string' && !t.terminated).map((t) => t.range.end));

  const planned: Array<string | undefined> = [];
  /** Lines that are kept as they are, blank or not. */
  const verbatim = new Set<number>();
  /** Blank lines kept in the current run; none are kept before the first line with something on it. */
  let blanks = 0;
  let started = false;
  lines.forEach((line, i) => {
    const content = text.slice(line.start, line.end);
    const fact = facts[i] as LineFacts;
    // A line that starts inside a block comment is the comment's: left alone.
    if (inComment(line.start)) {
      planned.push(content);
      verbatim.add(i);
      blanks = 0;
      started = true;
      return;
    }
    const bom = i === 0 && content.startsWith('\uFEFF') ? '\uFEFF' : '';
    const body = content.slice(bom.length).replace(/^[ \t\v\f]+/, '');
    // Blanks that end a line inside an unclosed string or a block comment are theirs.
    const trimmed = unclosedStringEnds.has(line.end) || inComment(line.end) ? body : withoutTrailingBlanks(body);
    if (trimmed === '') {
      blanks++;
      const allowed = !started ? 0 : fact.depth > 0 ? 1 : 2;
      // A byte order mark keeps its line.
      planned.push(blanks <= allowed || bom !== '' ? bom : undefined);
      return;
    }
    blanks = 0;
    started = true;
    const level = Math.min(maxNesting, Math.max(0, fact.depth - fact.leadingCloses) + (fact.continuation ? 1 : 0));
    planned.push(bom + unit.repeat(level) + trimmed);
  });

  // Blank lines at the end go (the lines of a block comment stay).
  let last = planned.length - 1;
  while (last >= 0 && !verbatim.has(last) && (planned[last] === undefined || planned[last] === '' || planned[last] === '\uFEFF')) last--;
  for (let i = last + 1; i < planned.length; i++) planned[i] = undefined;
  if (last < 0) return undefined;
  const lastLine = lines[last] as Line;
  const firstBreak = lines.find((l) => l.lineBreak !== '')?.lineBreak ?? '\n';
  return { lines: planned, finalBreak: lastLine.lineBreak === '' ? firstBreak : undefined };
}

/** The edits that turn the text into the plan: each changed line, each run of removed lines. */
function editsFor(analysis: Analysis, plan: LinePlan): TextEdit[] {
  const lines = splitLines(analysis.text);
  const edits: TextEdit[] = [];
  // The last line kept keeps its break; everything after it goes in one edit.
  let lastKept = -1;
  plan.lines.forEach((content, i) => {
    if (content !== undefined) lastKept = i;
  });
  let removing: number | undefined;
  const flushRemoval = (until: number): void => {
    if (removing === undefined) return;
    if (until > removing) edits.push(TextEdit.del({ start: analysis.positionAt(removing), end: analysis.positionAt(until) }));
    removing = undefined;
  };
  plan.lines.forEach((content, i) => {
    const line = lines[i] as Line;
    if (content === undefined) {
      // A removed line goes with its break; after the last kept line, the whole rest goes.
      removing ??= line.start;
      return;
    }
    flushRemoval(line.start);
    const old = analysis.text.slice(line.start, line.end);
    const addBreak = i === lastKept && plan.finalBreak !== undefined ? plan.finalBreak : '';
    if (content !== old || addBreak !== '') {
      edits.push(TextEdit.replace({ start: analysis.positionAt(line.start), end: analysis.positionAt(line.end) }, content + addBreak));
    }
  });
  flushRemoval(analysis.text.length);
  return edits;
}
