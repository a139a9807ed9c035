import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { decodeCd, encodeCd } from '../../../emulator/smmu/v3/cd';
import { decodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { slot } from '../../../emulator/smmu/v3/queue';
import { decodeSte, encodeSte } from '../../../emulator/smmu/v3/ste';
import { modelOf } from '../helpers/scenario';
import { v3StateOf } from '../../../emulator/smmu/smmuState';

type StallModel = 'stall' | 'no-stall' | 'force-stall';

/** IDR0.STALL_MODEL × CD.S × STE.S1STALLD → what the SMMU makes of the configuration (5.2, 5.4, 3.12.2). */
const table: [StallModel, boolean, boolean, 'F_TRANSLATION' | 'C_BAD_STE' | 'C_BAD_CD'][] = [
  ['stall', false, false, 'F_TRANSLATION'],
  ['stall', true, false, 'F_TRANSLATION'],
  ['stall', false, true, 'F_TRANSLATION'],
  ['stall', true, true, 'C_BAD_CD'],
  ['no-stall', false, false, 'F_TRANSLATION'],
  ['no-stall', true, false, 'C_BAD_CD'],
  ['no-stall', false, true, 'C_BAD_STE'],
  ['no-stall', true, true, 'C_BAD_STE'],
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
  const stream = v3StateOf(machine.state, 0)?.streams[0];
  assert.ok(stream?.cdTable !== undefined);
  writeDwords(machine, stream.ste, encodeSte({ ...decodeSte(readDwords(machine, stream.ste)), s1Stalld: s1stalld }));
  writeDwords(machine, stream.cdTable, encodeCd({ ...decodeCd(readDwords(machine, stream.cdTable)), s: cdS }));
  machine.run();
  const v3 = v3StateOf(machine.state, 0);
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
    const stream = v3StateOf(machine.state, 0)?.streams[0];
    assert.ok(stream);
    return decodeSte(readDwords(machine, stream.ste)).s1Stalld;
  };
  assert.equal(stalld('stall', ''), true);
  assert.equal(stalld('stall', '; can-stall'), false);
  assert.equal(stalld('no-stall', ''), false);
});

/** The first event record after the STE's dword 0 is rewritten in memory, and its transaction's end. */
function afterSteWrite(dw0: (old: bigint) => bigint, ssidBits = 0): { event: string; status: string | undefined; reason: string | undefined } {
  const machine = new Machine(
    modelOf(`
smmu s { version v3; ssid-bits ${ssidBits} }
domain d { fault terminate; record on; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
master m { stream 0x7; domain d }
engine m.e { read 0x0100_0000 64 }
`),
  );
  const stream = v3StateOf(machine.state, 0)?.streams[0];
  assert.ok(stream);
  machine.runtime.memory.writeU64(stream.ste, dw0(machine.runtime.memory.readU64(stream.ste)));
  machine.run();
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  return { event: decodeEvent(slot(machine.runtime.memory, v3.eventq, 0)).id, status: machine.journal.ended.get(0)?.status, reason: machine.journal.faults.get(0)?.reason };
}

test('an STE that enables stage 2 with its S2 fields left 0 is ILLEGAL (5.2: S2AA64=0 selects VMSAv8-32 tables, IDR0.TTF has AArch64 only): C_BAD_STE', () => {
  const config = 0b1110n; // Config [3:1] = 0b111: nested, over a stage 2 the STE does not describe
  assert.deepEqual(afterSteWrite((dw0) => dw0 | config), {
    event: 'C_BAD_STE',
    status: 'aborted',
    reason: 'C_BAD_STE: STE.S2AA64=0 selects VMSAv8-32 LPAE tables, which this SMMU lacks (IDR0.TTF=0b10): ILLEGAL',
  });
});

test('an STE whose S1CDMax exceeds IDR1.SSIDSIZE is ILLEGAL: C_BAD_STE', () => {
  const s1CdMax = (n: bigint) => n << 59n;
  assert.deepEqual(afterSteWrite((dw0) => (dw0 & ~s1CdMax(0x1fn)) | s1CdMax(5n), 4), {
    event: 'C_BAD_STE',
    status: 'aborted',
    reason: 'C_BAD_STE: STE.S1CDMax=5 but IDR1.SSIDSIZE=4: ILLEGAL',
  });
});

test('an STE whose CD table lies beyond the 48-bit PA size is ILLEGAL: C_BAD_STE, nothing read there', () => {
  const contextPtr = 0xff_ffff_ffff_ffc0n; // S1ContextPtr [55:6], all ones
  assert.deepEqual(afterSteWrite((dw0) => dw0 | contextPtr), {
    event: 'C_BAD_STE',
    status: 'aborted',
    reason: 'C_BAD_STE: STE.S1ContextPtr=0xffffffffffffc0 is beyond the 48-bit physical address size (IDR5.OAS): ILLEGAL',
  });
});

test('a stall domain bound at a PASID of a master that cannot stall: Linux writes CD.S=0, so the fault terminates (no C_BAD_CD)', () => {
  const machine = new Machine(
    modelOf(`
smmu s { version v3; ssid-bits 4 }
domain plain { fault terminate; map 0x0100_0000 -> 0x8000_0000 size 64K rw }
domain svm { fault stall; record on }
master m { stream 0x7; domain plain; pasid 3 -> svm }
engine m.e { read 0x0200_0000 64 pasid 3 as t }
`),
  );
  const stream = v3StateOf(machine.state, 0)?.streams[0];
  assert.ok(stream?.cdTable !== undefined);
  assert.equal(decodeSte(readDwords(machine, stream.ste)).s1Stalld, true);
  assert.equal(decodeCd(readDwords(machine, stream.cdTable + 3 * 64)).s, false);
  machine.run();
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  const record = decodeEvent(slot(machine.runtime.memory, v3.eventq, 0));
  assert.deepEqual([record.id, record.stall, record.ssid], ['F_TRANSLATION', false, 3]);
  assert.equal(machine.journal.ended.get(0)?.status, 'aborted');
});
