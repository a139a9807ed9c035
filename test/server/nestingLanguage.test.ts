import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { Analysis } from '../../server/analysis';
import { completion } from '../../server/completion';
import { documentSymbols } from '../../server/documentSymbols';
import { OpenScenario, scenarioUri } from './helpers';

/**
 * The language server on the contract's guest scenario (translation-regimes.md, "A guest owns
 * the device"): the diagnostics it publishes, hover on each new word, and completion of the
 * stage-2 domains after `nested` / `stage2` and of the vms after `vm`.
 */

const text = `smmu s { version v3 }
domain vm_s2 { stage 2; ias 40; oas 44; vmid 3; map 0x4000_0000 -> 0x8_0000_0000 size 1G rw }
domain plain { map 0x0 -> 0x9000_0000 size 4K rw }
vm guest0 { stage2 vm_s2; fault-queue on; veventq 128 }
domain guest_s1 { nested vm_s2; cd at 0x8000_0000; tables at 0x4000_2000; vm guest0; map 0x1000 -> 0x4000_1000 size 64K rw }
master nic { stream 0x20; domain guest_s1; can-stall }
`;

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(text);
});

after(() => doc.close());

async function hoverText(needle: string, delta = 0, occurrence = 0): Promise<string> {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, delta, occurrence) });
  assert.ok(hover, `no hover on '${needle}'`);
  return (hover.contents as MarkupContent).value;
}

test('the published diagnostics: the CD outside the stage-2 maps is a predicted CLASS=CD fault (a warning)', () => {
  assert.deepEqual(
    doc.diagnostics.map((d) => [d.severity, d.code, d.message, d.range]),
    [[2, 'predicted-stage2-fault', "predicted stage-2 fault, CLASS=CD at IPA 0x80000000: no map of domain 'vm_s2' covers the CD of domain 'guest_s1'", doc.range('0x8000_0000')]],
  );
});

test('hover on the new settings says what the hardware and the kernel make of them', async () => {
  for (const [needle, words] of [
    ['stage 2', ['ARM_64_LPAE_S2', 'S2AP', 'VTCR', 'STE.Config=0b110']],
    ['vmid 3', ['CBAR.VMID', 'STE.S2VMID', 'cbndx + 1', 'ida_alloc_range']],
    ['nested vm_s2', ['STE.Config=0b111', 'IOMMU_HWPT_ALLOC', 'CLASS=TT']],
    ['cd at', ['S1ContextPtr', 'CLASS=CD']],
    ['tables at', ['CD.TTB0']],
    ['vm guest0;', ['iommufd']],
    ['stage2 vm_s2', ['IOMMU_HWPT_ALLOC_NEST_PARENT']],
    ['fault-queue on', ['IOMMU_FAULT_QUEUE_ALLOC', 'iommu_hwpt_pgfault', 'iommu_hwpt_page_response']],
    ['veventq 128', ['IOMMU_VEVENTQ_ALLOC', 'veventq_depth', 'LOST_EVENTS']],
  ] as const) {
    const hover = await hoverText(needle, 1);
    for (const word of words) assert.ok(hover.includes(word), `hover on '${needle}' lacks '${word}':\n${hover}`);
  }
});

test("hover on 'vm' as a declaration keyword, on 'at', and on a vm's name", async () => {
  assert.ok((await hoverText('vm guest0 {', 0)).includes('IOMMU_FAULT_QUEUE_ALLOC'));
  assert.ok((await hoverText('at 0x4000_2000', 0)).includes('IPA space'));
  assert.equal(
    await hoverText('guest0', 1, 1),
    ['**vm guest0**', '', 'IPA space: stage-2 domain vm_s2', '', 'a fault queue (IOMMU_FAULT_QUEUE_ALLOC): recoverable stage-1 faults of its nested domains go to the VMM; vEVENTQ of 128 events'].join('\n'),
  );
});

/** Completion labels where `▮` stands. */
function labels(source: string): string[] {
  const offset = source.indexOf('▮');
  const analysis = new Analysis(scenarioUri, 1, source.slice(0, offset) + source.slice(offset + 1));
  return completion(analysis, analysis.lines.positionAt(offset)).map((item) => item.label).sort();
}

test("completion: 'nested' and 'stage2' offer the stage-2 domains only, 'vm' the vms", () => {
  const base = `smmu s { version v3 }
domain vm_s2 { stage 2 }
domain other_s2 { stage 2 }
domain plain { }
vm guest0 { stage2 vm_s2 }
`;
  assert.deepEqual(labels(`${base}domain g { nested ▮ }\n`), ['other_s2', 'vm_s2']);
  assert.deepEqual(labels(`${base}vm g1 { stage2 ▮ }\n`), ['other_s2', 'vm_s2']);
  assert.deepEqual(labels(`${base}domain g { nested vm_s2; vm ▮ }\n`), ['guest0']);
  assert.deepEqual(labels(`${base}domain g { nested vm_s2; cd ▮ }\n`), ['at']);
  assert.deepEqual(labels(`${base}vm g1 {\n  ▮\n}\n`), ['fault-queue', 'stage2', 'veventq']);
  assert.deepEqual(labels(`${base}vm g1 { fault-queue ▮ }\n`), ['off', 'on']);
});

test("hover on a domain's name: a stage-2 domain's VMID, a nested domain's stage 2 and guest placement", async () => {
  const s2 = (await hoverText('vm_s2', 1, 0)).split('\n\n');
  assert.ok(s2.includes('stage 2 (IPA → PA): VMID 3'), s2.join('\n'));
  const guest = (await hoverText('guest_s1', 1, 0)).split('\n\n');
  assert.ok(guest.includes("nested on vm_s2 (STE.Config=0b111): the guest's CD at IPA 0x80000000, its top-level table at IPA 0x40002000"), guest.join('\n'));
});

test('document symbols: the stage-2 domain, the vm and the nested domain say what they are', () => {
  const analysis = new Analysis(scenarioUri, 1, text);
  assert.deepEqual(
    documentSymbols(analysis).map((symbol) => [symbol.name, symbol.detail]),
    [
      ['s', 'v3'],
      ['vm_s2', 'stage 2, fault terminate, 1 map'],
      ['plain', 'fault terminate, 1 map'],
      ['guest0', 'stage2 vm_s2, fault-queue on, veventq 128'],
      ['guest_s1', 'nested on vm_s2, fault terminate, 1 map'],
      ['nic', 'stream 0x20, domain guest_s1, can-stall'],
    ],
  );
});
