import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { PhysicalMemory } from '../../../emulator/memory/physicalMemory';
import { decodeCd, encodeCd } from '../../../emulator/smmu/v3/cd';
import { DecodedStructures } from '../../../emulator/smmu/v3/decodedStructures';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { decodeSte, encodeSte, SteFields } from '../../../emulator/smmu/v3/ste';
import { modelOf } from '../helpers/scenario';

/**
 * The SMMUv3 model has no configuration cache (it takes no CMD_CFGI_*): a transaction
 * reads its STE and CD as memory holds them when it arrives. The decoded structures and
 * the stream configurations kept beside them must never change that.
 */

test('a decoded structure is decoded again exactly when one of its 64 bytes changed', () => {
  const memory = new PhysicalMemory();
  let decodes = 0;
  const cache = new DecodedStructures(memory, (dwords) => {
    decodes++;
    return dwords.slice();
  });
  memory.writeU64(0x1040, 0x1234n);
  const first = cache.read(0x1040);
  assert.equal(cache.read(0x1040), first, 'nothing written: the same decoded value');
  memory.writeU64(0x1000, 1n); // the same page, another structure: looked at word by word, unchanged
  assert.equal(cache.read(0x1040), first);
  assert.equal(decodes, 1);
  memory.writeU64(0x1040 + 56, 1n << 63n); // the last dword's top bit
  assert.deepEqual(cache.read(0x1040), [0x1234n, 0n, 0n, 0n, 0n, 0n, 0n, 1n << 63n]);
  assert.equal(decodes, 2);
  // A snapshot restore is a write too: the old bytes are back, and so is what they decode to.
  const snapshot = memory.snapshot();
  memory.writeU64(0x1040, 0n);
  assert.deepEqual(cache.read(0x1040), [0n, 0n, 0n, 0n, 0n, 0n, 0n, 1n << 63n]);
  memory.restore(snapshot);
  assert.deepEqual(cache.read(0x1040), [0x1234n, 0n, 0n, 0n, 0n, 0n, 0n, 1n << 63n]);
  assert.equal(decodes, 4);
});

const scenario = `
smmu s { version v3; ssid-bits 8 }
domain d { map 0x1000 -> 0x8000_0000 size 4K rw }
domain app { map 0x1000 -> 0x9000_0000 size 4K rw }
master m { stream 0x100; domain d; pasid 5 -> app }
engine m.x { outstanding 1; read 0x1000 8 as a; read 0x1000 8 as b; read 0x1000 8 as c }
`;

function structures(machine: Machine): { ste: number; cd5: number } {
  const stream = v3StateOf(machine.state, 0)?.streams[0];
  assert.ok(stream?.cdTable !== undefined);
  return { ste: stream.ste, cd5: stream.cdTable + 5 * 64 };
}

function readDwords(machine: Machine, pa: number): bigint[] {
  return Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
}

function writeDwords(machine: Machine, pa: number, dwords: readonly bigint[]): void {
  dwords.forEach((d, i) => machine.runtime.memory.writeU64(pa + 8 * i, d));
}

function rewriteSte(machine: Machine, change: Partial<SteFields>): bigint[] {
  const { ste } = structures(machine);
  const before = readDwords(machine, ste);
  writeDwords(machine, ste, encodeSte({ ...decodeSte(before), ...change }));
  return before;
}

test('an STE written in memory counts for the next route, with no CMD_CFGI_STE; written back, the route is as before', () => {
  const machine = new Machine(modelOf(scenario));
  const route = () => machine.smmu(0)?.route(0x100, undefined);
  const translated = route();
  assert.equal(translated?.kind, 'translate');
  const before = rewriteSte(machine, { config: 'abort' });
  assert.deepEqual(route(), { kind: 'abort', reason: 'STE.Config=abort: StreamID 0x100 has no domain attached' });
  writeDwords(machine, structures(machine).ste, before);
  assert.deepEqual(route(), translated);
});

test('a CD written in memory counts for the next route of its SubstreamID only, and a snapshot restore brings the old CD back', () => {
  const machine = new Machine(modelOf(scenario));
  const route = (ssid?: number) => machine.smmu(0)?.route(0x100, ssid);
  const [cd0, cd5] = [route(), route(5)];
  const snapshot = machine.snapshot();
  const { cd5: at } = structures(machine);
  writeDwords(machine, at, encodeCd({ ...decodeCd(readDwords(machine, at)), valid: false }));
  assert.deepEqual(route(5), { kind: 'fault', fault: 'bad-cd', reason: 'C_BAD_CD: CD 5 of StreamID 0x100 is not valid (V=0)' });
  assert.deepEqual(route(), cd0);
  machine.restore(snapshot);
  assert.deepEqual(route(5), cd5);
});

test('transactions in flight meet the STE memory holds when each arrives', () => {
  const machine = new Machine(modelOf(scenario));
  // The first read has arrived and been routed; the next two arrive once it has completed (outstanding 1).
  machine.run({ untilCycle: 1 });
  rewriteSte(machine, { valid: false });
  machine.run();
  const statuses = machine.result().transactions.map((t) => `${t.label}: ${t.status}`);
  assert.deepEqual(statuses, ['a: completed', 'b: aborted', 'c: aborted']);
  assert.deepEqual(
    machine.result().faults.map((f) => f.reason),
    ['C_BAD_STE: the STE of StreamID 0x100 is not valid (V=0)', 'C_BAD_STE: the STE of StreamID 0x100 is not valid (V=0)'],
  );
});
