import { readFileSync } from 'node:fs';
import { Breakpoints } from '../../debug-adapter/breakpoints';
import { Debuggee } from '../../debug-adapter/debuggee';
import { RunEndedEventBody } from '../../debug-adapter/protocol';
import { runEnd } from '../../debug-adapter/runEnd';
import { compileScenario } from '../../emulator/scenario/compile';

/** A scenario run to its end without debugging, as the adapter does: what its `iommu/ended` carries. */
export function endedRun(file: string): Promise<RunEndedEventBody> {
  const model = compileScenario(readFileSync(file, 'utf8')).model;
  if (!model) throw new Error(`${file} has errors`);
  return new Promise((resolve) => {
    const debuggee: Debuggee = new Debuggee(model, new Breakpoints(model), { noDebug: true, stopOnFault: true, trace: false, maxEvents: undefined, maxSeconds: undefined }, {
      stopped: () => undefined,
      output: () => undefined,
      thread: () => undefined,
      progress: { start: () => undefined, update: () => undefined, end: () => undefined },
      terminated: (_exitCode, error) => resolve(runEnd(debuggee, file, 'finished', error)),
    });
    debuggee.start(false);
  });
}
