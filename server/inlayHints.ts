import { InlayHint, InlayHintKind, MarkupKind, Range } from 'vscode-languageserver';
import { inlayLabel, story } from '../emulator/analysis/prediction';
import { Analysis } from './analysis';
import { predictionOf, transactionSites } from './predictions';

/**
 * After each transaction's address, what its first iteration does: `→ 0x8000_0040`, or
 * `→ raz`, `→ translation fault · stall · terminate: aborted`; the tooltip tells the whole
 * story (every iteration of a repeat), as `iommu-debug check` prints it.
 */
export function inlayHints(analysis: Analysis, range: Range): InlayHint[] {
  const first = analysis.offsetAt(range.start);
  const last = analysis.offsetAt(range.end);
  return transactionSites(analysis).flatMap((site): InlayHint[] => {
    const address = site.transaction.address;
    if (!address || address.range.end < first || address.range.start > last) return [];
    const prediction = predictionOf(analysis, site);
    const label = inlayLabel(prediction);
    if (!label) return [];
    return [{ position: analysis.positionAt(address.range.end), label, kind: InlayHintKind.Type, paddingLeft: true, tooltip: { kind: MarkupKind.Markdown, value: story(prediction) } }];
  });
}
