import { HandlerStatement, IfStatement, ResponseStatement } from '../language/ast';

/**
 * A handler's statements flattened into straight-line code: a running handler is a
 * program counter. Every op but `jump` is one step, and one breakpoint location.
 */
export type HandlerOp =
  | { op: 'statement'; node: Exclude<HandlerStatement, IfStatement | ResponseStatement> }
  /** Evaluates the condition; when false, continues at `otherwise`. */
  | { op: 'branch'; node: IfStatement; otherwise: number }
  /** The end of a `then` branch: skips the `else`. Not a step. */
  | { op: 'jump'; target: number }
  /** A response: RESUME / CMD_RESUME / CMD_PRI_RESP, and the handler returns. */
  | { op: 'respond'; node: ResponseStatement };

function compileInto(statements: readonly HandlerStatement[], code: HandlerOp[]): void {
  for (const statement of statements) {
    if (statement.kind === 'if') {
      const branch = { op: 'branch' as const, node: statement, otherwise: 0 };
      code.push(branch);
      compileInto(statement.then, code);
      if (statement.otherwise) {
        const jump = { op: 'jump' as const, target: 0 };
        code.push(jump);
        branch.otherwise = code.length;
        compileInto(statement.otherwise, code);
        jump.target = code.length;
      } else {
        branch.otherwise = code.length;
      }
    } else if (statement.kind === 'response') {
      code.push({ op: 'respond', node: statement });
    } else {
      code.push({ op: 'statement', node: statement });
    }
  }
}

export function compileHandler(statements: readonly HandlerStatement[]): HandlerOp[] {
  const code: HandlerOp[] = [];
  compileInto(statements, code);
  return code;
}
