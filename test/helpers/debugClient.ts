import { DebugClient } from '@vscode/debugadapter-testsupport';
import { distPath } from './repo';

/** A DAP client talking to the standalone adapter, `node dist/debug-adapter.js`, on stdio. */
export async function startDebugClient(): Promise<DebugClient> {
  const client = new DebugClient(process.execPath, distPath('debug-adapter'), 'iommu');
  await client.start();
  return client;
}
