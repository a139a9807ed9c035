import { writeSync } from 'fs';
import { StringDecoder } from 'string_decoder';
import { hex } from '../util/u64';
import { FixedText, PieceWriter } from './pieces';

/** Whoever reads the output went away (`iommu-debug run … | head -1`): nothing more can be said. */
export class OutputClosed extends Error {}

/** Where the CLI's text goes. */
export interface TextOutput {
  write(text: string): void;
}

/**
 * Where a run's output goes: text, whole or in pieces, and UTF-8 that was text already (a
 * spool's elements), passed on without decoding it again.
 */
export interface RunOutput extends TextOutput, PieceWriter {
  writeBytes(bytes: Uint8Array): void;
}

/** Bytes gathered before one write: a trace of millions of lines leaves in pieces this big. */
const PIECE = 1 << 16;

/** The most UTF-8 bytes one UTF-16 code unit can take (a surrogate pair is 4 bytes for 2 units). */
const UTF8_PER_UNIT = 3;

const SPACE = 0x20;
const DIGIT_0 = 0x30;
const LETTER_X = 0x78;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Integers below this are exact as JS numbers. */
const EXACT_LIMIT = 1n << 53n;

/** How long to wait when a non-blocking descriptor is full (`EAGAIN`) before writing again. */
const FULL_WAIT_MS = 1;

/**
 * Text written synchronously to a file descriptor, a piece at a time, so that memory stays
 * flat however much is printed and a run stops as soon as its reader closes the pipe
 * (`process.stdout.write` would queue the whole trace in memory behind a slow pipe, and
 * report a closed one later as an unhandled error). Text is encoded straight into one
 * buffer that is reused for every piece: no string joins, no buffer per piece.
 */
export class FdOutput implements RunOutput {
  private readonly piece = Buffer.allocUnsafe(PIECE);
  private used = 0;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    if (this.used + text.length * UTF8_PER_UNIT > PIECE) {
      this.flush();
      if (text.length * UTF8_PER_UNIT > PIECE) {
        this.writeAll(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.piece.write(text, this.used, 'utf8');
  }

  /**
   * Encoded here, unit by unit: the pieces are short (a column, `" → "`), and a native call
   * for each would cost more than the bytes. Surrogates are left to `Buffer.write`.
   */
  append(text: string): void {
    if (this.used + text.length * UTF8_PER_UNIT > PIECE) {
      this.write(text);
      return;
    }
    const piece = this.piece;
    let at = this.used;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) {
        piece[at++] = unit;
      } else if (unit < 0x800) {
        piece[at++] = 0xc0 | (unit >> 6);
        piece[at++] = 0x80 | (unit & 0x3f);
      } else if (unit < 0xd800 || unit > 0xdfff) {
        piece[at++] = 0xe0 | (unit >> 12);
        piece[at++] = 0x80 | ((unit >> 6) & 0x3f);
        piece[at++] = 0x80 | (unit & 0x3f);
      } else {
        at += piece.write(text.slice(i), at, 'utf8');
        break;
      }
    }
    this.used = at;
  }

  fixed(text: FixedText): void {
    const bytes = text.utf8;
    if (this.used + bytes.length > PIECE) {
      this.flush();
      if (bytes.length > PIECE) {
        this.writeAll(bytes);
        return;
      }
    }
    this.piece.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Below 2^53 (every address there is in practice) digit by digit from two 32-bit halves, with no string made. */
  hex(value: bigint): void {
    if (value < 0n || value >= EXACT_LIMIT) {
      this.append(hex(value));
      return;
    }
    const exact = Number(value);
    const high = Math.floor(exact / 2 ** 32);
    const low = exact >>> 0;
    let digits = high > 0 ? 8 : 1;
    for (let rest = high > 0 ? high : low >>> 4; rest > 0; rest >>>= 4) digits++;
    if (this.used + 2 + digits > PIECE) this.flush();
    const piece = this.piece;
    piece[this.used++] = DIGIT_0;
    piece[this.used++] = LETTER_X;
    const start = this.used;
    let at = start + digits;
    for (let rest = low, n = 0; n < 8 && at > start; n++, rest >>>= 4) piece[--at] = HEX_DIGITS[rest & 0xf] ?? DIGIT_0;
    for (let rest = high; at > start; rest >>>= 4) piece[--at] = HEX_DIGITS[rest & 0xf] ?? DIGIT_0;
    this.used = start + digits;
  }

  decimal(value: number, width = 0): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      this.append(String(value).padStart(width));
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    const length = Math.max(width, digits);
    if (this.used + length > PIECE) this.flush();
    const piece = this.piece;
    const start = this.used;
    for (let at = start; at < start + length - digits; at++) piece[at] = SPACE;
    let at = start + length;
    let rest = value;
    do {
      piece[--at] = DIGIT_0 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    this.used = start + length;
  }

  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.writeAll(bytes);
  }

  flush(): void {
    if (this.used === 0) return;
    const used = this.used;
    this.used = 0;
    this.writeAll(this.piece.subarray(0, used));
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      try {
        done += writeSync(this.fd, bytes, done, bytes.length - done);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, FULL_WAIT_MS);
        else if (code === 'EPIPE') throw new OutputClosed('the output was closed');
        else throw error;
      }
    }
  }
}

/** Text kept in memory (tests, and the JSON of a run computed in-process). */
export class StringOutput implements RunOutput {
  private readonly parts: string[] = [];
  /** Bytes written in pieces may split a character: the decoder keeps its first bytes for the next piece. */
  private readonly decoder = new StringDecoder('utf8');

  write(text: string): void {
    this.parts.push(this.decoder.end(), text);
  }

  append(text: string): void {
    this.write(text);
  }

  writeBytes(bytes: Uint8Array): void {
    this.parts.push(this.decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)));
  }

  fixed(text: FixedText): void {
    this.write(text.text);
  }

  hex(value: bigint): void {
    this.write(hex(value));
  }

  decimal(value: number, width = 0): void {
    this.write(String(value).padStart(width));
  }

  get text(): string {
    return this.parts.join('') + this.decoder.end();
  }
}
