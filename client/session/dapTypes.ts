/**
 * The few DAP shapes the views read from standard requests (`variables`, `setVariable`).
 * The client talks DAP through `vscode.DebugSession.customRequest`, whose answers are
 * untyped; these name what it relies on.
 */
export interface DapVariable {
  name: string;
  value: string;
  variablesReference: number;
  type?: string;
  evaluateName?: string;
  memoryReference?: string;
  presentationHint?: { kind?: string; attributes?: string[] };
}

export interface VariablesResponseBody {
  variables: DapVariable[];
}

export interface SetVariableResponseBody {
  value: string;
}

export function isReadOnly(variable: DapVariable): boolean {
  return variable.presentationHint?.attributes?.includes('readOnly') ?? false;
}
