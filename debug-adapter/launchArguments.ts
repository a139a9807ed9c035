import { DebugProtocol } from '@vscode/debugprotocol';

/** The launch attributes of debug type `iommu` (package.json `configurationAttributes`). */
export interface IommuLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Path of the `.iommu` scenario to run. */
  scenario: string;
  /** Stop before the first event of the run. */
  stopOnEntry: boolean;
  /** Stop when a transaction faults (the exception filters decide which faults). */
  stopOnFault: boolean;
  /** Print every emulator event to the Debug Console. */
  trace: boolean;
}

/** A launch configuration that does not fit the schema; its message is shown to the user. */
export class LaunchArgumentError extends Error {}

type RawArguments = Record<string, unknown>;

function readBoolean(raw: RawArguments, key: 'stopOnEntry' | 'stopOnFault' | 'trace', fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new LaunchArgumentError(`launch attribute '${key}' must be true or false, not ${JSON.stringify(value)}`);
}

/** Checks what VS Code sent against the manifest's schema: a user may have typed anything into launch.json. */
export function parseLaunchArguments(raw: RawArguments): IommuLaunchArguments {
  const scenario = raw['scenario'];
  if (typeof scenario !== 'string' || scenario.trim() === '') {
    throw new LaunchArgumentError("launch attribute 'scenario' is required: the path of a .iommu file");
  }
  return {
    ...raw,
    scenario,
    stopOnEntry: readBoolean(raw, 'stopOnEntry', false),
    stopOnFault: readBoolean(raw, 'stopOnFault', true),
    trace: readBoolean(raw, 'trace', false),
  };
}
