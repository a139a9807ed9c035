import assert from 'node:assert/strict';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, test } from 'node:test';
import { startDebugClient } from '../helpers/debugClient';
import { repoPath } from '../helpers/repo';

const svm = repoPath('examples', 'svm-map-and-retry.iommu');
let client: DebugClient;

beforeEach(async () => {
  client = await startDebugClient();
});

afterEach(async () => {
  await client.stop();
});

async function untilStopped(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await request();
  return stopped;
}

/** The top frame's name and the Transaction scope's id, status and pa. */
async function where(threadId: number | undefined): Promise<[string, string[]]> {
  const stack = await client.stackTraceRequest({ threadId: threadId ?? 0 });
  const top = stack.body.stackFrames[0];
  assert.ok(top);
  const scopes = await client.scopesRequest({ frameId: top.id });
  const transaction = scopes.body.scopes.find((s) => s.name === 'Transaction');
  assert.ok(transaction);
  const variables = await client.variablesRequest({ variablesReference: transaction.variablesReference });
  return [top.name, variables.body.variables.filter((v) => ['id', 'status', 'pa'].includes(v.name)).map((v) => `${v.name}=${v.value}`)];
}

async function launch(): Promise<DebugProtocol.StoppedEvent> {
  await client.initializeRequest();
  const initialized = client.waitForEvent('initialized');
  await client.launch({ scenario: svm });
  await initialized;
  return untilStopped(() => client.configurationDoneRequest());
}

test('initialize advertises stepping back', async () => {
  const response = await client.initializeRequest();
  assert.equal(response.body?.supportsStepBack, true);
});

test('step back returns to the previous stop exactly; going forward again replays the same run', async () => {
  const first = await launch();
  assert.deepEqual(await where(first.body.threadId), ['write 0x0300_0000 4 value 0xcafe as fill — #0 stalled', ['id=#0', 'status=stalled (by its fault)', 'pa=none']]);
  const second = await untilStopped(() => client.continueRequest({ threadId: 1 }));
  assert.deepEqual(await where(second.body.threadId), ['write 0x0300_1000 4 value 0xbeef as fill2 — #1 stalled', ['id=#1', 'status=stalled (by its fault)', 'pa=none']]);

  const back = await untilStopped(() => client.stepBackRequest({ threadId: 1 }));
  assert.equal(back.body.description, 'Stepped back to cycle 30 — Paused on translation fault');
  // Where the first stop was: fill is stalled again, and its page is not mapped yet.
  assert.deepEqual(await where(back.body.threadId), ['write 0x0300_0000 4 value 0xcafe as fill — #0 stalled', ['id=#0', 'status=stalled (by its fault)', 'pa=none']]);
  const translation = await client.evaluateRequest({ expression: 'translate(0x0300_0000)', context: 'repl' });
  assert.equal(translation.body.result, '0x3000000: translation fault at level 2: L2[24] is invalid');

  const again = await untilStopped(() => client.continueRequest({ threadId: 1 }));
  assert.deepEqual(await where(again.body.threadId), ['write 0x0300_1000 4 value 0xbeef as fill2 — #1 stalled', ['id=#1', 'status=stalled (by its fault)', 'pa=none']]);
});

test('reverse continue goes back to the previous breakpoint or fault; at the first stop there is nothing earlier', async () => {
  await launch();
  await assert.rejects(client.stepBackRequest({ threadId: 1 }), /this is the first stop: there is nothing earlier to go back to/);
  await untilStopped(() => client.continueRequest({ threadId: 1 }));
  await untilStopped(() => client.continueRequest({ threadId: 1 }));
  const reversed = await untilStopped(() => client.reverseContinueRequest({ threadId: 1 }));
  assert.equal(reversed.body.description, 'Went back to cycle 141 — Paused on translation fault');
  assert.deepEqual((await where(reversed.body.threadId))[1], ['id=#1', 'status=stalled (by its fault)', 'pa=none']);
});
