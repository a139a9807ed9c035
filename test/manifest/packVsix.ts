import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers/repo';

/** A .vsix packed as `npm run package` packs it: its entries (`extension/dist/cli.js`, …), its size and its Details page as packed. */
export interface PackedVsix {
  files: string[];
  bytes: number;
  details: string;
}

/** The options of vsce's `pack()` that the package script's flags set. */
interface PackOptions {
  cwd: string;
  packagePath: string;
  dependencies?: boolean;
  allowMissingRepository?: boolean;
  rewriteRelativeLinks?: boolean;
  readmePath?: string;
}

/**
 * Reads the package script's `vsce package FLAGS…` as vsce's command line would, so the test
 * packs what the script packs. A flag not known here fails the test rather than being
 * dropped; `--out` gives way to the test's own file.
 */
function packOptions(script: string, packagePath: string): PackOptions {
  const [tool, command, ...flags] = script.split(/\s+/);
  if (tool !== 'vsce' || command !== 'package') throw new Error(`scripts.package is not \`vsce package …\`: ${script}`);
  const options: PackOptions = { cwd: repoPath(), packagePath };
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (flag === '--no-dependencies') options.dependencies = false;
    else if (flag === '--allow-missing-repository') options.allowMissingRepository = true;
    else if (flag === '--no-rewrite-relative-links') options.rewriteRelativeLinks = false;
    else if (flag === '--readme-path') options.readmePath = flags[++i];
    else if (flag === '--out') i++;
    else throw new Error(`scripts.package: the manifest test does not know how to pass ${flag} to vsce's pack()`);
  }
  return options;
}

/**
 * vsce's `pack()` runs in a child process: it is `vsce package` without the prepublish
 * build (the tests run on the dist/ that `npm test` built, and a rebuild would clean dist/
 * under the tests that spawn its bundles), and it prints the file tree, which stays out of
 * the test report. The child writes what it packed to a JSON file beside the .vsix.
 */
const packInChild = `
const { readFileSync, writeFileSync } = require('fs');
const { pack } = require(process.argv[1]);
const options = JSON.parse(process.argv[2]);
pack(options).then(({ files }) => {
  const readme = files.find((file) => file.path === 'extension/readme.md');
  const details = readme === undefined ? '' : readme.contents === undefined ? readFileSync(readme.localPath, 'utf8') : readme.contents.toString();
  writeFileSync(process.argv[3], JSON.stringify({ files: files.map((file) => file.path), details }));
});
`;

/** A `node SCRIPT ARGS…` step of the package script (the Details page's generator), run as npm would, from the checkout. */
function runNodeStep(step: string): void {
  const [tool, ...args] = step.split(/\s+/);
  if (tool !== 'node') throw new Error(`scripts.package: the manifest test runs only \`node …\` steps before vsce: ${step}`);
  const run = spawnSync(process.execPath, args, { cwd: repoPath(), encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`${step} failed (${run.status}): ${run.stderr}`);
}

/** Runs the package script's steps (`node …` steps, then `vsce package …`) but vsce's prepublish build. */
export function packVsix(script: string): PackedVsix {
  const steps = script.split('&&').map((step) => step.trim());
  const vscePackage = steps.pop() ?? '';
  steps.forEach(runNodeStep);
  const folder = mkdtempSync(path.join(tmpdir(), 'iommu-vsix-'));
  try {
    const vsix = path.join(folder, 'iommu-debugger.vsix');
    const listing = path.join(folder, 'packed.json');
    const vsce = repoPath('node_modules', '@vscode', 'vsce', 'out', 'package.js');
    const run = spawnSync(process.execPath, ['-e', packInChild, vsce, JSON.stringify(packOptions(vscePackage, vsix)), listing], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`vsce pack failed (${run.status}): ${run.stderr}`);
    const packed = JSON.parse(readFileSync(listing, 'utf8')) as Omit<PackedVsix, 'bytes'>;
    return { ...packed, bytes: statSync(vsix).size };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
