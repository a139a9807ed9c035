import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { decodeCd, encodeCd } from '../../../emulator/smmu/v3/cd';
import { decodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { slot } from '../../../emulator/smmu/v3/queue';
import { decodeSte, encodeSte } from '../../../emulator/smmu/v3/ste';
import { modelOf } from '../helpers/scenario';

type StallModel = 'stall' | 'no-stall' | 'force-stall';

/** IDR0.STALL_MODEL × CD.S × STE.S1STALLD → what the SMMU makes of the configuration (5.2, 5.4, 3.12.2). */
const table: [StallModel, boolean, boolean, 'F_TRANSLATION' | 'C_BAD_STE' | 'C_BAD_CD'][] = [
  ['stall', false, false, 'F_TRANSLATION'],
  ['stall', true, false, 'F_TRANSLATION'],
  ['stall', false, true, 'F_TRANSLATION'],
  ['stall', true, true, 'C_BAD_CD'],
  ['no-stall', false, false, 'F_TRANSLATION'],
  ['no-stall', true, false, 'C_BAD_CD'],
  ['no-stall', false, true, 'F_TRANSLATION'],
  ['no-stall', true, true, 'C_BAD_CD'],
  ['force-stall', true, false, 'F_TRANSLATION'],
  ['force-stall', false, false, 'C_BAD_CD'],
  ['force-stall', true, true, 'C_BAD_STE'],
  ['force-stall', false, true, 'C_BAD_STE'],
];

function readDwords(machine: Machine, pa: number): bigint[] {
  return Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
}

function writeDwords(machine: Machine, pa: number, dwords: bigint[]): void {
  dwords.forEach((d, i) => machine.runtime.memory.writeU64(pa + 8 * i, d));
}

/** A legal scenario for the model, then the STE and CD words rewritten in memory, as a debugger's write would. */
function firstEvent(model: StallModel, cdS: boolean, s1stalld: boolean): string {
  const fault = model === 'force-stall' ? 'stall' : 'terminate';
  const machine = new Machine(
    modelOf(`
smmu s { version v3; stall-model ${model} }
domain d { fault ${fault}; record on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x7; domain d; can-stall }
engine m.e { read 0x0200_0000 64 }
`),
  );
  const stream = machine.state.v3[0]?.streams[0];
  assert.ok(stream?.cdTable !== undefined);
  writeDwords(machine, stream.ste, encodeSte({ ...decodeSte(readDwords(machine, stream.ste)), s1Stalld: s1stalld }));
  writeDwords(machine, stream.cdTable, encodeCd({ ...decodeCd(readDwords(machine, stream.cdTable)), s: cdS }));
  machine.run();
  const v3 = machine.state.v3[0];
  assert.ok(v3);
  return decodeEvent(slot(machine.runtime.memory, v3.eventq, 0)).id;
}

describe('STALL_MODEL × CD.S × S1STALLD', () => {
  for (const [model, cdS, s1stalld, expected] of table) {
    test(`${model}, CD.S=${cdS ? 1 : 0}, S1STALLD=${s1stalld ? 1 : 0} → ${expected}`, () => {
      assert.equal(firstEvent(model, cdS, s1stalld), expected);
    });
  }
});

test('Linux sets S1STALLD for a master that cannot stall when stalls are optional, never when they are forced', () => {
  const text = (model: StallModel, canStall: string) => `
smmu s { version v3; stall-model ${model} }
domain d { fault ${model === 'force-stall' ? 'stall' : 'terminate'}; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x7; domain d${canStall} }
engine m.e { read 0x0100_0000 64 }
`;
  const stalld = (model: StallModel, canStall: string): boolean => {
    const machine = new Machine(modelOf(text(model, canStall)));
    const stream = machine.state.v3[0]?.streams[0];
    assert.ok(stream);
    return decodeSte(readDwords(machine, stream.ste)).s1Stalld;
  };
  assert.equal(stalld('stall', ''), true);
  assert.equal(stalld('stall', '; can-stall'), false);
  assert.equal(stalld('no-stall', ''), false);
});
