import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import { faultMessage } from '../emulator/analysis/prediction';
import { Diagnostic as ScenarioDiagnostic, Severity } from '../emulator/language/diagnostics';
import { Analysis } from './analysis';
import { predictionOf, transactionSites } from './predictions';
import { quickFixData } from './quickFixData';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

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
  if (d.fix) diagnostic.data = quickFixData(analysis, d.fix);
  return diagnostic;
}

/** Transactions the prediction says will fault or fail (terminated, still stalled), as hints on their addresses. */
function predictedFaults(analysis: Analysis): Diagnostic[] {
  return transactionSites(analysis).flatMap((site): Diagnostic[] => {
    const message = faultMessage(predictionOf(analysis, site));
    const address = site.transaction.address;
    if (!message || !address) return [];
    return [{ range: analysis.lspRange(address.range), severity: DiagnosticSeverity.Hint, code: 'predicted-fault', source: 'iommu', message: `will fault: ${message}` }];
  });
}

/** Everything the server reports for a document: the checker's findings, then predicted faults. */
export function diagnostics(analysis: Analysis): Diagnostic[] {
  return [...analysis.compiled.diagnostics.map((d) => toLsp(analysis, d)), ...predictedFaults(analysis)];
}
