import { Position, Range as LspRange } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ScenarioPredictions } from '../emulator/analysis/prediction';
import { StaticSystem } from '../emulator/analysis/staticSystem';
import { machineBeforeRun, stage2WalkBeforeRun } from '../emulator/inspect/tablesBeforeRun';
import { Access, DomainWalk } from '../emulator/inspect/walks';
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
  private beforeRun: { machine: ReturnType<typeof machineBeforeRun> } | undefined;

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
   * The walk of `address` in a stage-2 or nested domain before the run, through the
   * machine's tables (the static system builds stage 1 only; a guest's tables are at IPAs):
   * the machine is built on first use, and only for such a domain. Undefined for any other.
   */
  stage2Walk(domain: string, address: bigint, access?: Access): DomainWalk | undefined {
    const model = this.compiled.model;
    const declared = model?.domains.find((d) => d.name === domain);
    if (!model || !declared || (declared.stage !== 2 && declared.nested === undefined)) return undefined;
    this.beforeRun ??= { machine: machineBeforeRun(model) };
    const machine = this.beforeRun.machine;
    return machine && stage2WalkBeforeRun(machine, domain, address, access);
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
