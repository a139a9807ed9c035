import { EngineDeclaration, Repeat, ScenarioFile, Transaction } from '../language/ast';
import { engineItemsOf } from '../language/engineItems';

/** A transaction in its engine, with the repeats around it (outermost first). */
export interface TransactionSite {
  transaction: Transaction;
  engine: EngineDeclaration;
  repeats: Repeat[];
}

/** Every written transaction of every engine, in file order. */
export function transactionSites(file: ScenarioFile): TransactionSite[] {
  const sites: TransactionSite[] = [];
  for (const engine of file.declarations) {
    if (engine.kind !== 'engine') continue;
    for (const { item, enclosing } of engineItemsOf(engine.body)) {
      if (item.kind === 'transaction') sites.push({ transaction: item, engine, repeats: enclosing.filter((b): b is Repeat => b.kind === 'repeat') });
    }
  }
  return sites;
}
