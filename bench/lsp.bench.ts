import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyses, Analysis } from '../server/analysis';
import { diagnostics } from '../server/diagnostics';
import { updateDocument } from '../server/documentUpdates';
import { hover } from '../server/hover';
import { BenchResult, median, percentile, round, time } from './measure';

/** A 10,000-line scenario: groups of a domain, a master, an engine and a handler on 8 SMMUs. */
export function tenThousandLines(): { text: string; addresses: number[] } {
  const lines: string[] = ['scenario "ten thousand lines"'];
  for (let s = 0; s < 8; s++) lines.push(`smmu s${s} { version v2; context-banks 128 }`);
  const addresses: number[] = [];
  for (let g = 0; lines.length < 10_000; g++) {
    const smmu = `s${g % 8}`;
    lines.push(
      `domain d${g} {`,
      `  smmu ${smmu}`,
      `  fault ${g % 2 === 0 ? 'stall' : 'terminate'}`,
      `  map 0x${(0x1_0000_0000 + g * 0x20_0000).toString(16)} -> 0x${(0x8000_0000 + g * 0x20_0000).toString(16)} size 2M rw`,
      `  map 0x${(0x4000_0000 + g * 0x1000).toString(16)} -> 0x${(0x1_0000_0000 + g * 0x1000).toString(16)} size 4K r`,
      '}',
      `master m${g} { smmu ${smmu}; stream 0x${(g % 0x7fff).toString(16)}; domain d${g}; can-stall }`,
      `engine m${g}.e {`,
    );
    addresses.push(lines.length);
    lines.push(`  read 0x${(0x1_0000_0000 + g * 0x20_0000 + 0x40).toString(16)} 64 as r${g}`, `  write 0x${(0x4000_0000 + g * 0x1000).toString(16)} 4`, `  repeat 4 { read 0x${(0x1_0000_0000 + g * 0x20_0000).toString(16)} + i*0x1000 8 }`, '}');
    lines.push(`handler h${g} on d${g} { context workqueue; log "fault at {iova}"; terminate }`);
  }
  return { text: `${lines.join('\n')}\n`, addresses };
}

/**
 * One edit of the 10,000-line file as the server takes it (documents.onDidChangeContent):
 * the didChange applied to the server's copy, then the new diagnostics from the analysis of
 * the new version. The edit changes a read's size in the middle of the file, `64` to `8`
 * and back, so every sample is a real change of what runs.
 */
function editRechecks(text: string, addresses: readonly number[], runs: number): number[] {
  const document = TextDocument.create('file:///big.iommu', 'iommu-scenario', 1, text);
  const analyses = new Analyses();
  diagnostics(analyses.of(document));
  const line = addresses[Math.floor(addresses.length / 2)] ?? 0;
  const samples: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const [from, to] = lineText.includes(' 64 ') ? [' 64 ', ' 8 '] : [' 8 ', ' 64 '];
    const character = lineText.indexOf(from);
    const range = { start: { line, character }, end: { line, character: character + from.length } };
    const start = performance.now();
    updateDocument(document, [{ range, text: to }], document.version + 1);
    diagnostics(analyses.of(document));
    // The first is a warm-up.
    if (run > 0) samples.push(performance.now() - start);
  }
  return samples;
}

/** How long the server takes to re-check a big file on a change, and to answer a hover. */
export async function run(): Promise<BenchResult> {
  const { text, addresses } = tenThousandLines();
  let version = 0;
  const check = await time(10, () => diagnostics(new Analysis('file:///big.iommu', ++version, text)));

  const fresh = new Analysis('file:///big.iommu', ++version, text);
  const position = (line: number) => ({ line, character: 10 });
  const start = performance.now();
  hover(fresh, position(addresses[0] ?? 0));
  const firstHover = performance.now() - start;

  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const line = addresses[(i * 7919) % addresses.length] ?? 0;
    const t0 = performance.now();
    hover(fresh, position(line));
    samples.push(performance.now() - t0);
  }
  const edit = editRechecks(text, addresses, 10);
  return {
    lsp_check_10k_lines_ms: round(median(check)),
    lsp_edit_recheck_10k_lines_ms: round(median(edit)),
    lsp_hover_p99_ms: round(percentile(samples, 99)),
    lsp_first_hover_after_change_ms: round(firstHover),
  };
}
