import { IommuDebugSession } from './session';
import { readScenarioFromDisk } from './scenarioReader';

// Standalone adapter: DAP on stdin/stdout (`node dist/debug-adapter.js`).
const session = new IommuDebugSession(readScenarioFromDisk);
process.on('SIGTERM', () => session.shutdown());
session.start(process.stdin, process.stdout);
