// The entry VS Code calls in the extension host (`extensionTestsPath`): runs every compiled
// `*.itest.js` of this folder with mocha. The same file serves @vscode/test-electron
// (runElectron.ts) and code-server's payload harness (test/e2e/integration.test.ts).
// These suites need the `vscode` module, so node's test runner (`npm test`) never loads them:
// it takes only `*.test.js` files. IOMMU_INTEGRATION_GREP=TEXT runs only the tests whose
// titles contain TEXT (the extension host inherits the environment in both harnesses).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/** The first line of the report, before mocha's own. */
export const reportHeader = 'IOMMU integration suites:';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env['IOMMU_INTEGRATION_GREP'];
  if (grep) mocha.grep(grep);
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.itest.js'))
    .sort();
  if (files.length === 0) throw new Error(`no compiled integration suites (*.itest.js) in ${__dirname}`);
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  // The harness in code-server mixes this console with the workbench's log: this line marks where the report starts.
  console.log(`${reportHeader} ${files.join(', ')}`);

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (error) {
      reject(error);
    }
  });
  if (failures > 0) throw new Error(`${failures} integration test${failures === 1 ? '' : 's'} failed`);
}
