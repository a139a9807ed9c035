import { Machine } from '../../../emulator/machine/machine';

/** The lines the kernel printed in a run, as dmesg shows them (device prefix included), in order. */
export function kernelLines(machine: Machine): string[] {
  return [...machine.journal.logs].flatMap((r) => (r.kernel ? [r.message] : []));
}
