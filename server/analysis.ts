import { Position, Range as LspRange } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ScenarioPredictions } from '../emulator/analysis/prediction';
import { StaticSystem } from '../emulator/analysis/staticSystem';
import { machineBeforeRun } from '../emulator/inspect/tablesBeforeRun';
import { Machine } from '../emulator/machine/machine';
import { Range } from '../emulator/language/source';
import { CompiledScenario, compileScenario } from '../emulator/scenario/compile';

/**
 * Everything the features know about one version of one document: parsed, checked and,
 * on demand, its page tables built and its transactions predicted. Computed once per
 * version, shared by every request.
 */
export class Analysis {
  readonly compiled: CompiledScenario;
  private system: StaticSystem | undefined;
  private predicted: ScenarioPredictions | undefined;
  private beforeRun: { machine: Machine | undefined } | undefined;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
  ) {
    this.compiled = compileScenario(text);
  }

  get lines() {
    return this.compiled.lines;
  }

  /** Page tables and attaches as they stand before a run, built on first use. */
  get staticSystem(): StaticSystem {
    this.system ??= new StaticSystem(this.compiled.file, this.compiled.check);
    return this.system;
  }

  /**
   * The machine before it runs, built on first use: the stage-2 and nested domains' tables
   * as the run builds them (a guest's at IPAs), which the static system does not model.
   */
  get machineBeforeRun(): Machine | undefined {
    const model = this.compiled.model;
    this.beforeRun ??= { machine: model && machineBeforeRun(model) };
    return this.beforeRun.machine;
  }

  /** What each written transaction will do: the bounded run's answer, the static walk's where the run did not reach. */
  get predictions(): ScenarioPredictions {
    this.predicted ??= new ScenarioPredictions(this.compiled, () => this.staticSystem);
    return this.predicted;
  }

  offsetAt(position: Position): number {
    return this.lines.offsetAt(position);
  }

  positionAt(offset: number): Position {
    return this.lines.positionAt(offset);
  }

  lspRange(range: Range): LspRange {
    return { start: this.positionAt(range.start), end: this.positionAt(range.end) };
  }

  /** The source text of a range. */
  textOf(range: Range): string {
    return this.text.slice(range.start, range.end);
  }
}

/** The analysis of each open document's current version. */
export class Analyses {
  private readonly cache = new Map<string, Analysis>();

  of(document: TextDocument): Analysis {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const analysis = new Analysis(document.uri, document.version, document.getText());
    this.cache.set(document.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
