import { Machine } from '../machine/machine';
import { TransactionState } from '../machine/state';
import { FixedText, PieceWriter } from './pieces';
import { fieldPrefix, scalar } from './jsonText';

/** What comes between the pieces that change: the keys of the fields after `"iova"`. */
const AFTER_IOVA = new FixedText(`",\n${fieldPrefix('status')}"`);
const AFTER_STATUS = new FixedText(`",\n${fieldPrefix('pa')}`);
const AFTER_PA = new FixedText(`,\n${fieldPrefix('faults')}`);

/** What an element says before the transaction's address, for the label it was made with. */
interface Head {
  label: string | undefined;
  text: FixedText;
}

/**
 * A transaction's element of `transactions`: `{ "name", "engine", "line", "iova", "status",
 * "pa", "faults" }` (docs/scenario-language.md, "Command line"). There is one for every
 * labelled transaction, so it is written in pieces; what its op fixes (name, engine, line)
 * is made once per op.
 */
export class TransactionElements {
  private readonly heads: (Head | undefined)[][] = [];

  constructor(private readonly machine: Machine) {}

  /** The source line of the `read`/`write` that issued it, or null. */
  lineOf(t: TransactionState): number | null {
    const { model } = this.machine;
    const op = model.engines[t.engine]?.program[t.op];
    return op?.op === 'transaction' ? model.lines.lineOf(op.node.range.start) : null;
  }

  write(t: TransactionState, out: PieceWriter): void {
    out.fixed(this.head(t));
    out.hex(t.iova);
    out.fixed(AFTER_IOVA);
    out.append(t.status);
    out.fixed(AFTER_STATUS);
    if (t.pa === undefined) {
      out.append('null');
    } else {
      out.append('"');
      out.hex(t.pa);
      out.append('"');
    }
    out.fixed(AFTER_PA);
    out.decimal(t.faults);
    out.append('\n    }');
  }

  /** Up to the opening quote of `"iova"`'s value. */
  private head(t: TransactionState): FixedText {
    const heads = (this.heads[t.engine] ??= []);
    const known = heads[t.op];
    if (known !== undefined && known.label === t.label) return known.text;
    const engine = this.machine.model.engines[t.engine]?.name ?? null;
    const text = new FixedText(`    {\n${fieldPrefix('name')}${scalar(t.label ?? null)},\n${fieldPrefix('engine')}${scalar(engine)},\n${fieldPrefix('line')}${scalar(this.lineOf(t))},\n${fieldPrefix('iova')}"`);
    heads[t.op] = { label: t.label, text };
    return text;
  }
}
