import { spawnSync } from 'node:child_process';
import { ExitNotification, ShutdownRequest } from 'vscode-languageserver-protocol/node';
import { initialize, spawnServer } from '../test/helpers/lspClient';
import { distPath } from '../test/helpers/repo';
import { BenchResult, median, round, time } from './measure';

/** How long a user waits for each process the extension starts before it can answer. */
export async function run(): Promise<BenchResult> {
  const cli = await time(10, () => spawnSync(process.execPath, [distPath('cli'), '--version']));
  const server = await time(10, async () => {
    const peer = spawnServer(distPath('server'));
    await initialize(peer);
    await peer.connection.sendRequest(ShutdownRequest.type);
    await peer.connection.sendNotification(ExitNotification.type);
    await peer.exited;
    peer.dispose();
  });
  return {
    cli_startup_ms: round(median(cli)),
    lsp_spawn_to_initialized_ms: round(median(server)),
  };
}
