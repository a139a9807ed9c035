import { Hover, MarkupKind } from 'vscode-languageserver';
import { behavioursOf, modelledKernelFor, modelledKernels } from '../emulator/inspect/kernelVersions';
import { contains } from '../emulator/language/source';
import { Analysis } from './analysis';

/** The `kernel X.Y` line: the release it runs as, and what that selects of the fault path. */
export function kernelHover(analysis: Analysis, offset: number): Hover | undefined {
  const declaration = analysis.compiled.file.declarations.find((d) => d.kind === 'kernel' && contains(d.range, offset));
  if (declaration?.kind !== 'kernel' || !declaration.version) return undefined;
  const written = `${declaration.version.major}.${declaration.version.minor}`;
  const runs = modelledKernelFor(declaration.version);
  const lines = runs
    ? [
        `**kernel ${written}**: ${runs === written ? `runs as Linux ${runs}` : `runs as Linux ${runs}, the newest modelled release not newer than ${written}`}.`,
        '',
        ...behavioursOf(runs).map((b) => `- ${b}`),
      ]
    : [`**kernel ${written}**: older than every release the model runs (${modelledKernels.join(', ')}).`];
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: analysis.lspRange(declaration.range) };
}
