import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ArmSmmuContextFault, reproduceArmSmmuContextFault } from '../../../../emulator/faultlog/reproduce/armSmmuContextFault';
import { failedExpects, runReproduction, scenarioOf } from './oracle';

/**
 * Every "Unhandled context fault" line the emulator can print, reproduced, prints again.
 * The lines come from random small scenarios run through the machine (so they are lines
 * the emulator produces), their values are read back out of the text, and the scenario
 * `reproduce` writes for them must print the same line.
 */

/** 2M-aligned places a map may sit, spread over every level's index (none overlaps another). */
const SLOTS = [0x0020_0000n, 0x0040_0000n, 0x4000_0000n, 0x40_0000_0000n, 0x1_0020_0000n, 0xd_6540_0000n];
const PERMS = ['r', 'rw', 'rw priv', 'r priv', 'rw noexec', 'r noexec', 'rwx'];

const mapArb = fc.record({ slot: fc.nat(SLOTS.length - 1), block: fc.boolean(), perms: fc.constantFrom(...PERMS), noaf: fc.boolean() });
const accessArb = fc.record({
  iova: fc.oneof(
    fc.tuple(fc.nat(SLOTS.length - 1), fc.bigInt(0n, 0x5f_ffffn)).map(([slot, offset]) => (SLOTS[slot] as bigint) + offset),
    fc.bigInt(0n, (1n << 48n) - 1n),
    fc.bigInt(1n << 48n, (1n << 64n) - 1n),
  ),
  write: fc.boolean(),
  priv: fc.boolean(),
  exec: fc.boolean(),
});
const scenarioArb = fc.record({
  sid: fc.integer({ min: 0x10, max: 0xffff }),
  others: fc.nat(3),
  base: fc.constantFrom(0x1500_0000n, 0xd00000n, 0x1_2340_0000n),
  stall: fc.boolean(),
  kernel: fc.constantFrom('5.15', '6.1', '6.6', '6.12', '7.1'),
  maps: fc.uniqueArray(mapArb, { selector: (m) => m.slot, maxLength: 4 }),
  access: accessArb,
});

type Generated = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function scenarioText(g: Generated): string {
  const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
  const others = Array.from({ length: g.others }, (_, i) => `domain other_dom${i} { }\nmaster other${i} { stream ${hex(i)}; domain other_dom${i} }`);
  const maps = g.maps.map((m) => `  map ${hex(SLOTS[m.slot] as bigint)} -> 0x8000_0000 size ${m.block ? '2M' : '4K'} ${m.perms}${m.noaf ? ' noaf' : ''}`);
  const a = g.access;
  const exec = a.exec && !a.write;
  return [
    `kernel ${g.kernel}`,
    `smmu s { version v2; base ${hex(g.base)} }`,
    ...others,
    `domain d {\n  fault ${g.stall ? 'stall' : 'terminate'}\n${maps.join('\n')}\n}`,
    `master m { stream ${hex(g.sid)}; domain d${g.stall ? '; can-stall' : ''} }`,
    `engine m.e { ${a.write ? 'write' : 'read'} ${hex(a.iova)} 4${a.priv ? ' priv' : ''}${exec ? ' exec' : ''} }`,
  ].join('\n');
}

const LINE = /^arm-smmu (\S+): Unhandled context fault: fsr=0x([0-9a-f]+), iova=0x([0-9a-f]+), fsynr=0x([0-9a-f]+), cbfrsynra=0x([0-9a-f]+), cb=(\d+)$/;

/** The report's fields, read back out of the printed line as a log reader would. */
function fieldsOf(line: string, kernel: string): ArmSmmuContextFault {
  const m = LINE.exec(line);
  if (!m) throw new Error(`not a context fault line: ${line}`);
  const [, device, fsr, iova, fsynr, cbfrsynra, cb] = m as unknown as [string, string, string, string, string, string, string];
  return { device, fsr: Number(`0x${fsr}`), iova: BigInt(`0x${iova}`), fsynr: Number(`0x${fsynr}`), cbfrsynra: Number(`0x${cbfrsynra}`), cb: Number(cb), kernel };
}

test('reproduce arm-smmu: every context fault line the emulator prints is printed again by its reproduction', () => {
  let reproduced = 0;
  fc.assert(
    fc.property(scenarioArb, (g) => {
      const printed = runReproduction(scenarioText(g)).lines.find((l) => LINE.test(l));
      if (printed === undefined) return; // the access translated: no line to reproduce
      const scenario = scenarioOf(reproduceArmSmmuContextFault(fieldsOf(printed, g.kernel)));
      const again = runReproduction(scenario);
      assert.ok(again.lines.includes(printed), `printed\n  ${printed}\nreproduction printed\n  ${again.lines.join('\n  ')}\n${scenario}`);
      assert.deepEqual(failedExpects(again.result), [], scenario);
      reproduced++;
    }),
    { numRuns: 150 },
  );
  assert.ok(reproduced >= 50, `only ${reproduced} of 150 random scenarios faulted`);
});
