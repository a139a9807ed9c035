/** Where a run's progress goes: the session turns these into DAP progress events. */
export interface ProgressSink {
  start(message: string): void;
  update(message: string): void;
  end(): void;
}

/** How long a run goes on before it shows progress, and how often the progress is updated (ms). */
export const PROGRESS_AFTER_MS = 500;
export const PROGRESS_EVERY_MS = 250;

/**
 * A run that goes on for a while without stopping shows where it is — cycle and
 * transactions — so a long run is never a silent "The scenario is running…"; a short one
 * shows nothing. The session offers to cancel it, which pauses the run.
 */
export class RunProgress {
  private since: number | undefined;
  private shown = false;
  private lastUpdate = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The run goes on (a continue or a step). */
  running(): void {
    this.since ??= this.clock();
  }

  /** Between slices of a run: shows progress once it has gone on long enough, then updates it now and then. */
  tick(cycle: number, transactions: number): void {
    if (this.since === undefined) return;
    const now = this.clock();
    const message = `cycle ${cycle.toLocaleString('en-US')} · ${transactions.toLocaleString('en-US')} transaction${transactions === 1 ? '' : 's'}`;
    if (!this.shown) {
      if (now - this.since < PROGRESS_AFTER_MS) return;
      this.shown = true;
      this.lastUpdate = now;
      this.sink.start(message);
    } else if (now - this.lastUpdate >= PROGRESS_EVERY_MS) {
      this.lastUpdate = now;
      this.sink.update(message);
    }
  }

  /** The run stopped or ended: the progress, if shown, ends. */
  stopped(): void {
    this.since = undefined;
    if (!this.shown) return;
    this.shown = false;
    this.sink.end();
  }
}
