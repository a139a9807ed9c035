import { TransactionPrediction } from '../emulator/analysis/prediction';
import { TransactionSite } from '../emulator/analysis/transactionSites';
import { Analysis } from './analysis';

/*
 * The server's door to the one prediction (emulator/analysis/prediction.ts): hover, inlay
 * hints and diagnostics read the same TransactionPrediction, made once per document version.
 */

export type { TransactionSite };

/** Every transaction of every engine, in file order. */
export function transactionSites(analysis: Analysis): readonly TransactionSite[] {
  return analysis.predictions.sites;
}

/** What a written transaction will do: from the bounded run, or the static walk where the run did not reach it. */
export function predictionOf(analysis: Analysis, site: TransactionSite): TransactionPrediction {
  return analysis.predictions.of(site);
}
