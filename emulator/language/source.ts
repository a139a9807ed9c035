/** A span of the source text, as UTF-16 offsets: `start` inclusive, `end` exclusive. */
export interface Range {
  start: number;
  end: number;
}

/** A 0-based line and UTF-16 character, as LSP counts them. */
export interface Position {
  line: number;
  character: number;
}

/** The smallest range that covers both. */
export function cover(a: Range, b: Range): Range {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

export function contains(range: Range, offset: number): boolean {
  return offset >= range.start && offset <= range.end;
}

/** Converts offsets to positions and back; built once per text. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The position of an offset; one between the `\r` and the `\n` of a line break is the line's end. */
  positionAt(offset: number): Position {
    const inText = Math.max(0, Math.min(offset, this.text.length));
    const clamped = this.text.charCodeAt(inText - 1) === 13 && this.text.charCodeAt(inText) === 10 ? inText - 1 : inText;
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - (this.lineStarts[low] ?? 0) };
  }

  /** The offset of a position; past the end of its line, the line's end (before `\r\n` as before `\n`), as LSP clamps. */
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line] ?? 0;
    return Math.min(start + Math.max(0, position.character), this.lineEnd(position.line));
  }

  /** Where a line's content ends: before its line break, or at the end of the text. */
  private lineEnd(line: number): number {
    const next = this.lineStarts[line + 1];
    if (next === undefined) return this.text.length;
    return this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }

  /** 1-based line of an offset, as compilers print it. */
  lineOf(offset: number): number {
    return this.positionAt(offset).line + 1;
  }
}
