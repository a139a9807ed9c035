import { hex } from '../util/u64';

/**
 * Text written a piece at a time. The records there are millions of (a transaction's trace
 * line, its JSON element) are written this way, so that the CLI's output puts the pieces
 * straight into its buffer instead of building a string for each record; the same code
 * gives the Debug Console its string through `StringPieces`.
 */
export interface PieceWriter {
  append(text: string): void;
  fixed(text: FixedText): void;
  /** `0x7000000`, as `hex` in util/u64 writes it. */
  hex(value: bigint): void;
  /** A number as `String` writes it, right-aligned to `width` characters with spaces. */
  decimal(value: number, width?: number): void;
}

/** Text made once and written many times (an op's words, the keys between fields): encoded to UTF-8 once. */
export class FixedText {
  readonly utf8: Uint8Array;

  constructor(readonly text: string) {
    this.utf8 = Buffer.from(text, 'utf8');
  }
}

/** The pieces joined into one string. */
export class StringPieces implements PieceWriter {
  value = '';

  append(text: string): void {
    this.value += text;
  }

  fixed(text: FixedText): void {
    this.value += text.text;
  }

  hex(value: bigint): void {
    this.value += hex(value);
  }

  decimal(value: number, width = 0): void {
    this.value += String(value).padStart(width);
  }
}

/** What the pieces of `write` make, as one string. */
export function piecesText(write: (out: PieceWriter) => void): string {
  const pieces = new StringPieces();
  write(pieces);
  return pieces.value;
}
