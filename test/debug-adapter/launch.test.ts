import assert from 'node:assert/strict';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, test } from 'node:test';
import { startDebugClient } from '../helpers/debugClient';
import { repoPath } from '../helpers/repo';

let client: DebugClient;

beforeEach(async () => {
  client = await startDebugClient();
});

afterEach(async () => {
  await client.stop();
});

/** The error a request was answered with; fails the test if it succeeded. */
async function errorOf(request: Promise<DebugProtocol.Response>): Promise<Error> {
  try {
    await request;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('the request succeeded');
}

test('initialize advertises configurationDone and terminate', async () => {
  const response = await client.initializeRequest();
  assert.equal(response.success, true);
  assert.equal(response.body?.supportsConfigurationDoneRequest, true);
  assert.equal(response.body?.supportsTerminateRequest, true);
});

test('launch without a scenario is refused with the attribute named', async () => {
  await client.initializeRequest();
  const error = await errorOf(client.launch({}));
  assert.equal(error.message, "launch attribute 'scenario' is required: the path of a .iommu file");
});

test('launch with a non-boolean stopOnFault is refused', async () => {
  await client.initializeRequest();
  const args = { scenario: repoPath('examples', 'a530-fault-no-stall.iommu'), stopOnFault: 'yes' };
  const error = await errorOf(client.launch(args));
  assert.equal(error.message, `launch attribute 'stopOnFault' must be true or false, not "yes"`);
});

test('launch of a missing file names the file, and the session still answers', async () => {
  await client.initializeRequest();
  const missing = repoPath('examples', 'no-such-scenario.iommu');
  const error = await errorOf(client.launch({ scenario: missing }));
  assert.equal(error.message, `cannot read scenario ${missing}: ENOENT: no such file or directory, open '${missing}'`);
  const retry = await errorOf(client.launch({}));
  assert.match(retry.message, /'scenario' is required/);
});
