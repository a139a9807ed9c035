import { Range } from './source';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Another place a diagnostic involves ("first declared here", "overlaps this map"). */
export interface RelatedLocation {
  range: Range;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  range: Range;
  message: string;
  /** Stable kind of the problem (`unknown-name`, `map-overlap` …), for tests and code actions. */
  code: string;
  related?: RelatedLocation[];
}

/** Collects diagnostics in the order they are found. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  report(severity: Severity, code: string, range: Range, message: string, related?: RelatedLocation[]): void {
    this.diagnostics.push(related ? { severity, code, range, message, related } : { severity, code, range, message });
  }

  error(code: string, range: Range, message: string, related?: RelatedLocation[]): void {
    this.report('error', code, range, message, related);
  }

  warning(code: string, range: Range, message: string, related?: RelatedLocation[]): void {
    this.report('warning', code, range, message, related);
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
