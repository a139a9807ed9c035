import { Declaration, ScenarioFile } from '../language/ast';
import { CheckResult, checkScenario } from '../language/checker/check';
import { Diagnostic, hasErrors } from '../language/diagnostics';
import { parseScenario } from '../language/parser';
import { ExpectationRecord } from '../language/parserExpectations';
import { LineIndex, Range } from '../language/source';
import { Token } from '../language/tokens';
import { elaborate } from './elaborate';
import { ScenarioModel } from './model';

/** Parse, check and — for what runs — elaborate: the one front end the CLI, the language server and the debugger share. */
export class CompiledScenario {
  readonly file: ScenarioFile;
  readonly lines: LineIndex;
  /** The tokens (outside string holes) and comments: what colouring and folding read. */
  readonly tokens: Token[];
  readonly comments: Range[];
  /** What the parser expected where each statement starts: where completion is. */
  readonly expectations: ExpectationRecord;
  /** Parser and checker diagnostics, in source order. */
  readonly diagnostics: Diagnostic[];
  readonly check: CheckResult;
  private elaborated: ScenarioModel | null | undefined;
  private runnablePart: RunnablePart | null | undefined;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
    const parsed = parseScenario(text);
    this.file = parsed.file;
    this.tokens = parsed.tokens;
    this.comments = parsed.comments;
    this.expectations = parsed.expectations;
    this.check = checkScenario(parsed.file, this.lines);
    this.diagnostics = [...parsed.diagnostics, ...this.check.diagnostics].sort((a, b) => a.range.start - b.range.start);
  }

  /** What a machine is built from: present when there are no errors (built on first use). */
  get model(): ScenarioModel | undefined {
    if (this.elaborated === undefined) this.elaborated = hasErrors(this.diagnostics) ? null : elaborate(this.file, this.check, this.lines);
    return this.elaborated ?? undefined;
  }

  /**
   * What still runs of a file: the whole of it without errors; with errors, every
   * declaration that holds none, checked again on its own (so what refers to a dropped
   * declaration is an error of the part, and then nothing runs). The language server
   * predicts from it while a line is half typed.
   */
  get runnable(): RunnablePart | undefined {
    if (this.runnablePart === undefined) this.runnablePart = this.partThatRuns() ?? null;
    return this.runnablePart ?? undefined;
  }

  private partThatRuns(): RunnablePart | undefined {
    const model = this.model;
    if (model) return { model, dropped: [] };
    const errors = this.diagnostics.filter((d) => d.severity === 'error');
    const broken = (d: Declaration): boolean => errors.some((e) => e.range.start >= d.range.start && e.range.start < Math.max(d.range.end, d.range.start + 1));
    const dropped = this.file.declarations.filter(broken);
    const part: ScenarioFile = { ...this.file, declarations: this.file.declarations.filter((d) => !broken(d)) };
    const check = checkScenario(part, this.lines);
    if (hasErrors(check.diagnostics)) return undefined;
    return { model: elaborate(part, check, this.lines), dropped };
  }
}

/** A model of the declarations that run, and those left out because they hold an error. */
export interface RunnablePart {
  model: ScenarioModel;
  dropped: readonly Declaration[];
}

export function compileScenario(text: string): CompiledScenario {
  return new CompiledScenario(text);
}
