import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver';
import { isPunctuator } from '../emulator/language/tokens';
import { Analysis } from './analysis';

/**
 * Folding: every `{ … }` that spans lines (declarations, `repeat`, `submit`, `if`, `else`,
 * found from the brace tokens, so an unparsable block still folds when its braces match),
 * block comments that span lines, runs of two or more lines holding only a `//` comment,
 * and `// region` … `// endregion` (or `#region` … `#endregion`) markers.
 *
 * A block's range ends on the line before its `}` when the `}` starts its line (so the `}`
 * stays visible, as VS Code expects), else on the `}` line. A comment's range ends on its
 * last line (the line before, when code follows it there); a region on its `endregion`
 * line. At most one range starts on a line: the largest (VS Code keeps one per line anyway).
 */
export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const ranges = [...braceRanges(analysis), ...commentRanges(analysis), ...regionRanges(analysis)];
  const byStart = new Map<number, FoldingRange>();
  for (const range of ranges) {
    const kept = byStart.get(range.startLine);
    if (!kept || range.endLine > kept.endLine) byStart.set(range.startLine, range);
  }
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

function lineOf(analysis: Analysis, offset: number): number {
  return analysis.positionAt(offset).line;
}

/** Whether only blanks stand between the start of the line and `offset`. */
function startsItsLine(analysis: Analysis, offset: number): boolean {
  const position = analysis.positionAt(offset);
  return analysis.text.slice(offset - position.character, offset).trim() === '';
}

const restOfLine = /[^\r\n]*/y;

/** Whether only blanks stand between `offset` and the end of its line. */
function endsItsLine(analysis: Analysis, offset: number): boolean {
  restOfLine.lastIndex = offset;
  return (restOfLine.exec(analysis.text)?.[0] ?? '').trim() === '';
}


function braceRanges(analysis: Analysis): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const open: number[] = [];
  for (const token of analysis.compiled.tokens) {
    if (isPunctuator(token, '{')) {
      open.push(token.range.start);
    } else if (isPunctuator(token, '}')) {
      const start = open.pop();
      if (start === undefined) continue;
      const startLine = lineOf(analysis, start);
      const closeLine = lineOf(analysis, token.range.start);
      const endLine = startsItsLine(analysis, token.range.start) ? closeLine - 1 : closeLine;
      if (endLine > startLine) ranges.push({ startLine, endLine });
    }
  }
  return ranges;
}

const regionStart = /^\s*(?:\/\/\s*#?region\b|#region\b)/;
const regionEnd = /^\s*(?:\/\/\s*#?endregion\b|#endregion\b)/;

function commentRanges(analysis: Analysis): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  let run: { startLine: number; endLine: number } | undefined;
  const endRun = (): void => {
    if (run && run.endLine > run.startLine) ranges.push({ ...run, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const comment of analysis.compiled.comments) {
    const startLine = lineOf(analysis, comment.start);
    const endLine = lineOf(analysis, comment.end);
    const text = analysis.textOf(comment);
    if (text.startsWith('/*')) {
      endRun();
      // Code after the comment, on its last line, stays visible.
      const last = endsItsLine(analysis, comment.end) ? endLine : endLine - 1;
      if (last > startLine) ranges.push({ startLine, endLine: last, kind: FoldingRangeKind.Comment });
      continue;
    }
    // A `//` comment joins a run only when it is alone on its line and is no region marker.
    const alone = startsItsLine(analysis, comment.start);
    const marker = regionStart.test(text) || regionEnd.test(text);
    if (!alone || marker) {
      endRun();
      continue;
    }
    if (run && startLine === run.endLine + 1) run.endLine = startLine;
    else {
      endRun();
      run = { startLine, endLine: startLine };
    }
  }
  endRun();
  return ranges;
}

/** `// region` … `// endregion` (and `#region`), nested, outside block comments and strings. */
function regionRanges(analysis: Analysis): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const lineComments = new Set<number>();
  const blockComments = analysis.compiled.comments.filter((c) => analysis.text.startsWith('/*', c.start));
  for (const comment of analysis.compiled.comments) {
    if (analysis.text.startsWith('//', comment.start)) lineComments.add(comment.start);
  }
  const inBlockComment = (offset: number): boolean => blockComments.some((c) => offset > c.start && offset < c.end);
  const open: number[] = [];
  for (let line = 0; line < analysis.lines.lineCount; line++) {
    const start = analysis.offsetAt({ line, character: 0 });
    const end = line + 1 < analysis.lines.lineCount ? analysis.offsetAt({ line: line + 1, character: 0 }) : analysis.text.length;
    const text = analysis.text.slice(start, end);
    const isStart = regionStart.test(text);
    const isEnd = !isStart && regionEnd.test(text);
    if (!isStart && !isEnd) continue;
    const markerAt = start + (text.length - text.trimStart().length);
    // `//` markers must be the line comments the lexer found (not text inside a block comment);
    // `#` markers must not sit inside a block comment (a `#` in a string cannot start a line).
    const valid = analysis.text.startsWith('//', markerAt) ? lineComments.has(markerAt) : !inBlockComment(markerAt);
    if (!valid) continue;
    if (isStart) open.push(line);
    else {
      const startLine = open.pop();
      if (startLine !== undefined && line > startLine) ranges.push({ startLine, endLine: line, kind: FoldingRangeKind.Region });
    }
  }
  return ranges;
}
