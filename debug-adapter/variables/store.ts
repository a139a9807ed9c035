import { Handles } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { RequestError } from '../errors';

/** Something the Variables view can open: a scope, a register, a table. */
export interface VariableContainer {
  variables(start?: number, count?: number): DebugProtocol.Variable[];
  /** Writes one of its variables; returns the new value shown. */
  set?(name: string, value: string): { value: string; variablesReference?: number };
  /** What a data breakpoint on one of its variables watches, if it can be watched. */
  dataId?(name: string): { dataId: string; description: string } | undefined;
}

/**
 * Variable references of the current stop. Every stop starts afresh: a reference from an
 * earlier stop is refused with a clear error rather than answered with stale values.
 */
export class VariableStore {
  private handles = new Handles<VariableContainer>();

  add(container: VariableContainer): number {
    return this.handles.create(container);
  }

  get(reference: number): VariableContainer {
    const container = this.handles.get(reference);
    if (!container) throw new RequestError(`variablesReference ${reference} is not one of the current stop's`);
    return container;
  }

  reset(): void {
    this.handles.reset();
  }
}

/** A variable that opens nothing. */
export function leaf(name: string, value: string, extra: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
  return { name, value, variablesReference: 0, ...extra };
}
