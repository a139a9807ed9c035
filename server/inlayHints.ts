import { InlayHint, InlayHintKind, MarkupKind, Range } from 'vscode-languageserver';
import { hexGrouped } from '../emulator/util/u64';
import { Analysis } from './analysis';
import { describePredictedFault } from './diagnostics';
import { predict, transactionSites } from './predictions';
import { describeRan, predictedRun, ranInlayLabel, ranTransactions } from './predictionsV3';

/**
 * After each transaction's address: `→ 0x8000_0040` where it translates, or the fault it
 * will take (for the first iteration of a repeat), as the tables stand before the run.
 */
export function inlayHints(analysis: Analysis, range: Range): InlayHint[] {
  const first = analysis.offsetAt(range.start);
  const last = analysis.offsetAt(range.end);
  return transactionSites(analysis).flatMap((site): InlayHint[] => {
    const address = site.transaction.address;
    if (!address || address.range.end < first || address.range.start > last) return [];
    const ran = ranTransactions(analysis, site)?.[0];
    const run = predictedRun(analysis);
    if (ran && run) {
      // Behind an SMMUv3: what the first iteration did in the emulator's run.
      const label = ranInlayLabel(ran);
      const tooltip = ran.fault || ran.status !== 'completed' ? { tooltip: { kind: MarkupKind.Markdown, value: describeRan(site, ran, run) } } : {};
      return label ? [{ position: analysis.positionAt(address.range.end), label, kind: InlayHintKind.Type, paddingLeft: true, ...tooltip }] : [];
    }
    const prediction = predict(analysis, site);
    const outcome = prediction?.outcome;
    if (!prediction || !outcome) return [];
    const position = analysis.positionAt(address.range.end);
    if ('pa' in outcome) {
      return [{ position, label: `→ ${hexGrouped(outcome.pa)}`, kind: InlayHintKind.Type, paddingLeft: true }];
    }
    return [
      {
        position,
        label: `→ ${outcome.fault.outcome.kind} fault`,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: { kind: MarkupKind.Markdown, value: describePredictedFault(prediction) ?? '' },
      },
    ];
  });
}
