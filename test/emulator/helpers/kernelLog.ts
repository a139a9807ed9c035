import { Machine } from '../../../emulator/machine/machine';

/** Every line the kernel printed in a run, `level: line`, in order (printk's journal records). */
export function kernelLines(machine: Machine): string[] {
  return [...machine.journal.logs].flatMap((l) => (l.kernel === undefined ? [] : [`${l.kernel}: ${l.message}`]));
}
