import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitNotification, ShutdownRequest, TextDocumentSyncKind } from 'vscode-languageserver-protocol/node';
import { version } from '../../package.json';
import { distPath } from '../helpers/repo';
import { initialize, inProcessServer, spawnServer } from '../helpers/lspClient';

test('in process: initialize reports the server and incremental sync', async () => {
  const peer = inProcessServer();
  try {
    const result = await initialize(peer);
    assert.deepEqual(result.serverInfo, { name: 'iommu-scenario-language-server', version });
    assert.equal(result.capabilities.textDocumentSync, TextDocumentSyncKind.Incremental);
  } finally {
    peer.dispose();
  }
});

test('dist/server.js --stdio: initialize, shutdown, exit with status 0', async () => {
  const peer = spawnServer(distPath('server'));
  try {
    const result = await initialize(peer);
    assert.equal(result.serverInfo?.name, 'iommu-scenario-language-server');
    await peer.connection.sendRequest(ShutdownRequest.type);
    await peer.connection.sendNotification(ExitNotification.type);
    assert.equal(await peer.exited, 0);
  } finally {
    peer.dispose();
  }
});
