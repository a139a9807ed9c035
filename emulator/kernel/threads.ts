import { Runtime } from '../machine/runtime';
import { ActivityState, KernelStep, ThreadState } from '../machine/state';

export function threadById(rt: Runtime, id: number): ThreadState {
  const thread = rt.state.threads[id - 1];
  if (!thread) throw new Error(`no thread ${id}`);
  return thread;
}

export function activityById(rt: Runtime, id: number): ActivityState {
  const activity = rt.state.activities.get(id);
  if (!activity) throw new Error(`no activity ${id}`);
  return activity;
}

/** The hard-IRQ thread: every context interrupt runs there, one at a time. */
export function irqThread(rt: Runtime): ThreadState {
  return threadById(rt, rt.model.engines.length + 1);
}

/** The threaded IRQ handler of an SMMU (`irq/NN-arm-smmu`). */
export function irqHandlerThread(rt: Runtime, smmu: number): ThreadState {
  return threadById(rt, rt.model.engines.length + 2 + smmu);
}

/** The PRI queue's threaded IRQ handler of an SMMUv3: listed after every workqueue worker. */
export function priqThread(rt: Runtime, smmu: number): ThreadState {
  const name = `irq/${rt.model.smmus[smmu]?.name ?? '?'}-priq`;
  const thread = rt.state.threads.find((t) => t.name === name);
  if (!thread) throw new Error(`no thread ${name}`);
  return thread;
}

export function newActivity(rt: Runtime, fields: Omit<ActivityState, 'id' | 'step' | 'pc' | 'response'>): ActivityState {
  const activity: ActivityState = { id: rt.state.nextActivity++, step: 0, pc: 0, response: undefined, ...fields };
  rt.state.activities.set(activity.id, activity);
  return activity;
}

function run(rt: Runtime, thread: ThreadState, activity: ActivityState): void {
  thread.running = activity.id;
  activity.thread = thread.id;
  if (!thread.alive) {
    thread.alive = true;
    if (rt.observed) rt.emit({ kind: 'thread-started', time: rt.state.now, thread: thread.id });
  }
  rt.schedule(0, { kind: 'step', activity: activity.id });
}

/** Runs the activity on the thread now, or after what the thread is running. */
export function startOn(rt: Runtime, thread: ThreadState, activity: ActivityState): void {
  activity.thread = thread.id;
  if (thread.running === undefined) run(rt, thread, activity);
  else thread.waiting.push(activity.id);
}

/** An activity is over: its thread takes the next waiting one, or leaves the thread list. */
export function finishActivity(rt: Runtime, activity: ActivityState): ThreadState {
  const thread = threadById(rt, activity.thread);
  rt.state.activities.delete(activity.id);
  thread.running = undefined;
  const next = thread.waiting.shift();
  if (next !== undefined) {
    run(rt, thread, activityById(rt, next));
  } else {
    thread.alive = false;
    if (rt.observed) rt.emit({ kind: 'thread-exited', time: rt.state.now, thread: thread.id });
  }
  return thread;
}

/** Moves on to the activity's next step after `cost` cycles. */
export function advance(rt: Runtime, activity: ActivityState, cost: number): void {
  activity.step++;
  activity.pc = 0;
  rt.schedule(cost, { kind: 'step', activity: activity.id });
}

export function currentStep(activity: ActivityState): KernelStep | undefined {
  return activity.steps[activity.step];
}
