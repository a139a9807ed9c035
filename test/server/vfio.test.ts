import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DiagnosticSeverity, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';

/* The language server on vfio containers: where each master lands, said on its name and on hover. */

const example = readFileSync(repoPath('examples', 'vfio-fallback-v2.iommu'), 'utf8');
const STALL_REFUSED = "new domain passthrough#2: domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall'; passthrough#2 does not stall";
let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(example);
});

after(() => doc.close());

async function hoverText(needle: string, delta: number): Promise<{ text: string; range: unknown }> {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, delta) });
  assert.ok(hover, `no hover on '${needle}'`);
  return { text: (hover.contents as MarkupContent).value, range: hover.range };
}

/** The range of a master's name in the container's `masters` list. */
function listed(master: string) {
  const list = 'masters nic0 nic1 nic2';
  const start = doc.position(list, list.indexOf(master));
  return { start, end: { line: start.line, character: start.character + master.length } };
}

test('information on each master in the list: where it lands and why, in the words of the trace', async () => {
  await doc.change(example);
  const placements = doc.diagnostics.filter((d) => d.code === 'vfio-placement');
  assert.deepEqual(placements, [
    { range: listed('nic0'), severity: DiagnosticSeverity.Information, code: 'vfio-placement', source: 'iommu', message: 'attached to passthrough' },
    { range: listed('nic1'), severity: DiagnosticSeverity.Information, code: 'vfio-placement', source: 'iommu', message: STALL_REFUSED },
    { range: listed('nic2'), severity: DiagnosticSeverity.Information, code: 'vfio-placement', source: 'iommu', message: 'attached to passthrough' },
  ]);
});

test('a master left without a domain is a warning, on its name', async () => {
  const published = await doc.change(example.replace('context-banks 2', 'context-banks 1'));
  const [unattached, ...others] = published.diagnostics.filter((d) => d.code === 'vfio-unattached');
  assert.deepEqual(others, []);
  assert.deepEqual(unattached, {
    range: listed('nic1'),
    severity: DiagnosticSeverity.Warning,
    code: 'vfio-unattached',
    source: 'iommu',
    message:
      "unattached: domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall', and a new domain cannot be attached either: smmu 'apps' has 1 context bank and this would be domain number 2",
  });
  await doc.change(example);
});

test("hover on the container's name: its masters, the domains it made and every placement", async () => {
  const { text, range } = await hoverText('vfio passthrough', 5);
  assert.deepEqual(range, { start: doc.position('vfio passthrough', 5), end: doc.position('vfio passthrough', 16) });
  assert.equal(
    text,
    [
      '**vfio passthrough**',
      '',
      'a VFIO container for nic0, nic1, nic2',
      '',
      'domains: passthrough (faults stall), passthrough#2 (faults terminate)',
      '',
      '- nic0: attached to passthrough',
      `- nic1: ${STALL_REFUSED}`,
      '- nic2: attached to passthrough',
    ].join('\n'),
  );
});

test('hover on a master in the list (and anywhere it is named): its placement', async () => {
  const inList = await hoverText('masters nic0 nic1 nic2', 'masters nic0 '.length);
  assert.deepEqual(inList.range, listed('nic1'));
  assert.equal(inList.text, ['**master nic1**', '', 'streams 0x11', '', `in vfio passthrough: ${STALL_REFUSED}`].join('\n'));
  assert.equal((await hoverText('master nic1', 7)).text, inList.text);
});

test("a transaction of a container's master walks the domain it landed in", async () => {
  const { text } = await hoverText('0x0300_0000 64 as nic1_bad', 2);
  const lines = text.split('\n');
  // passthrough#2 does not stall: the run terminates the read (CFCFG=0).
  assert.equal(lines[0], '**In the run**: translation fault at level 2: L2[24] is invalid; aborted (translation fault, CFCFG=0: terminated)');
  assert.equal(lines[2], 'read `0x0300_0000` from nic1.dma: stream 0x11 → master nic1 → domain passthrough#2');
  assert.equal(lines[6], '**translation fault at level 2**: L2[24] is invalid');
  const predicted = doc.diagnostics.filter((d) => d.code === 'predicted-fault').map((d) => [doc.textAt(d.range), d.message]);
  assert.deepEqual(predicted, [
    ['0x0200_0000', 'will fault: translation fault at level 2: L2[16] is invalid; stalls; answered terminate: aborted (RESUME terminate)'],
    ['0x0300_0000', 'will fault: translation fault at level 2: L2[24] is invalid; aborted (translation fault, CFCFG=0: terminated)'],
  ]);
});
