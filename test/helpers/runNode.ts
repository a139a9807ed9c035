import { spawnSync } from 'child_process';

export interface NodeRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node SCRIPT ARGS…` to completion and returns what it printed. */
export function runNode(script: string, args: readonly string[], cwd?: string): NodeRun {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', cwd, timeout: 60_000, maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
