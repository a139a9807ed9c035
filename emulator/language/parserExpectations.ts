import { BodyKind } from './grammarTable';

/**
 * What the parser expected at a token, recorded as it parses so that completion asks the
 * parser where the cursor is rather than working it out again from the tokens.
 */
export type Expectation =
  /** A declaration starts here: at the top level. */
  | { kind: 'declaration' }
  /** A statement of a body starts here. */
  | {
      kind: 'statement';
      body: BodyKind;
      /** The bodies around it, outermost (the declaration's) first, its own last. */
      bodies: readonly BodyKind[];
      /** Where the declaration whose body this is starts. */
      declarationStart: number;
    }
  /**
   * Just after a block's `}`, on its line: an `if`'s block may be followed by `else`, any
   * other by nothing. `around` is what the statement holding the block started as.
   */
  | { kind: 'after-block'; body: BodyKind; around: StatementExpectation };

/** Where a statement (or, at the top level, a declaration) starts. */
export type StatementExpectation = Extract<Expectation, { kind: 'declaration' | 'statement' }>;

export interface RecordedExpectation {
  /** Index of the token (as `ParseResult.tokens` holds them) the expectation is at. */
  token: number;
  expectation: Expectation;
}

/** The expectations of one parse, in token order; at a token, the first one recorded stands. */
export class ExpectationRecord {
  readonly recorded: RecordedExpectation[] = [];

  add(token: number, expectation: Expectation): void {
    const last = this.recorded[this.recorded.length - 1];
    if (last === undefined || last.token < token) this.recorded.push({ token, expectation });
  }

  /** The last expectation at or before token `index`: where the statement holding that token began (or what stood there). */
  atOrBefore(index: number): RecordedExpectation | undefined {
    let low = 0;
    let high = this.recorded.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.recorded[middle].token <= index) low = middle + 1;
      else high = middle;
    }
    return this.recorded[low - 1];
  }
}
