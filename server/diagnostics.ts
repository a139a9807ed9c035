import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import { Diagnostic as ScenarioDiagnostic, Severity } from '../emulator/language/diagnostics';
import { hex } from '../emulator/util/u64';
import { Analysis } from './analysis';
import { firstFault, Prediction, transactionSites } from './predictions';
import { ranFaultMessage, ranTransactions } from './predictionsV3';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Iterations of a `repeat` looked at for a predicted fault: enough to catch an off-by-one stride. */
const ITERATIONS_CHECKED = 64;

function toLsp(analysis: Analysis, d: ScenarioDiagnostic): Diagnostic {
  const diagnostic: Diagnostic = {
    range: analysis.lspRange(d.range),
    severity: severities[d.severity],
    code: d.code,
    source: 'iommu',
    message: d.message,
  };
  if (d.related) {
    diagnostic.relatedInformation = d.related.map((r) => ({ location: { uri: analysis.uri, range: analysis.lspRange(r.range) }, message: r.message }));
  }
  if (d.code === 'unreachable') diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/** "translation fault at level 2: L2[56] is invalid" — what the transaction will take, in the debugger's words. */
export function describePredictedFault(prediction: Prediction): string | undefined {
  const outcome = prediction.outcome && 'fault' in prediction.outcome ? prediction.outcome.fault.outcome : undefined;
  if (!outcome || outcome.kind === 'success') return undefined;
  const which = prediction.iteration === undefined ? '' : ` (i = ${prediction.iteration}, ${hex(prediction.iova)})`;
  return `${outcome.kind} fault at level ${outcome.level}: ${outcome.reason}${which}`;
}

/** Faults the transactions will take on the tables as written (a handler may still fix them). */
function predictedFaults(analysis: Analysis): Diagnostic[] {
  return transactionSites(analysis).flatMap((site): Diagnostic[] => {
    // Behind an SMMUv3 the emulator's run says it (stalls, page requests, event records); else the static walk.
    const ran = ranTransactions(analysis, site);
    const prediction = ran ? undefined : firstFault(analysis, site, ITERATIONS_CHECKED);
    const message = ran ? ranFaultMessage(analysis, site, ran) : prediction && describePredictedFault(prediction);
    const address = site.transaction.address;
    if (!message || !address) return [];
    return [{ range: analysis.lspRange(address.range), severity: DiagnosticSeverity.Hint, code: 'predicted-fault', source: 'iommu', message: `will fault: ${message}` }];
  });
}

/** Everything the server reports for a document: the checker's findings, then predicted faults. */
export function diagnostics(analysis: Analysis): Diagnostic[] {
  return [...analysis.compiled.diagnostics.map((d) => toLsp(analysis, d)), ...predictedFaults(analysis)];
}
