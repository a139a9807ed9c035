import { CodeLens } from 'vscode-languageserver';
import { Analysis } from './analysis';

/** The client's commands that run a scenario headless (noDebug) or under the debugger. */
export const runCommand = 'iommu.runScenario';
export const debugCommand = 'iommu.debugScenario';

/** "Run" and "Debug" above the `scenario` line (or the first line when there is none). */
export function codeLenses(analysis: Analysis): CodeLens[] {
  const title = analysis.compiled.file.declarations.find((d) => d.kind === 'scenario');
  const at = title ? analysis.lspRange(title.range) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return [
    { range: at, command: { title: '$(play) Run', command: runCommand, arguments: [analysis.uri] } },
    { range: at, command: { title: '$(debug-alt) Debug', command: debugCommand, arguments: [analysis.uri] } },
  ];
}
