import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { reproduceArmSmmuV3Event } from '../../../../emulator/faultlog/reproduce/armSmmuV3Event';
import { failedExpects, runReproduction, scenarioOf } from './oracle';

/**
 * Every event dump the emulator prints for one faulting access, reproduced, is printed
 * again: random small SMMUv3 scenarios run through the machine, the first dump's four
 * dwords read back out of the text, and the scenario `reproduce` writes for them must
 * print the same header and dwords.
 */

const PERMS = ['r', 'rw', 'rw priv', 'rw noexec', 'rwx', 'rw noaf'];
const scenarioArb = fc.record({
  sid: fc.integer({ min: 0, max: 0xffff }),
  stall: fc.boolean(),
  kernel: fc.constantFrom('5.15', '6.1', '6.6', '6.12', '7.1'),
  map: fc.option(fc.constantFrom(...PERMS), { nil: undefined }),
  pasid: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
  bound: fc.boolean(),
  offset: fc.bigInt(0n, 0x1fffn),
  write: fc.boolean(),
  priv: fc.boolean(),
  exec: fc.boolean(),
});

type Generated = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function scenarioText(g: Generated): string {
  const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
  const maps = g.map === undefined ? '' : `map 0x10_0000 -> 0x8000_0000 size 4K ${g.map}`;
  const bound = g.bound ? '; pasid 7 -> app' : '';
  const pasid = g.pasid === undefined ? '' : ` pasid ${g.pasid}`;
  return [
    `kernel ${g.kernel}`,
    'smmu s { version v3 }',
    `domain d { ${maps} }`,
    `domain app { ${maps} }`,
    `master m { stream ${hex(g.sid)}; domain d${bound}${g.stall ? '; can-stall' : ''} }`,
    `engine m.e { ${g.write ? 'write' : 'read'} ${hex(0x10_0000n + g.offset)} 4${g.priv ? ' priv' : ''}${g.exec && !g.write ? ' exec' : ''}${pasid} }`,
  ].join('\n');
}

const HEADER = /^arm-smmu-v3 (\S+): event 0x[0-9a-f]{2} received:$/;
const DWORD = /^arm-smmu-v3 \S+: \t0x([0-9a-f]{16})$/;

test('reproduce arm-smmu-v3: every event dump the emulator prints is printed again by its reproduction', () => {
  let reproduced = 0;
  fc.assert(
    fc.property(scenarioArb, (g) => {
      const { lines } = runReproduction(scenarioText(g));
      const at = lines.findIndex((l) => HEADER.test(l));
      if (at < 0) return; // the access translated: nothing printed
      const printed = lines.slice(at, at + 5);
      const device = HEADER.exec(printed[0] as string)?.[1] as string;
      const dwords = printed.slice(1).map((l) => BigInt(`0x${DWORD.exec(l)?.[1]}`)) as [bigint, bigint, bigint, bigint];
      const scenario = scenarioOf(reproduceArmSmmuV3Event({ device, dwords, kernel: g.kernel }));
      const again = runReproduction(scenario);
      const found = again.lines.some((_, i) => printed.every((p, k) => again.lines[i + k] === p));
      assert.ok(found, `printed\n  ${printed.join('\n  ')}\nreproduction printed\n  ${again.lines.join('\n  ')}\n${scenario}`);
      assert.deepEqual(failedExpects(again.result), [], scenario);
      reproduced++;
    }),
    { numRuns: 150 },
  );
  assert.ok(reproduced >= 50, `only ${reproduced} of 150 random scenarios printed an event`);
});
