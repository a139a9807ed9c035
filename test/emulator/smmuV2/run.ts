import assert from 'node:assert/strict';
import { MachineEvent } from '../../../emulator/machine/events';
import { Machine } from '../../../emulator/machine/machine';
import { modelOf } from '../helpers/scenario';

/** Runs a scenario to its end, with every event it emitted. */
export function runWithEvents(text: string): { machine: Machine; events: MachineEvent[] } {
  const machine = new Machine(modelOf(text));
  const events: MachineEvent[] = [];
  machine.on((event) => events.push(event));
  assert.deepEqual(machine.run(), { reason: 'finished' });
  return { machine, events };
}

/** The kernel steps the run took, as `thread: step — detail`, in order. */
export function kernelSteps(machine: Machine, events: readonly MachineEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'kernel-step' ? [`${machine.state.threads[e.thread - 1]?.name}: ${e.step} — ${e.detail}`] : []));
}
