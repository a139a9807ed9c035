import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MachineEvent } from '../../emulator/machine/events';
import { Machine } from '../../emulator/machine/machine';
import { modelOf, statuses } from './helpers/scenario';

/**
 * SCTLR.CFCFG × HUPCF × CFRE × the handler's context × the release (6.12, before RESUME moved
 * into arm_smmu_context_fault; 7.1, after), on the seed's story: the CP reads a
 * mapped page (`warm`), then an unmapped one (`bad`, faults at cycle 31); the texture
 * engine reads a mapped page four times (`tex`, cycles 32–35) while that fault is
 * outstanding. Each cell asserts every transaction's final status.
 */

type Cfcfg = 'terminate' | 'stall';
type OnOff = 'on' | 'off';
type Cfre = 'abort' | 'raz';
type Context = 'irq' | 'thread' | 'workqueue';
/** `silent`: logs and returns without a response; `fixes`: maps the faulting page and answers retry. */
type Behaviour = 'silent' | 'fixes';
type Kernel = '6.12' | '7.1';

function scenario(cfcfg: Cfcfg, hupcf: OnOff, cfre: Cfre, context: Context, behaviour: Behaviour, kernel: Kernel): string {
  const body = behaviour === 'silent' ? 'log "fault at {iova}"' : 'map page -> 0x9000_0000 rw\n  retry';
  return `
kernel ${kernel}
smmu kgsl { version v2 }
domain gpu_dom {
  fault ${cfcfg}
  hupcf ${hupcf}
  report ${cfre}
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom; can-stall }
engine gpu.cp {
  read 0x0100_0000 64 as warm
  read 0x0700_0000 64 as bad
}
engine gpu.tp {
  start 32
  repeat 4 { read 0x0100_2000 + i*64 64 as tex }
}
handler gpu_fault on gpu_dom {
  context ${context}
  ${body}
}
`;
}

interface Expected {
  bad: string;
  tex: string;
  /** Texture reads held behind the fault without translation (HUPCF=0 with a stall). */
  behind: number;
}

function expected(cfcfg: Cfcfg, hupcf: OnOff, cfre: Cfre, context: Context, behaviour: Behaviour, kernel: Kernel): Expected {
  const terminated = cfre === 'abort' ? 'aborted' : 'raz';
  if (cfcfg === 'terminate') {
    // The transaction ends at once; while FSR holds the fault (until the path writes it
    // back, cycle 39 at the earliest) HUPCF=0 terminates the texture reads untranslated.
    return { bad: terminated, tex: hupcf === 'off' ? terminated : 'completed', behind: 0 };
  }
  const behind = hupcf === 'on' ? 0 : 4;
  if (kernel === '7.1') {
    // RESUME is written when arm_smmu_context_fault returns: irq and thread handlers answer
    // with their response (none: terminate); a queued handler has returned 0 by then, so its
    // stall is terminated before the work runs.
    const bad = context !== 'workqueue' && behaviour === 'fixes' ? 'completed' : terminated;
    return { bad, tex: 'completed', behind };
  }
  // 6.12: only resume_translation writes RESUME. From irq or thread context it comes before
  // arm_smmu_context_fault writes FSR back, and MMU-500 ignores it; from the worker it
  // answers — when the handler answers at all.
  const bad = context === 'workqueue' && behaviour === 'fixes' ? 'completed' : 'stalled';
  return { bad, tex: hupcf === 'on' || bad !== 'stalled' ? 'completed' : 'stalled', behind };
}

function run(text: string): { machine: Machine; events: MachineEvent[] } {
  const machine = new Machine(modelOf(text));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  assert.deepEqual(machine.invariantViolations(), []);
  return { machine, events };
}

const cells: [Cfcfg, OnOff, Cfre, Context, Behaviour, Kernel][] = [];
for (const kernel of ['6.12', '7.1'] as const) {
  for (const cfcfg of ['terminate', 'stall'] as const) {
    for (const hupcf of ['off', 'on'] as const) {
      for (const cfre of ['abort', 'raz'] as const) {
        for (const context of ['irq', 'thread', 'workqueue'] as const) {
          cells.push([cfcfg, hupcf, cfre, context, 'silent', kernel]);
          // Mapping may sleep: not in irq context.
          if (context !== 'irq') cells.push([cfcfg, hupcf, cfre, context, 'fixes', kernel]);
        }
      }
    }
  }
}

describe('fault matrix: CFCFG × HUPCF × CFRE × handler context × release', () => {
  test('it has every cell', () => assert.equal(cells.length, 2 * 2 * 2 * 2 * (3 + 2)));

  for (const [cfcfg, hupcf, cfre, context, behaviour, kernel] of cells) {
    test(`Linux ${kernel}: fault ${cfcfg}, hupcf ${hupcf}, report ${cfre}, ${context} handler that ${behaviour === 'silent' ? 'does not answer' : 'maps and retries'}`, () => {
      const { machine, events } = run(scenario(cfcfg, hupcf, cfre, context, behaviour, kernel));
      const want = expected(cfcfg, hupcf, cfre, context, behaviour, kernel);
      assert.deepEqual(statuses(machine.result()), {
        'warm#0': 'completed',
        'bad#0': want.bad,
        'tex#0': want.tex,
        'tex#1': want.tex,
        'tex#2': want.tex,
        'tex#3': want.tex,
      });
      const behind = events.filter((e) => e.kind === 'transaction-stalled' && e.behind).length;
      assert.equal(behind, want.behind);
      const bad = machine.result().transactions.find((t) => t.label === 'bad');
      if (want.bad === 'completed') assert.equal(bad?.pa, 0x9000_0000n);
      const handlerThread = events.find((e) => e.kind === 'handler-step');
      assert.ok(handlerThread?.kind === 'handler-step');
      const expectedThread = { irq: 'irq', thread: 'irq/kgsl', workqueue: 'iopf/0' }[context];
      assert.equal(machine.state.threads[handlerThread.thread - 1]?.name, expectedThread);
    });
  }
});
