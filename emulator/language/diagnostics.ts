import { Range } from './source';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Another place a diagnostic involves ("first declared here", "overlaps this map"). */
export interface RelatedLocation {
  range: Range;
  message: string;
}

/** One change of the source: replace `range` (offsets) with `newText`; an empty range inserts. */
export interface SourceEdit {
  range: Range;
  newText: string;
}

/**
 * The change that repairs a diagnostic, worked out where the problem is found (the checker
 * knows the misspelt word's candidates, the map's rounding): the language server offers it
 * as a quick fix.
 */
export interface QuickFix {
  title: string;
  edits: SourceEdit[];
}

export interface Diagnostic {
  severity: Severity;
  range: Range;
  message: string;
  /** Stable kind of the problem (`unknown-name`, `map-overlap` …), for tests and code actions. */
  code: string;
  related?: RelatedLocation[];
  fix?: QuickFix;
}

/** Collects diagnostics in the order they are found. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  report(severity: Severity, code: string, range: Range, message: string, related?: RelatedLocation[], fix?: QuickFix): void {
    this.diagnostics.push({ severity, code, range, message, ...(related ? { related } : {}), ...(fix ? { fix } : {}) });
  }

  error(code: string, range: Range, message: string, related?: RelatedLocation[], fix?: QuickFix): void {
    this.report('error', code, range, message, related, fix);
  }

  warning(code: string, range: Range, message: string, related?: RelatedLocation[], fix?: QuickFix): void {
    this.report('warning', code, range, message, related, fix);
  }

  information(code: string, range: Range, message: string, related?: RelatedLocation[]): void {
    this.report('information', code, range, message, related);
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
