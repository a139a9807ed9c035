import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { StringDecoder } from 'string_decoder';
import { TextOutput } from './output';

/** Text a spool keeps in memory before it moves to a file. */
const IN_MEMORY = 1 << 20;

/**
 * The elements of one JSON array, gathered while another array is being printed: in memory
 * while small, then in a temporary file, so that a list of any length costs bounded memory.
 * `copyTo` prints them (comma-separated) and removes the file.
 */
export class JsonSpool {
  private pending: string[] = [];
  private pendingSize = 0;
  private file: { dir: string; fd: number } | undefined;
  private count = 0;

  get length(): number {
    return this.count;
  }

  add(element: string): void {
    const text = this.count === 0 ? element : `,\n${element}`;
    this.count++;
    this.pending.push(text);
    this.pendingSize += text.length;
    if (this.pendingSize >= IN_MEMORY) this.spill();
  }

  private spill(): void {
    if (!this.file) {
      const dir = mkdtempSync(path.join(tmpdir(), 'iommu-debug-'));
      this.file = { dir, fd: openSync(path.join(dir, 'spool.json'), 'w+') };
    }
    writeSync(this.file.fd, this.pending.join(''));
    this.pending = [];
    this.pendingSize = 0;
  }

  /** Prints every element, then forgets them. */
  copyTo(out: TextOutput): void {
    if (this.file) {
      const buffer = Buffer.alloc(IN_MEMORY);
      // A piece may end inside a character: the decoder keeps its first bytes for the next.
      const decoder = new StringDecoder('utf8');
      let position = 0;
      for (;;) {
        const read = readSync(this.file.fd, buffer, 0, buffer.length, position);
        if (read === 0) break;
        position += read;
        out.write(decoder.write(buffer.subarray(0, read)));
      }
      out.write(decoder.end());
    }
    out.write(this.pending.join(''));
    this.dispose();
  }

  /** Removes the temporary file, if there is one. */
  dispose(): void {
    this.pending = [];
    this.pendingSize = 0;
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
    this.file = undefined;
  }
}
