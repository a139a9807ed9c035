import { ChildProcess, spawn } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import { DebugProtocol } from '@vscode/debugprotocol';
import { readScenarioFromDisk } from '../../debug-adapter/scenarioReader';
import { IommuDebugSession } from '../../debug-adapter/session';
import { distPath } from '../helpers/repo';

/** What the adapter sends: responses and events (it sends no requests). */
export type DapMessage = DebugProtocol.Response | DebugProtocol.Event;

/** A request as the fuzzer sends it: any command, any arguments (absent when undefined). */
export interface OutgoingRequest {
  command: string;
  arguments?: unknown;
}

const HEADER_END = '\r\n\r\n';

/**
 * A DAP client over a pair of streams: Content-Length framing both ways, every message the
 * adapter sends kept in arrival order. Anything on the wire that is not a framed JSON
 * message is kept as a problem.
 */
export class DapWire {
  readonly received: DapMessage[] = [];
  readonly problems: string[] = [];
  private buffer = Buffer.alloc(0);
  private nextSeq = 1;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly toAdapter: Writable,
    fromAdapter: Readable,
  ) {
    fromAdapter.on('data', (chunk: Buffer) => this.read(chunk));
  }

  /** Sends requests in one write, so that the adapter reads them as one chunk; their seqs. */
  send(requests: readonly OutgoingRequest[]): number[] {
    const seqs: number[] = [];
    const frames = requests.map((request) => {
      const seq = this.nextSeq++;
      seqs.push(seq);
      const json = JSON.stringify({ seq, type: 'request', command: request.command, ...(request.arguments === undefined ? {} : { arguments: request.arguments }) });
      return `Content-Length: ${Buffer.byteLength(json, 'utf8')}${HEADER_END}${json}`;
    });
    this.toAdapter.write(frames.join(''), 'utf8');
    return seqs;
  }

  /** Resolves true as soon as `test` holds (it is asked on every chunk of messages), false after `ms`. */
  until(test: () => boolean, ms: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!test()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (held: boolean): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(held);
      };
      this.listeners.add(check);
    });
  }

  /** Takes a chunk's whole messages, then asks the waiters once (a run may send tens of thousands). */
  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.parse();
    for (const listener of [...this.listeners]) listener();
  }

  private parse(): void {
    for (;;) {
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('utf8');
      const length = /Content-Length: (\d+)/.exec(header)?.[1];
      if (length === undefined) {
        this.problems.push(`a frame without Content-Length: ${JSON.stringify(header)}`);
        this.buffer = this.buffer.subarray(headerEnd + HEADER_END.length);
        continue;
      }
      const start = headerEnd + HEADER_END.length;
      if (this.buffer.length < start + Number(length)) return;
      const body = this.buffer.subarray(start, start + Number(length)).toString('utf8');
      this.buffer = this.buffer.subarray(start + Number(length));
      try {
        this.received.push(JSON.parse(body) as DapMessage);
      } catch {
        this.problems.push(`a frame that is not JSON: ${body.slice(0, 200)}`);
      }
    }
  }
}

/** An adapter to talk to, and how to tell whether it is still there. */
export interface DapAdapter {
  readonly wire: DapWire;
  /** Why the adapter is gone, if it is (the process exited). */
  readonly gone: string | undefined;
  /** What it wrote to stderr (the standalone adapter writes nothing there). */
  readonly stderr: string;
  close(): void;
}

/**
 * The session class in this process, over a stream pair — what the extension runs inline.
 * It runs as a server: the end of its input does not exit the process.
 */
export function inlineAdapter(): DapAdapter {
  const toAdapter = new PassThrough();
  const fromAdapter = new PassThrough();
  const session = new IommuDebugSession(readScenarioFromDisk);
  session.setRunAsServer(true);
  session.start(toAdapter, fromAdapter);
  return {
    wire: new DapWire(toAdapter, fromAdapter),
    gone: undefined,
    stderr: '',
    close: () => toAdapter.end(),
  };
}

/** The standalone adapter, `node dist/debug-adapter.js`, on stdio. */
export function processAdapter(): DapAdapter {
  const child: ChildProcess = spawn(process.execPath, [distPath('debug-adapter')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const { stdin, stdout, stderr } = child;
  if (!stdin || !stdout || !stderr) throw new Error('the adapter process has no stdio');
  let errors = '';
  let gone: string | undefined;
  stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  child.on('exit', (code, signal) => (gone = `the adapter process exited (${signal ?? `code ${code}`})`));
  // A write after the process is gone must not take the fuzzer down: `gone` says what happened.
  stdin.on('error', () => undefined);
  return {
    wire: new DapWire(stdin, stdout),
    get gone() {
      return gone;
    },
    get stderr() {
      return errors;
    },
    close: () => {
      child.kill();
    },
  };
}
