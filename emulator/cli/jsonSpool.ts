import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { RunOutput } from './output';

/** Bytes a spool keeps in memory before it moves them to a file. */
const IN_MEMORY = 1 << 20;

/** The most UTF-8 bytes one UTF-16 code unit can take. */
const UTF8_PER_UNIT = 3;

const SEPARATOR = ',\n';

/**
 * The elements of one JSON array, gathered while another array is being printed: in memory
 * while small, then in a temporary file, so that a list of any length costs bounded memory.
 * Elements are kept as the UTF-8 they will be printed as (encoded once, into one reused
 * buffer); `copyTo` prints them (comma-separated) and removes the file.
 */
export class JsonSpool {
  private memory: Buffer | undefined;
  private used = 0;
  private file: { dir: string; fd: number } | undefined;
  private count = 0;

  get length(): number {
    return this.count;
  }

  add(element: string): void {
    const text = this.count === 0 ? element : SEPARATOR + element;
    this.count++;
    const memory = (this.memory ??= Buffer.allocUnsafe(IN_MEMORY));
    if (this.used + text.length * UTF8_PER_UNIT > IN_MEMORY) {
      this.spill();
      if (text.length * UTF8_PER_UNIT > IN_MEMORY) {
        this.toFile(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += memory.write(text, this.used, 'utf8');
  }

  /** Moves what is in memory to the file. */
  private spill(): void {
    if (this.memory && this.used > 0) this.toFile(this.memory.subarray(0, this.used));
    this.used = 0;
  }

  private toFile(bytes: Uint8Array): void {
    if (!this.file) {
      const dir = mkdtempSync(path.join(tmpdir(), 'iommu-debug-'));
      this.file = { dir, fd: openSync(path.join(dir, 'spool.json'), 'w+') };
    }
    for (let done = 0; done < bytes.length; ) done += writeSync(this.file.fd, bytes, done, bytes.length - done);
  }

  /** Prints every element, then forgets them. */
  copyTo(out: RunOutput): void {
    if (this.file) {
      this.spill();
      const buffer = this.memory ?? Buffer.allocUnsafe(IN_MEMORY);
      for (let position = 0; ; ) {
        const read = readSync(this.file.fd, buffer, 0, buffer.length, position);
        if (read === 0) break;
        position += read;
        out.writeBytes(buffer.subarray(0, read));
      }
    } else if (this.memory && this.used > 0) {
      out.writeBytes(this.memory.subarray(0, this.used));
    }
    this.dispose();
  }

  /** Removes the temporary file, if there is one, and lets the memory go. */
  dispose(): void {
    this.memory = undefined;
    this.used = 0;
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
    this.file = undefined;
  }
}
