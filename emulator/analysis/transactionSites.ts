import { EngineDeclaration, EngineItem, Repeat, ScenarioFile, Transaction } from '../language/ast';

/** A transaction in its engine, with the repeats around it (outermost first). */
export interface TransactionSite {
  transaction: Transaction;
  engine: EngineDeclaration;
  repeats: Repeat[];
}

function collect(items: readonly EngineItem[], engine: EngineDeclaration, repeats: Repeat[], into: TransactionSite[]): void {
  for (const item of items) {
    if (item.kind === 'transaction') into.push({ transaction: item, engine, repeats });
    else if (item.kind === 'repeat') collect(item.body, engine, [...repeats, item], into);
    else if (item.kind === 'submit') collect(item.body, engine, repeats, into);
  }
}

/** Every written transaction of every engine, in file order. */
export function transactionSites(file: ScenarioFile): TransactionSite[] {
  const sites: TransactionSite[] = [];
  for (const d of file.declarations) if (d.kind === 'engine') collect(d.body, d, [], sites);
  return sites;
}
