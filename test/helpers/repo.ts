import * as path from 'path';

/** The checkout's root: compiled tests run from `out/test/<area>/`. */
export const repoRoot = path.resolve(__dirname, '../../..');

export function repoPath(...segments: string[]): string {
  return path.join(repoRoot, ...segments);
}

/** A bundle webpack wrote (`npm test` builds them first). */
export function distPath(bundle: 'extension' | 'server' | 'debug-adapter' | 'cli'): string {
  return repoPath('dist', `${bundle}.js`);
}
