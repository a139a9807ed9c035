import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Dap, errorOf, example, scenarioFile } from './helpers';

/** The little-endian bytes of a 64-bit value, base64 as DAP carries memory. */
function le64(value: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes.toString('base64');
}

const longRun = [
  'smmu s { version v2 }',
  'domain d { map 0x1000_0000 -> 0x8000_0000 size 2M rw }',
  'master m { stream 0x1; domain d }',
  'engine m.dma { repeat 1000000 { read 0x1000_0000 + (i % 512) * 0x1000 64 } }',
].join('\n');

describe('readMemory and writeMemory', () => {
  let dap: Dap;
  beforeEach(async () => {
    dap = await Dap.start();
  });
  afterEach(async () => {
    await dap.stop();
  });

  async function readMemory(args: DebugProtocol.ReadMemoryArguments): Promise<DebugProtocol.ReadMemoryResponse['body']> {
    return (await dap.client.customRequest('readMemory', args)).body as DebugProtocol.ReadMemoryResponse['body'];
  }

  async function writeMemory(args: DebugProtocol.WriteMemoryArguments): Promise<DebugProtocol.WriteMemoryResponse['body']> {
    return (await dap.client.customRequest('writeMemory', args)).body as DebugProtocol.WriteMemoryResponse['body'];
  }

  test('a descriptor\'s memoryReference reads as its little-endian bytes', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { container } = await dap.lookup(1, 'Fault', 'walk', 'L0[0]');
    const walk = await dap.variables(container);
    const l0 = walk.find((v) => v.name === 'L0[0]');
    assert.equal(l0?.memoryReference, '0x40000000');
    assert.deepEqual(await readMemory({ memoryReference: l0?.memoryReference ?? '', count: 8 }), { address: '0x40000000', data: le64(0x0000000040001003n), unreadableBytes: 0 });
    assert.equal(le64(0x0000000040001003n), 'AxAAQAAAAAA=');
    const l2 = walk.find((v) => v.name === 'L2[56]');
    assert.deepEqual(await readMemory({ memoryReference: l2?.memoryReference ?? '', count: 8 }), { address: '0x400021c0', data: le64(0n), unreadableBytes: 0 });
  });

  test('a leaf of the Page table scope reads as its descriptor value; an offset moves the address', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const { variable } = await dap.lookup(1, 'Page table', 'L0[0]', 'L1[0]', 'L2[8]', 'L3[1]');
    assert.equal(variable?.memoryReference, '0x40003008');
    assert.equal(variable?.type, '0x0000000080001f47');
    assert.deepEqual(await readMemory({ memoryReference: '0x40003000', offset: 8, count: 8 }), { address: '0x40003008', data: le64(0x0000000080001f47n), unreadableBytes: 0 });
    const two = await readMemory({ memoryReference: '0x40003000', count: 16 });
    assert.deepEqual(Buffer.from(two?.data ?? '', 'base64'), Buffer.concat([Buffer.from(le64(0x0000000080000f47n), 'base64'), Buffer.from(le64(0x0000000080001f47n), 'base64')]));
  });

  test('a write transaction\'s value is in memory at its PA', async () => {
    // Before fill2 is issued (outstanding 1), fill has completed: 0xcafe is at 0x8800_0000.
    await dap.launchAndStop({ scenario: example('svm-map-and-retry') }, { breakpoints: [{ line: 24 }], exceptionFilters: [] });
    assert.deepEqual(await readMemory({ memoryReference: '0x88000000', count: 4 }), { address: '0x88000000', data: Buffer.from([0xfe, 0xca, 0, 0]).toString('base64'), unreadableBytes: 0 });
  });

  test('a read beyond the physical address space: the bytes past 2^48 are unreadable', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const body = await readMemory({ memoryReference: '0xfffffffffff8', count: 16 });
    assert.equal(body?.address, '0xfffffffffff8');
    assert.equal(Buffer.from(body?.data ?? '', 'base64').length, 8);
    assert.equal(body?.unreadableBytes, 8);
  });

  test('writeMemory of a descriptor changes what a later walk sees, with memory and invalidated events', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const written = await writeMemory({ memoryReference: '0x400021c0', data: le64(0x0000000090000f45n) });
    assert.deepEqual(written, { bytesWritten: 8 });
    // Both events are sent before the response.
    assert.deepEqual(
      dap.all<DebugProtocol.MemoryEvent>('memory').map((e) => e.body),
      [{ memoryReference: '0x400021c0', offset: 0, count: 8 }],
    );
    assert.deepEqual(
      dap.all<DebugProtocol.InvalidatedEvent>('invalidated').map((e) => e.body),
      [{ areas: ['variables'] }],
    );
    assert.deepEqual(await readMemory({ memoryReference: '0x400021c0', count: 8 }), { address: '0x400021c0', data: le64(0x0000000090000f45n), unreadableBytes: 0 });
    const translated = await dap.custom<{ pa: string | null; result: string }>('iommu/translate', { iova: '0x7000040' });
    assert.equal(translated.pa, '0x90000040');
    assert.equal(translated.result, '0x90000040 (level 2, priv rw-, unpriv rwx)');
    // A fresh look at the fault's walk shows the new block; retry makes the stalled read complete through it.
    const { variable: walk } = await dap.lookup(1, 'Fault', 'walk');
    assert.equal(walk?.value, 'translates now');
    assert.equal((await dap.values(walk?.variablesReference ?? 0))['result'], '→ 0x90000000 (level 2)');
    await dap.custom('iommu/resume', { transaction: 1, action: 'retry' });
    await dap.client.nextRequest({ threadId: 1 });
    await dap.stopped();
    const top = await dap.topFrame(1);
    const transaction = await dap.values((await dap.scope(top.id, 'Transaction')).variablesReference);
    assert.equal(transaction['status'], 'completed');
    assert.equal(transaction['pa'], '0x90000000');
  });

  test('writeMemory at an offset writes only the bytes given', async () => {
    await dap.launchAndStop({ scenario: example('a530-stall-hupcf') });
    const written = await writeMemory({ memoryReference: '0x90000000', offset: 2, data: Buffer.from([0xaa, 0xbb]).toString('base64') });
    assert.deepEqual(written, { bytesWritten: 2 });
    assert.deepEqual(dap.all<DebugProtocol.MemoryEvent>('memory').at(-1)?.body, { memoryReference: '0x90000002', offset: 0, count: 2 });
    assert.deepEqual(await readMemory({ memoryReference: '0x90000000', count: 4 }), { address: '0x90000000', data: Buffer.from([0, 0, 0xaa, 0xbb]).toString('base64'), unreadableBytes: 0 });
  });

  test('bad memory references are refused; a write while running is refused', async () => {
    await dap.launch({ scenario: scenarioFile(longRun) });
    await dap.client.configurationDoneRequest();
    assert.equal((await errorOf(writeMemory({ memoryReference: '0x90000000', data: 'AAAA' }))).message, 'the scenario is running: pause it first');
    assert.equal((await errorOf(readMemory({ memoryReference: 'pa', count: 8 }))).message, "memoryReference 'pa' is not a physical address (0x…)");
    assert.equal((await errorOf(readMemory({ memoryReference: '0x1000000000000', count: 8 }))).message, 'memoryReference 0x1000000000000 is beyond the 48-bit physical address space');
    await dap.client.pauseRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).reason, 'pause');
    assert.equal((await errorOf(writeMemory({ memoryReference: '0xfffffffffffc', data: le64(1n) }))).message, 'the write goes beyond physical memory');
  });
});
