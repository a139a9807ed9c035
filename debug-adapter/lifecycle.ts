import { ErrorId, RequestError } from './errors';

/**
 * Where a session is. One line of life, which every request consults:
 *
 *     new → launching → configuring → running ⇄ stopped → ended | terminated → disconnected
 *
 * `launching` is also where a restart reloads the scenario. `ended`: the run finished on
 * its own (exited, then terminated, were sent); `terminated`: the client ended it. After
 * either, the session sends no event again.
 */
export type Phase = 'new' | 'launching' | 'configuring' | 'running' | 'stopped' | 'ended' | 'terminated' | 'disconnected';

/** The phases a kind of request is answered in. */
export const phasesFor = {
  /** Reading the run, and configuring it: frames, variables, memory, evaluate, the custom views, breakpoints. */
  live: ['configuring', 'running', 'stopped'],
  /** Moving the run or changing its state: steps, writes, answers to stalls. */
  stopped: ['stopped'],
  /** Exception filters: kept from before the launch on, applied when there is a run. */
  filters: ['new', 'launching', 'configuring', 'running', 'stopped'],
} as const satisfies Record<string, readonly Phase[]>;

/** What a request is told when its phase is not one it is answered in. */
const notNow: Record<Phase, string> = {
  new: 'no scenario is running: launch one first',
  launching: 'the scenario is still loading: wait for the launch to finish',
  configuring: 'the run has not started: configurationDone starts it',
  running: 'the scenario is running: pause it first',
  stopped: 'the scenario has already started',
  ended: 'the run has ended',
  terminated: 'the run has ended',
  disconnected: 'the session is disconnected',
};

/** The refusal of a request in a phase it is not answered in. */
export function refusal(phase: Phase): RequestError {
  return new RequestError(notNow[phase], ErrorId.WrongState);
}

/** Whether `terminated` has been sent (or the client has gone): nothing may be sent after it. */
export function isOver(phase: Phase): boolean {
  return phase === 'ended' || phase === 'terminated' || phase === 'disconnected';
}
