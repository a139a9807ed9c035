import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { decodeCd, encodeCd } from '../../../emulator/smmu/v3/cd';
import { decodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { slot } from '../../../emulator/smmu/v3/queue';
import { modelOf } from '../helpers/scenario';

test('a translation fault does what the CD said when the transaction was routed, not what memory says by the time the walk ends', () => {
  const machine = new Machine(
    modelOf(`
smmu s { version v3 }
domain d { fault terminate; record on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x7; domain d }
engine m.e { read 0x0200_0000 64 }
`),
  );
  const v3 = v3StateOf(machine.state, 0);
  const cdTable = v3?.streams[0]?.cdTable;
  assert.ok(v3 && cdTable !== undefined);
  // Stepped as the debugger steps, up to the walk's result.
  while (machine.peek() && machine.peek()?.action.kind !== 'translated') machine.step();
  assert.equal(machine.peek()?.action.kind, 'translated');
  assert.deepEqual(machine.state.transactions.get(0)?.onFault, { stall: false, record: true, abort: true, ats: false, stage2: undefined });
  // While the walk is under way, the CD is rewritten to neither record nor abort.
  const memory = machine.runtime.memory;
  const dwords = Array.from({ length: 8 }, (_, i) => memory.readU64(cdTable + 8 * i));
  encodeCd({ ...decodeCd(dwords), r: false, a: false }).forEach((d, i) => memory.writeU64(cdTable + 8 * i, d));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  assert.equal(machine.journal.ended.get(0)?.status, 'aborted');
  assert.equal(decodeEvent(slot(memory, v3.eventq, 0)).id, 'F_TRANSLATION');
});
