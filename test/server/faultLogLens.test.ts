import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CodeLensRequest,
  CompletionRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  InlayHintRequest,
  SemanticTokensRequest,
} from 'vscode-languageserver-protocol/node';
import { readFaultLog } from '../../emulator/faultlog/readFaultLog';
import { reproduceReport } from '../../emulator/faultlog/reproduceReport';
import { explainLogRequest, reproduceFaultRequest } from '../../server/faultLogRequests';
import { dmesg, logUri } from './faultLogFixture';
import { OpenScenario } from './helpers';

let log: OpenScenario;

before(async () => {
  log = await OpenScenario.open(dmesg, 'log', logUri);
});

after(() => log.close());

const textDocument = { uri: logUri };

test('a log gets "Explain" and "Reproduce as scenario" on the first line of each report, with the URI and the report index', async () => {
  const lenses = await log.connection.sendRequest(CodeLensRequest.type, { textDocument });
  const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 0 } });
  assert.deepEqual(lenses, [
    { range: at(1), command: { title: 'Explain', command: 'iommu.explainFaultLog', arguments: [logUri, 0] } },
    { range: at(1), command: { title: 'Reproduce as scenario', command: 'iommu.reproduceFault', arguments: [logUri, 0] } },
    { range: at(2), command: { title: 'Explain', command: 'iommu.explainFaultLog', arguments: [logUri, 1] } },
    { range: at(2), command: { title: 'Reproduce as scenario', command: 'iommu.reproduceFault', arguments: [logUri, 1] } },
  ]);
});

test('a plain-text document is read as a log too', async () => {
  const plain = await OpenScenario.open(dmesg, 'plaintext', 'untitled:Untitled-1');
  try {
    const lenses = await plain.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: 'untitled:Untitled-1' } });
    assert.deepEqual(
      lenses?.map((l) => [l.range.start.line, l.command?.title]),
      [
        [1, 'Explain'],
        [1, 'Reproduce as scenario'],
        [2, 'Explain'],
        [2, 'Reproduce as scenario'],
      ],
    );
  } finally {
    plain.close();
  }
});

test('a log without a report has no lens', async () => {
  const quiet = await OpenScenario.open('[    1.000000] Booting Linux on physical CPU 0x0\n', 'log', logUri);
  try {
    assert.deepEqual(await quiet.connection.sendRequest(CodeLensRequest.type, { textDocument }), []);
  } finally {
    quiet.close();
  }
});

test('no scenario feature reads a log as a scenario: no diagnostics, completion, symbols, folding, tokens or hints', async () => {
  assert.deepEqual(log.diagnostics, []);
  assert.deepEqual(await log.connection.sendRequest(CompletionRequest.type, { textDocument, position: { line: 1, character: 20 } }), []);
  assert.deepEqual(await log.connection.sendRequest(DocumentSymbolRequest.type, { textDocument }), []);
  assert.deepEqual(await log.connection.sendRequest(FoldingRangeRequest.type, { textDocument }), []);
  assert.deepEqual(await log.connection.sendRequest(SemanticTokensRequest.type, { textDocument }), { data: [] });
  const range = { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } };
  assert.deepEqual(await log.connection.sendRequest(InlayHintRequest.type, { textDocument, range }), []);
});

test('iommu/explainLog answers the CLI explanation of every report and their count', async () => {
  const answer = await log.connection.sendRequest(explainLogRequest, { text: dmesg });
  assert.deepEqual(Object.keys(answer as object).sort(), ['reports', 'text']);
  const { text, reports } = answer as { text: string; reports: number };
  assert.equal(reports, 2);
  assert.ok(text.startsWith('report 1: arm-smmu 15000000.iommu (line 2)\n'), text);
  assert.ok(text.includes('\n  FSR = 0x402  TF=1 AFF=0 PF=0 EF=0 TLBMCF=0 TLBLKF=0 ASF=0 UUT=0 FORMAT=2 SS=0 MULTI=0\n'), text);
  assert.ok(text.includes('report 2: arm-smmu-v3 arm-smmu-v3.0.auto (lines 3-7)\n'), text);
});

test('iommu/reproduceFault answers the emulator\'s scenario for each report, and why not where there is none', async () => {
  const [context, event] = readFaultLog(dmesg);
  assert.ok(context && event);
  const scenario = await log.connection.sendRequest(reproduceFaultRequest, { text: dmesg, index: 0 });
  assert.deepEqual(scenario, reproduceReport(context));
  assert.ok('scenario' in (scenario as object));
  const acpi = await log.connection.sendRequest(reproduceFaultRequest, { text: dmesg, index: 1 });
  assert.deepEqual(acpi, reproduceReport(event));
  assert.match((acpi as { scenario: string }).scenario, /\n  device "arm-smmu-v3\.0\.auto" {3}\/\/ the device name, not a device-tree one/);
  const old = '[   16.363388] *** gpu fault: iova=0000000001047dc0 flags=0 (0,0,0,0)\n';
  const cannot = await log.connection.sendRequest(reproduceFaultRequest, { text: old, index: 0 });
  assert.match((cannot as { cannot: string }).cannot, /^the `iova=… flags=…` form is what drm\/msm prints when/);
});

test('iommu/reproduceFault on an index past the reports says there is none', async () => {
  assert.deepEqual(await log.connection.sendRequest(reproduceFaultRequest, { text: dmesg, index: 2 }), { cannot: 'there is no such SMMU fault report in the text' });
});

test('the fault-log requests answer InvalidParams to params that are not what they need', async () => {
  await assert.rejects(log.connection.sendRequest(explainLogRequest, { text: 3 }), { code: -32602, message: 'iommu/explainLog: text must be a string' });
  await assert.rejects(log.connection.sendRequest(reproduceFaultRequest, { text: dmesg, index: 'first' }), {
    code: -32602,
    message: 'iommu/reproduceFault: text must be a string and index an integer',
  });
});

test('an edit that adds a report gives it its lenses (the reports are read again for each document version)', async () => {
  const edited = await OpenScenario.open(dmesg, 'log', 'file:///work/edited.log');
  try {
    const uri = 'file:///work/edited.log';
    const before = await edited.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    assert.equal(before?.length, 4);
    await edited.change(`${dmesg}arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x00001000, fsynr=0x3, cbfrsynra=0x21, cb=0\n`);
    const after = await edited.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    const last = dmesg.split('\n').length - 1;
    assert.deepEqual(after?.slice(4), [
      { range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, command: { title: 'Explain', command: 'iommu.explainFaultLog', arguments: [uri, 2] } },
      { range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, command: { title: 'Reproduce as scenario', command: 'iommu.reproduceFault', arguments: [uri, 2] } },
    ]);
  } finally {
    edited.close();
  }
});
