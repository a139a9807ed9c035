import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Machine } from '../../emulator/machine/machine';
import { programTransactions, transactionsLeft } from '../../emulator/scenario/engineProgram';
import { modelOf } from './helpers/scenario';

/** What an engine's program still has to issue, wherever it stands: the accounting of "nothing lost". */

const nested = `smmu s { version v2 }
domain d { map 0x0 -> 0x8000_0000 size 1M rw }
master m { stream 0x0; domain d }
engine m.e { outstanding 1
  read 0x0 4
  repeat 3 { read 0x1000 4; repeat 2 { wait 3; read 0x2000 4 }; submit 7 { read 0x3000 4 } }
  repeat 0 { read 0x4000 4 }
  read 0x5000 4
}
`;

test('a program with nested repeats issues 1 + 3 × (1 + 2 + 1) + 0 + 1 transactions', () => {
  const model = modelOf(nested);
  assert.equal(programTransactions(model.engines[0]?.program ?? []), 14n);
});

test('at every issue, what was issued and what is left add up to the whole program', () => {
  const machine = new Machine(modelOf(nested));
  const program = machine.model.engines[0]?.program ?? [];
  const seen: string[] = [];
  machine.on((event) => {
    if (event.kind !== 'transaction-issued') return;
    const engine = machine.state.engines[0];
    assert.ok(engine);
    seen.push(`${engine.issued}+${transactionsLeft(program, engine.pc, engine.loops)}`);
  });
  assert.deepEqual(machine.run(), { reason: 'finished' });
  assert.deepEqual(seen, ['1+13', '2+12', '3+11', '4+10', '5+9', '6+8', '7+7', '8+6', '9+5', '10+4', '11+3', '12+2', '13+1', '14+0']);
});

test('repeats of 2^32 multiply beyond a number exactly', () => {
  const model = modelOf(nested.replace('repeat 3', 'repeat 4294967296').replace('repeat 2', 'repeat 4294967296'));
  // 1 + 2^32 × (1 + 2^32 + 1) + 1
  assert.equal(programTransactions(model.engines[0]?.program ?? []), 2n + (1n << 32n) * ((1n << 32n) + 2n));
  assert.equal(transactionsLeft(model.engines[0]?.program ?? [], 0, []), 2n + (1n << 32n) * ((1n << 32n) + 2n));
});
