import { writeSync } from 'fs';

/** Whoever reads the output went away (`iommu-debug run … | head -1`): nothing more can be said. */
export class OutputClosed extends Error {}

/** Where the CLI's text goes. */
export interface TextOutput {
  write(text: string): void;
}

/** Bytes gathered before one write: a trace of millions of lines leaves in pieces this big. */
const PIECE = 1 << 16;

/** How long to wait when a non-blocking descriptor is full (`EAGAIN`) before writing again. */
const FULL_WAIT_MS = 1;

/**
 * Text written synchronously to a file descriptor, a piece at a time, so that memory stays
 * flat however much is printed and a run stops as soon as its reader closes the pipe
 * (`process.stdout.write` would queue the whole trace in memory behind a slow pipe, and
 * report a closed one later as an unhandled error).
 */
export class FdOutput implements TextOutput {
  private pieces: string[] = [];
  private size = 0;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    this.pieces.push(text);
    this.size += text.length;
    if (this.size >= PIECE) this.flush();
  }

  flush(): void {
    if (this.pieces.length === 0) return;
    const bytes = Buffer.from(this.pieces.join(''), 'utf8');
    this.pieces = [];
    this.size = 0;
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
export class StringOutput implements TextOutput {
  private readonly parts: string[] = [];

  write(text: string): void {
    this.parts.push(text);
  }

  get text(): string {
    return this.parts.join('');
  }
}
