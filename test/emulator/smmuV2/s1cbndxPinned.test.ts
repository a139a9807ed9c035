import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode } from '../../../emulator/smmu/registerLayout';
import { v2StateOf } from '../../../emulator/smmu/smmuState';
import { FSYNR0 } from '../../../emulator/smmu/v2/registers';
import { runScenario } from '../helpers/scenario';

/*
 * `s1cbndx N`: the FSYNR0.S1CBNDX a domain's context bank reports with every fault. The
 * architecture defines the field for nested translation; for a stage-1 bank MMU-500s report
 * values that are not the bank's index (`fsynr=0x7c0020 … cb=7`), so a reproduction pins it.
 * Left out, it is the bank's own index.
 */

/** Two domains: `a` in context bank 0, `b` in bank 1; both engines read an unmapped page (a level-3 translation fault). */
function scenario(bSettings: string): string {
  return `smmu apps { version v2 }
domain a { map 0x1000 -> 0x8000_0000 size 4K rw }
domain b { ${bSettings}map 0x1000 -> 0x8010_0000 size 4K rw }
master ma { stream 0x1; domain a }
master mb { stream 0x2; domain b }
engine ma.e { write 0x2000 4 }
engine mb.e { read 0x2000 4 }
`;
}

function fsynr0s(bSettings: string): number[] {
  const { machine } = runScenario(scenario(bSettings));
  return (v2StateOf(machine.state, 0)?.banks ?? []).map((b) => b.fsynr0);
}

test("left out, S1CBNDX is the bank's own index", () => {
  assert.deepEqual(fsynr0s(''), [0x0000_0013, 0x0001_0003]); // bank 0: PLVL 3 | WNR; bank 1: S1CBNDX 1 | PLVL 3
});

test('s1cbndx 124 puts 124 in FSYNR0 [23:16] of its bank only; the other fields are the fault\'s', () => {
  assert.deepEqual(fsynr0s('s1cbndx 124; '), [0x0000_0013, 0x007c_0003]);
});

test('the register view decodes it as S1CBNDX, and the 8-bit extremes fit', () => {
  const [, b] = fsynr0s('s1cbndx 124; ');
  const fields = Object.fromEntries(decode(FSYNR0, BigInt(b ?? 0)).map((f) => [f.field.name, f.value]));
  assert.deepEqual(fields, { PLVL: 3n, WNR: 0n, PNU: 0n, IND: 0n, NSATTR: 0n, PTWF: 0n, AFR: 0n, S1CBNDX: 124n });
  assert.equal(fsynr0s('s1cbndx 255; ')[1], 0x00ff_0003);
  assert.equal(fsynr0s('s1cbndx 0; ')[1], 0x0000_0003);
});
