import { spawn } from 'node:child_process';
import {
  createProtocolConnection,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  LogMessageNotification,
  MessageType,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { distPath } from '../helpers/repo';

/**
 * `node dist/server.js --stdio` as the fuzzer drives it: over a real connection, and with
 * what a user never sees collected: its stderr, the errors it logs to the client (a
 * feature that threw and answered with nothing), and whether it is still alive.
 * (`spawnServer` in test/helpers/lspClient.ts lets stderr through to the terminal.)
 */
export class LspServerProcess {
  readonly connection: ProtocolConnection;
  /** Everything written to stderr, and the errors logged through `window/logMessage`. */
  stderr = '';
  readonly loggedErrors: string[] = [];
  /** Set when the process has exited. */
  exit: { code: number | null; signal: string | null } | undefined;
  private readonly kill: () => void;
  private readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor() {
    const child = spawn(process.execPath, [distPath('server'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.wake();
    });
    // A write to a server that died is reported by `exit`, not as an unhandled error.
    child.stdin.on('error', () => undefined);
    this.kill = () => child.kill();
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      this.wake();
    });
    this.connection.onNotification(LogMessageNotification.type, (params) => {
      if (params.type === MessageType.Error) this.loggedErrors.push(params.message);
    });
    this.connection.listen();
  }

  static async start(): Promise<{ server: LspServerProcess; initialized: InitializeResult }> {
    const server = new LspServerProcess();
    const initialized = await server.connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    await server.connection.sendNotification(InitializedNotification.type, {});
    return { server, initialized };
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** The diagnostics published for a version of a document, once they arrive (rejects when the server dies or `timeoutMs` passes). */
  diagnosticsFor(uri: string, version: number, timeoutMs: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.published.find((p) => p.uri === uri && p.version === version);
        if (found || this.exit) {
          this.waiters.delete(check);
          clearTimeout(timer);
          if (found) resolve(found);
          else reject(new Error(`the server exited (${JSON.stringify(this.exit)}) before publishing diagnostics for version ${version}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no diagnostics for version ${version} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Forgets the diagnostics published so far (between cases). */
  forgetDiagnostics(): void {
    this.published.length = 0;
  }

  /** Shuts the server down as a client does; kills it when it does not exit in time. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (!this.exit) {
      const exited = new Promise<void>((resolve) => this.waiters.add(() => this.exit && resolve()));
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      try {
        await Promise.race([this.connection.sendRequest(ShutdownRequest.type).then(() => this.connection.sendNotification(ExitNotification.type)), deadline]);
      } catch {
        // A server that cannot shut down is killed below.
      }
      await Promise.race([exited, deadline]);
    }
    this.connection.dispose();
    if (!this.exit) this.kill();
  }
}
