import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { repoPath } from '../../helpers/repo';

/** One code-server instance with a fresh profile, the built .vsix installed, and a copy of examples/. */
export interface CodeServer {
  /** The workbench URL, with the workspace folder open. */
  url: string;
  workspace: string;
  userDataDir: string;
  stop(): Promise<void>;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm run test:e2e\``);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitForListening(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${log()}`)), 60_000);
    const onData = (): void => {
      if (log().includes('HTTP server listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${log()}`));
    });
  });
}

export interface StartOptions {
  /** Install the built .vsix (default). Without it, the profile has no extension but the built-in ones. */
  installVsix?: boolean;
}

export async function startCodeServer(name: string, options: StartOptions = {}): Promise<CodeServer> {
  const codeServer = requiredEnv('IOMMU_CODE_SERVER');
  const installVsix = options.installVsix ?? true;
  const root = repoPath('.cache', 'e2e', name);
  rmSync(root, { recursive: true, force: true });
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const workspace = path.join(root, 'workspace');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  cpSync(repoPath('scripts', 'vscode-web-settings.json'), path.join(userDataDir, 'User', 'settings.json'));
  cpSync(repoPath('examples'), workspace, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  if (installVsix) {
    execFileSync(codeServer, ['--extensions-dir', extensionsDir, '--install-extension', requiredEnv('IOMMU_VSIX'), '--force'], { stdio: 'pipe' });
  }

  const port = await freePort();
  const child = spawn(
    codeServer,
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--config', path.join(root, 'config.yaml'),
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForListening(child, () => output);

  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    userDataDir,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** The remote extension host's log of this instance: it records every extension activation. */
export function extensionHostLog(userDataDir: string): string {
  const logs = path.join(userDataDir, 'logs');
  return readdirSync(logs, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'remoteexthost.log')
    .map((file) => readFileSync(path.join(logs, file), 'utf8'))
    .join('\n');
}

/** Names of the log files the extensions' output channels write (one per channel). */
export function outputChannelLogs(userDataDir: string, extensionId: string): string[] {
  const logs = path.join(userDataDir, 'logs');
  return readdirSync(logs, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(path.dirname(file)) === extensionId)
    .map((file) => path.basename(file, '.log'));
}
