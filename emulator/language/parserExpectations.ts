import { BodyKind } from './grammarTable';
import { BlockKind, NameKind } from './schema';

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
  | { kind: 'after-block'; body: BodyKind; around: StatementExpectation }
  /** Within a statement: the value of a block's setting `key`. */
  | { kind: 'setting-value'; block: BlockKind; key: string }
  /** Within a statement: one of these fixed words (`stall ▮`: `off for`). */
  | { kind: 'words'; words: readonly string[] }
  /**
   * Within a statement: the name of something declared (`pasid 1 -> ▮`: a domain), with
   * `then` after it (`engine ▮`: a master, then `.`); `unhandled`: a handler's domain, which no
   * other handler may have (a domain has one fault handler, iommu_set_fault_handler).
   */
  | { kind: 'name'; of: NameKind; then?: '.'; unhandled?: true }
  /** After a map's size (or a handler's `map page -> PA`): permission words given so far, and whether `pages` may still come. */
  | { kind: 'map-permissions'; given: readonly string[]; pages: boolean }
  /** After `pages`: a leaf size. */
  | { kind: 'leaf-size' }
  /** After a transaction's size: its options, those given so far (`as` for a label). */
  | { kind: 'transaction-option'; access: 'read' | 'write'; given: readonly string[] }
  /** `expect ▮`: a transaction label or a counter. */
  | { kind: 'expect-subject' }
  /** `expect NAME ▮`: a status, `pa` or a comparison. */
  | { kind: 'expect-check'; subject: string };

/** Where a statement (or, at the top level, a declaration) starts. */
export type StatementExpectation = Extract<Expectation, { kind: 'declaration' | 'statement' }>;

/** What may stand at a token inside a statement. */
export type WithinStatement = Exclude<Expectation, { kind: 'declaration' | 'statement' | 'after-block' }>;

function isWithinStatement(expectation: Expectation): expectation is WithinStatement {
  return expectation.kind !== 'declaration' && expectation.kind !== 'statement' && expectation.kind !== 'after-block';
}

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

  /** Where the statement holding token `index` began and what the parser expected there (or what may follow a block there). */
  atOrBefore(index: number): { token: number; expectation: Exclude<Expectation, WithinStatement> } | undefined {
    for (let at = this.lastAtOrBefore(index); at >= 0; at--) {
      const { token, expectation } = this.recorded[at];
      if (!isWithinStatement(expectation)) return { token, expectation };
    }
    return undefined;
  }

  /** What the parser expected at token `index` inside a statement, if it got that far. */
  withinStatementAt(index: number): WithinStatement | undefined {
    const recorded = this.recorded[this.lastAtOrBefore(index)];
    return recorded?.token === index && isWithinStatement(recorded.expectation) ? recorded.expectation : undefined;
  }

  private lastAtOrBefore(index: number): number {
    let low = 0;
    let high = this.recorded.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.recorded[middle].token <= index) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }
}
