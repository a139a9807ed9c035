import { ChildProcess, spawn } from 'child_process';
import { PassThrough } from 'stream';
import {
  createProtocolConnection,
  InitializeParams,
  InitializeRequest,
  InitializeResult,
  ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { createConnection } from 'vscode-languageserver/node';
import { startServer } from '../../server/server';

export interface LspPeer {
  connection: ProtocolConnection;
  /**
   * What `initialize` tells the server of its client's process: a spawned server watches
   * it and exits with it; an in-process one must not (its watchdog timer keeps tests alive).
   */
  clientProcessId: number | null;
  /** Resolves with the server process's exit code (null when in-process). */
  exited: Promise<number | null>;
  dispose(): void;
}

/** A client connection to `node dist/server.js --stdio`. */
export function spawnServer(serverScript: string): LspPeer {
  const child: ChildProcess = spawn(process.execPath, [serverScript, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (!child.stdout || !child.stdin) throw new Error('server process has no stdio');
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    connection,
    clientProcessId: process.pid,
    exited,
    dispose: () => {
      connection.dispose();
      child.kill();
    },
  };
}

/** The server wired to a client over an in-memory stream pair, in this process. */
export function inProcessServer(): LspPeer {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(serverConnection);
  const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  connection.listen();
  return {
    connection,
    clientProcessId: null,
    exited: Promise.resolve(null),
    dispose: () => {
      connection.dispose();
      serverConnection.dispose();
    },
  };
}

export function initialize(peer: LspPeer, rootUri: string | null = null): Promise<InitializeResult> {
  const params: InitializeParams = { processId: peer.clientProcessId, rootUri, capabilities: {}, workspaceFolders: null };
  return peer.connection.sendRequest(InitializeRequest.type, params);
}
