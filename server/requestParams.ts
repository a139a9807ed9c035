/**
 * What LSP says a request's params are, checked before any feature runs: a feature trusts
 * its params, and a client that sends something else gets InvalidParams, not an internal
 * error or an answer to a question it did not ask.
 */

/** What every request the server answers carries. */
export interface TextDocumentIdentifierParams {
  textDocument: { uri: string };
}

/** Params a request carries besides `textDocument`. */
/** `context` is the references request's; `codeActionContext` is the code action request's `context`. */
export type ParamField = 'position' | 'range' | 'newName' | 'context' | 'codeActionContext' | 'options';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** LSP's `uinteger`. */
function isUinteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1;
}

function isPosition(value: unknown): boolean {
  return isObject(value) && isUinteger(value['line']) && isUinteger(value['character']);
}

const fieldChecks: Readonly<Record<ParamField, (params: Record<string, unknown>) => string | undefined>> = {
  position: (params) => (isPosition(params['position']) ? undefined : "'position' must be { line, character }, whole numbers from 0"),
  range: (params) => {
    const range = params['range'];
    return isObject(range) && isPosition(range['start']) && isPosition(range['end']) ? undefined : "'range' must be { start, end }, two positions";
  },
  newName: (params) => (typeof params['newName'] === 'string' ? undefined : "'newName' must be a string"),
  context: (params) => {
    const context = params['context'];
    return isObject(context) && typeof context['includeDeclaration'] === 'boolean' ? undefined : "'context' must be { includeDeclaration: boolean }";
  },
  codeActionContext: (params) => {
    const context = params['context'];
    const only = isObject(context) ? context['only'] : undefined;
    const fits =
      isObject(context) &&
      Array.isArray(context['diagnostics']) &&
      context['diagnostics'].every(isObject) &&
      (only === undefined || (Array.isArray(only) && only.every((kind) => typeof kind === 'string')));
    return fits ? undefined : "'context' must be { diagnostics: Diagnostic[], only?: string[] }";
  },
  options: (params) => {
    const options = params['options'];
    return isObject(options) && isUinteger(options['tabSize']) && typeof options['insertSpaces'] === 'boolean' ? undefined : "'options' must be { tabSize: a whole number, insertSpaces: boolean }";
  },
};

/** Why params are not what the request needs (`textDocument` and `fields`), or undefined. */
export function paramsProblem(params: unknown, fields: readonly ParamField[]): string | undefined {
  if (!isObject(params)) return 'the params must be an object';
  const textDocument = params['textDocument'];
  if (!isObject(textDocument) || typeof textDocument['uri'] !== 'string') return "'textDocument' must be { uri: string }";
  for (const field of fields) {
    const problem = fieldChecks[field](params);
    if (problem) return problem;
  }
  return undefined;
}
