import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { decodeCd } from '../../../emulator/smmu/v3/cd';
import { decodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { slot } from '../../../emulator/smmu/v3/queue';
import { decodeSte } from '../../../emulator/smmu/v3/ste';
import { modelOf, statuses } from '../helpers/scenario';

/**
 * Found by the invariants fuzzer: a VFIO container's new domain landed on an SMMUv3 whose
 * STALL_MODEL it broke — CD.S=0 under force-stall, CD.S=1 under no-stall — and every
 * transaction of its master aborted with C_BAD_CD, a structure Linux never writes. CD.S
 * follows Linux's master->stall_enabled: forced stalls always, no stalls never.
 */

function run(text: string): { machine: Machine; cd: { s: boolean; sid: number }[]; records: string[] } {
  const machine = new Machine(modelOf(text));
  const words = (pa: number) => Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
  const cd = machine.state.smmus.flatMap((smmu) => (smmu.version === 'v3' ? smmu.streams : []).map((s) => ({ sid: s.sid, s: decodeCd(words(Number(decodeSte(words(s.ste)).s1ContextPtr))).s })));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  assert.deepEqual(machine.invariantViolations(), []);
  const records = machine.state.smmus.flatMap((v3) => {
    if (v3.version !== 'v3') return [];
    return Array.from({ length: v3.eventq.prod & 0xff }, (_, i) => {
      const r = decodeEvent(slot(machine.runtime.memory, v3.eventq, i));
      return `${r.id} sid 0x${r.sid.toString(16)}${r.stall ? ' stall' : ''}`;
    });
  });
  return { machine, cd, records };
}

test('force-stall: the container\'s new domain for a master without can-stall still stalls (CD.S=1), as STALL_FORCE makes every master stall', () => {
  const { machine, cd, records } = run(`
smmu s0 { version v3; stall-model force-stall }
vfio pt { masters m0; fault stall; map 0x100_0000 -> 0x8000_0000 size 4K r }
master m0 { stream 0x10 }
engine m0.e { read 0x100_0000 4 as ok; read 0x200_0000 4 as bad }
`);
  assert.deepEqual(cd, [{ sid: 0x10, s: true }]);
  // The stall reaches the core, which has no handler for a container: CMD_RESUME abort.
  assert.deepEqual(records, ['F_TRANSLATION sid 0x10 stall']);
  assert.deepEqual(statuses(machine.result()), { 'ok#0': 'completed', 'bad#0': 'aborted' });
});

test('no-stall: a stalling container\'s new domain on a no-stall SMMU terminates (CD.S=0), even for a master that can stall', () => {
  const { machine, cd, records } = run(`
smmu a { version v3 }
smmu b { version v3; stall-model no-stall }
vfio pt { smmu a; masters m0; fault stall; map 0x100_0000 -> 0x8000_0000 size 4K r }
master m0 { smmu b; stream 0x10; can-stall }
engine m0.e { read 0x100_0000 4 as ok; read 0x200_0000 4 as bad }
`);
  assert.deepEqual(machine.model.vfio[0]?.placements.map((p) => p.reason), [
    // The copy does not stall, and the phrase says why: the SMMU, not the master's can-stall.
    "new domain pt#2 on smmu 'b': master 'm0' is behind smmu 'b' but domain 'pt' uses smmu 'a'; pt#2 does not stall: master 'm0' cannot stall behind smmu 'b' (STALL_MODEL no-stall)",
  ]);
  assert.deepEqual(cd, [{ sid: 0x10, s: false }]);
  assert.deepEqual(records, ['F_TRANSLATION sid 0x10']);
  assert.deepEqual(statuses(machine.result()), { 'ok#0': 'completed', 'bad#0': 'aborted' });
});

test('force-stall: a master without can-stall attaches to a stall domain of its own (Linux\'s stall_enabled is set for every master) and its fault reaches the handler', () => {
  const { machine, cd, records } = run(`
smmu s0 { version v3; stall-model force-stall }
domain d { fault stall; map 0x100_0000 -> 0x8000_0000 size 4K r }
master m0 { stream 0x10; domain d }
engine m0.e { read 0x100_0000 4 as ok; read 0x200_0000 4 as bad }
handler h on d { log "stall at {iova}"; terminate }
`);
  assert.deepEqual(machine.attachments, [{ master: 0, domain: 0, attached: true, reason: undefined }]);
  assert.deepEqual(cd, [{ sid: 0x10, s: true }]);
  assert.deepEqual(records, ['F_TRANSLATION sid 0x10 stall']);
  assert.deepEqual([...machine.journal.logs].map((l) => l.message), ['stall at 0x2000000']);
  assert.deepEqual(statuses(machine.result()), { 'ok#0': 'completed', 'bad#0': 'raz' });
});
