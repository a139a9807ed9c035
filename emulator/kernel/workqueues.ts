import { Runtime } from '../machine/runtime';
import { ActivityState, ThreadState } from '../machine/state';
import { activityById, startOn, threadById } from './threads';

/** The thread of worker `k` of a workqueue (`iopf/0`, `iopf/1` …). */
export function workerThread(rt: Runtime, workqueue: number, worker: number): ThreadState {
  let id = rt.model.engines.length + 2 + rt.model.smmus.length;
  for (let w = 0; w < workqueue; w++) id += rt.model.workqueues[w]?.workers ?? 0;
  return threadById(rt, id + worker);
}

/** queue_work: the item may start `wq-latency` cycles from now, when a worker is free. */
export function queueWork(rt: Runtime, workqueue: number, activity: ActivityState): void {
  const queue = rt.state.workqueues[workqueue];
  if (!queue) throw new Error(`no workqueue ${workqueue}`);
  const latency = rt.model.timing.wqLatency;
  queue.pending.push({ activity: activity.id, ready: rt.state.now + latency });
  rt.schedule(latency, { kind: 'work', workqueue });
}

/**
 * Hands ready items to free workers, in queueing order. An ordered workqueue runs one
 * item at a time; an unbound one up to `workers`, so items may finish in any order.
 */
export function dispatchWork(rt: Runtime, workqueue: number): void {
  const queue = rt.state.workqueues[workqueue];
  const model = rt.model.workqueues[workqueue];
  if (!queue || !model) return;
  for (;;) {
    const item = queue.pending[0];
    if (!item || item.ready > rt.state.now) return;
    if (model.ordered && queue.workers.some((a) => a !== undefined)) return;
    const worker = queue.workers.findIndex((a) => a === undefined);
    if (worker < 0) return;
    queue.pending.shift();
    queue.workers[worker] = item.activity;
    startOn(rt, workerThread(rt, workqueue, worker), activityById(rt, item.activity));
  }
}

/** A worker finished its item: it is free for the next. */
export function releaseWorker(rt: Runtime, activity: ActivityState): void {
  rt.state.workqueues.forEach((queue, index) => {
    const worker = queue.workers.indexOf(activity.id);
    if (worker < 0) return;
    queue.workers[worker] = undefined;
    dispatchWork(rt, index);
  });
}
