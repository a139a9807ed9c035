import { readFile } from 'fs/promises';

/**
 * How the session gets a scenario's text. Injected so that the inline adapter can be
 * handed the editor's buffer while the standalone one reads the disk.
 */
export type ScenarioReader = (path: string) => Promise<string>;

export const readScenarioFromDisk: ScenarioReader = (path) => readFile(path, 'utf8');
