import { transactionsLeft } from '../scenario/engineProgram';
import { ScenarioModel } from '../scenario/model';
import { heldTransactions } from '../smmu/smmuState';
import { MachineState, TransactionState } from './state';

/**
 * An engine whose program is not done when the run stops: a device hung on transactions
 * nothing will answer (or, at `--until`, one still at work). With it, every transaction a
 * program would issue is accounted for: ended, live (stalled or pending), or not issued.
 */
export interface UnfinishedEngine {
  engine: number;
  name: string;
  /** Transactions it issued. */
  issued: number;
  /** Transactions its program would still issue (a bigint: repeats multiply). */
  unissued: bigint;
  /** The line of the next transaction it would issue, if any. */
  line: number | undefined;
  /** What each of its live transactions waits for, in issue order. */
  waiting: { transaction: number; why: string }[];
  /** All of it in one sentence: "nic.rx hung at line 6: …". */
  summary: string;
}

/** What a live transaction waits for, in words: a stalled one, as the SMMU that holds it says. */
function waitOf(state: MachineState, t: TransactionState): string {
  if (t.status === 'pending') return 'translating';
  const smmu = state.smmus[t.smmu];
  const held = smmu && t.status === 'stalled' ? heldTransactions(smmu).find((h) => h.id === t.id) : undefined;
  return held?.waits ?? t.status;
}

function lineOfNext(model: ScenarioModel, engine: number, pc: number): number | undefined {
  const program = model.engines[engine]?.program ?? [];
  for (let at = pc; at < program.length; at++) {
    const op = program[at];
    if (op?.op === 'transaction') return model.lines.lineOf(op.node.range.start);
  }
  return undefined;
}

/**
 * The engines whose programs are not done, and what holds each back: `hung` once the run has
 * nothing left to do (nothing will ever free them), else (at `--until`, at a budget) `not done`.
 */
export function unfinishedEngines(model: ScenarioModel, state: MachineState, finished: boolean): UnfinishedEngine[] {
  const live = [...state.transactions.values()].sort((a, b) => a.id - b.id);
  return state.engines.flatMap((engine, index): UnfinishedEngine[] => {
    const engineModel = model.engines[index];
    if (engine.programDone || !engineModel) return [];
    const unissued = transactionsLeft(engineModel.program, engine.pc, engine.loops);
    const waiting = live.filter((t) => t.engine === index).map((t) => ({ transaction: t.id, why: waitOf(state, t) }));
    const line = lineOfNext(model, index, engine.pc);
    const held = waiting.map((w) => `#${w.transaction} ${w.why}`).join('; ');
    const at = line === undefined ? '' : ` at line ${line}`;
    const slots = engineModel.outstanding === 1 ? 'its outstanding slot is' : `its ${engineModel.outstanding} outstanding slots are`;
    const how = `${finished ? 'hung' : 'not done'}${at}${engine.blocked ? `: ${slots} taken (${held})` : ''}`;
    return [{ engine: index, name: engineModel.name, issued: engine.issued, unissued, line, waiting, summary: `${engineModel.name} ${how}; ${unissued} transaction${unissued === 1n ? '' : 's'} not issued` }];
  });
}
