// `npm run test:integration`: the mocha integration suite in desktop VS Code, which
// @vscode/test-electron downloads (so this needs the internet; offline, `npm run test:e2e`
// runs the same suite in code-server). IOMMU_VSCODE_VERSION picks the version (default:
// stable); IOMMU_VSCODE_EXECUTABLE uses an installed VS Code instead of downloading one.
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoPath, repoRoot } from '../helpers/repo';

async function main(): Promise<number> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'iommu-integration-'));
  try {
    const workspace = path.join(root, 'workspace');
    const userDataDir = path.join(root, 'user-data');
    cpSync(repoPath('examples'), workspace, { recursive: true });
    mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    cpSync(repoPath('scripts', 'vscode-web-settings.json'), path.join(userDataDir, 'User', 'settings.json'));

    const executable = process.env['IOMMU_VSCODE_EXECUTABLE'];
    return await runTests({
      ...(executable ? { vscodeExecutablePath: executable } : { version: process.env['IOMMU_VSCODE_VERSION'] ?? 'stable' }),
      cachePath: repoPath('.cache', 'vscode-test'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: repoPath('out', 'test', 'integration', 'index.js'),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${path.join(root, 'extensions')}`,
      ],
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A failing suite makes VS Code exit non-zero (mocha's report is above); anything else did not let it run.
    if (!(error instanceof TestRunFailedError)) console.error('the integration tests did not run:', error);
    process.exit(1);
  },
);
