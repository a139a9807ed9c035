import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Machine } from '../../../emulator/machine/machine';
import { walkNested, translateIpa } from '../../../emulator/pgtable/nestedWalker';
import { hex } from '../../../emulator/util/u64';
import { modelOf } from '../helpers/scenario';

/*
 * The machine's nested translations (STE.Config 0b111: route, CD fetch, TLB, lookUpNested)
 * agree with the describing nested walk over the memory the machine booted with, on
 * scenarios nobody wrote: stage 2 maps a random subset of the guest's RAM (its CD in the last
 * megabyte, its tables in the first; so CD fetches,
 * table fetches and outputs may fault at stage 2), the guest maps random pages to random
 * IPAs, and the device reads mapped and unmapped IOVAs.
 */

const CHUNK = 0x10_0000n;
const IPA_BASE = 0x4000_0000n;

interface Shape {
  chunks: number[];
  maps: { page: number; chunk: number }[];
  reads: number[];
}

const shape: fc.Arbitrary<Shape> = fc.record({
  chunks: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }),
  maps: fc.uniqueArray(fc.record({ page: fc.integer({ min: 1, max: 40 }), chunk: fc.integer({ min: 1, max: 7 }) }), { maxLength: 6, selector: (m) => m.page }),
  reads: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }),
});

function scenarioOf(s: Shape): string {
  const s2Maps = s.chunks.map((k) => `  map ${hex(IPA_BASE + BigInt(k) * CHUNK)} -> ${hex(0x8_0000_0000n + BigInt(k) * CHUNK)} size 1M rw`).join('\n');
  const guestMaps = s.maps.map((m) => `  map ${hex(BigInt(m.page) * 0x20_0000n)} -> ${hex(IPA_BASE + BigInt(m.chunk) * CHUNK + 0x8_0000n)} size 4K rw`).join('\n');
  const reads = s.reads.map((page, i) => `  read ${hex(BigInt(page) * 0x20_0000n)} 8 as r${i}`).join('\n');
  return `smmu smmu0 { version v3 }
domain vm_s2 {
  stage 2
  ias 40; oas 44
${s2Maps}
}
vm guest0 { stage2 vm_s2 }
domain guest_s1 {
  nested vm_s2
  cd at 0x4070_0000
  tables at 0x4000_2000
${guestMaps}
}
master nic { stream 0x10; domain guest_s1 }
engine nic.rx {
  outstanding 1
${reads}
}
`;
}

test('every nested read ends as the describing nested walk says: the PA, or the stage, CLASS, IPA and level of its fault', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(shape, (s) => {
      const machine = new Machine(modelOf(scenarioOf(s)));
      const memory = machine.runtime.memory;
      const stage1 = machine.runtime.tables[1];
      const stage2 = machine.runtime.tables[0];
      assert.ok(stage1 && stage2);
      const s2 = stage2.stage2Config(true);
      const cd = translateIpa(memory, s2, 0x4070_0000n);
      const predicted = s.reads.map((page) => {
        if (cd.outcome.kind !== 'success') return { status: 'aborted', stage: { stage: 2, class: 'CD', ipa: 0x4070_0000n }, level: cd.outcome.level };
        const walked = walkNested(memory, stage1.tableConfig(), s2, BigInt(page) * 0x20_0000n, { write: false, exec: false, priv: false }).outcome;
        if (walked.kind === 'success') return { status: 'completed', pa: walked.pa };
        return { status: 'aborted', stage: { stage: walked.stage, class: walked.class, ipa: walked.ipa }, level: walked.level };
      });
      machine.run();
      const result = machine.result();
      s.reads.forEach((_, i) => {
        const t = result.transactions.find((x) => x.label === `r${i}`);
        const expected = predicted[i];
        assert.ok(t && expected);
        seen.add(expected.status === 'completed' ? 'completed' : `stage ${expected.stage?.stage} ${expected.stage?.class}`);
        assert.equal(t.status, expected.status, `r${i}`);
        if (expected.status === 'completed') {
          assert.equal(t.pa, expected.pa, `r${i}`);
          return;
        }
        const fault = t.lastFault;
        assert.deepEqual(fault?.stage, expected.stage, `r${i}`);
        assert.equal(fault?.level, expected.level, `r${i}`);
      });
    }),
    { numRuns: 60, seed: 18 },
  );
  // The runs met every outcome: a translation, a stage-1 fault, and stage-2 faults on the CD, a table and the output.
  assert.deepEqual([...seen].sort(), ['completed', 'stage 1 IN', 'stage 2 CD', 'stage 2 IN', 'stage 2 TT']);
});
