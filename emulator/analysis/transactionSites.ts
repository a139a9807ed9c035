import { EngineDeclaration, Repeat, ScenarioFile, Submit, Transaction } from '../language/ast';
import { engineItemsOf } from '../language/engineItems';

/** A transaction in its engine, with the repeats around it (outermost first). */
export interface TransactionSite {
  transaction: Transaction;
  engine: EngineDeclaration;
  repeats: Repeat[];
  /** The innermost submit around it, if any: its `pagetable` is the table its TTBR0 walks use. */
  submit: Submit | undefined;
}

/** Every written transaction of every engine, in file order. */
export function transactionSites(file: ScenarioFile): TransactionSite[] {
  const sites: TransactionSite[] = [];
  for (const engine of file.declarations) {
    if (engine.kind !== 'engine') continue;
    for (const { item, enclosing } of engineItemsOf(engine.body)) {
      if (item.kind === 'transaction') {
        const submits = enclosing.filter((b): b is Submit => b.kind === 'submit');
        sites.push({ transaction: item, engine, repeats: enclosing.filter((b): b is Repeat => b.kind === 'repeat'), submit: submits[submits.length - 1] });
      }
    }
  }
  return sites;
}
