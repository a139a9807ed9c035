import * as path from 'path';
import { DebugProtocol } from '@vscode/debugprotocol';

/** The launch attributes of debug type `iommu` (package.json `configurationAttributes`). */
export interface IommuLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Path of the `.iommu` scenario to run. */
  scenario: string;
  /** The folder the Debug Console's paths are relative to (the client sends the workspace folder); absent: the scenario's. */
  cwd: string;
  /** Run without debugging (Ctrl+F5): to the end, with no stop of any kind. */
  noDebug: boolean;
  /** Stop before the first event of the run. */
  stopOnEntry: boolean;
  /** Stop when a transaction faults (the exception filters decide which faults). */
  stopOnFault: boolean;
  /** Print every emulator event to the Debug Console. */
  trace: boolean;
  /** Events the run may take before it is stopped as one that does not end; absent: the emulator's default for the scenario. */
  maxEvents: number | undefined;
  /** Seconds the run may spend running (not stopped); absent: the emulator's default. */
  maxSeconds: number | undefined;
}

/** A launch configuration that does not fit the schema; its message is shown to the user. */
export class LaunchArgumentError extends Error {}

type RawArguments = Record<string, unknown>;

function readBoolean(raw: RawArguments, key: 'noDebug' | 'stopOnEntry' | 'stopOnFault' | 'trace', fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new LaunchArgumentError(`launch attribute '${key}' must be true or false, not ${JSON.stringify(value)}`);
}

function readMaxEvents(raw: RawArguments): number | undefined {
  const value = raw['maxEvents'];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new LaunchArgumentError(`launch attribute 'maxEvents' must be a whole number of events above 0, not ${JSON.stringify(value)}`);
}

function readMaxSeconds(raw: RawArguments): number | undefined {
  const value = raw['maxSeconds'];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new LaunchArgumentError(`launch attribute 'maxSeconds' must be a number of seconds above 0, not ${JSON.stringify(value)}`);
}

function readCwd(raw: RawArguments, scenario: string): string {
  const value = raw['cwd'];
  if (value === undefined) return path.dirname(scenario);
  if (typeof value === 'string' && path.isAbsolute(value)) return value;
  throw new LaunchArgumentError(`launch attribute 'cwd' must be the absolute path of a folder, not ${JSON.stringify(value)}`);
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
    cwd: readCwd(raw, scenario),
    noDebug: readBoolean(raw, 'noDebug', false),
    stopOnEntry: readBoolean(raw, 'stopOnEntry', false),
    stopOnFault: readBoolean(raw, 'stopOnFault', true),
    trace: readBoolean(raw, 'trace', false),
    maxEvents: readMaxEvents(raw),
    maxSeconds: readMaxSeconds(raw),
  };
}
