import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { Machine } from '../../emulator/machine/machine';
import { compileScenario } from '../../emulator/scenario/compile';
import { hex64 } from '../../emulator/util/u64';
import { repoPath } from '../helpers/repo';
import { OpenScenario, scenarioUri } from './helpers';
import { v3StateOf } from '../../emulator/smmu/smmuState';

/*
 * Hovers on what Linux writes for an SMMUv3 (server/hoverV3.ts): STEs, CDs, the SMMU's ID
 * registers and queues, PASID bindings. The words are read back from a booted machine.
 */

const example = (name: string): string => readFileSync(repoPath('examples', name), 'utf8');
const stalls = example('smmuv3-stalls-out-of-order.iommu');
const sva = example('sva-pri-page-requests.iommu');
const overflow = example('smmuv3-eventq-overflow.iommu');

let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(stalls);
});

after(() => doc.close());

async function hoverOn(text: string, needle: string, delta = 0, occurrence = 0): Promise<{ value: string; range: unknown }> {
  if (doc.text !== text) await doc.change(text);
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, delta, occurrence) });
  assert.ok(hover, `no hover on '${needle}'`);
  return { value: (hover.contents as MarkupContent).value, range: hover.range };
}

/** The range of `needle` at the start of the first `context`. */
function rangeAt(needle: string, context: string) {
  return { start: doc.position(context), end: doc.position(context, needle.length) };
}

const STE_HEAD = ['| field | bits | value | meaning |', '|---|---|---|---|'];

/** The CD of gpu_dom in the stall example, as Linux writes it: S=1, R=1, A=1, ASID 1, TTB0 0x40000000. */
const STALL_CD = [
  '```',
  '0x0001f202c0003510 0x0000000040000000 0x0000000000000000 0x00000000f404ff44',
  '0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000',
  '```',
  '',
  ...STE_HEAD,
  '| V | 31 | 0x1 | valid |',
  '| T0SZ | [5:0] | 0x10 | 48-bit input range through TTB0 |',
  '| TG0 | [7:6] | 0x0 | 4 KB granule |',
  '| IPS | [34:32] | 0x2 | 40-bit output (capped at SMMU_IDR5.OAS) |',
  '| S | 44 | 0x1 | stall: a faulting transaction waits for CMD_RESUME (always recorded) |',
  '| R | 45 | 0x1 | ignored while S = 1 (stalls are always recorded) |',
  '| A | 46 | 0x1 | terminated transactions abort (bus error to the device) |',
  '| ASID | [63:48] | 0x1 | ASID 1 |',
  '| TTB0 | [119:68] | 0x4000000 | translation table at 0x40000000 |',
];

describe('SMMUv3 hovers', () => {
  test("a master's name: its summary, then the STE Linux writes for its stream, 8 dwords and the fields that matter", async () => {
    const hover = await hoverOn(stalls, 'gpu {', 1);
    assert.deepEqual(hover.range, rangeAt('gpu', 'gpu {'));
    assert.equal(
      hover.value,
      [
        '**master gpu**',
        '',
        'streams 0x10',
        '',
        'attached to gpu_dom; can-stall',
        '',
        '**STE of stream 0x10** at `0x40005400` (dw0–dw7):',
        '',
        '```',
        '0x000000004000600b 0x0000000000000002 0x0000000000000000 0x0000000000000000',
        '0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000',
        '```',
        '',
        ...STE_HEAD,
        '| V | 0 | 0x1 | valid |',
        '| Config | [3:1] | 0x5 | stage 1 translates, stage 2 bypassed |',
        '| S1ContextPtr | [55:6] | 0x1000180 | CD at 0x40006000 |',
        '| S1CDMax | [63:59] | 0x0 | one CD: substreams disabled, a transaction with an SSID records C_BAD_SUBSTREAMID |',
        '| S1DSS | [65:64] | 0x2 | ignored (substreams disabled) |',
        '| S1STALLD | 91 | 0x0 | stalls allowed: CD.S chooses |',
        '| EATS | [93:92] | 0x0 | ATS off: Translation Requests get UR and record F_BAD_ATS_TREQ |',
        '',
        'CD table: CD 0 → domain gpu_dom (ASID 1)',
      ].join('\n'),
    );
  });

  test('the dwords are the ones the emulator itself wrote: a machine built from the scenario reads the same at that address', async () => {
    const model = compileScenario(stalls).model;
    assert.ok(model);
    const machine = new Machine(model);
    const entry = v3StateOf(machine.state, 0)?.streams[0];
    assert.ok(entry);
    assert.equal(entry.ste, 0x4000_5400);
    const words = Array.from({ length: 8 }, (_, i) => hex64(machine.runtime.memory.readU64(entry.ste + 8 * i)));
    const { value } = await hoverOn(stalls, 'gpu {', 1);
    assert.ok(value.includes(`${words.slice(0, 4).join(' ')}\n${words.slice(4).join(' ')}`));
  });

  test("a master's `stream` line: that stream's STE; a PRI master that cannot stall gets EATS=1 and S1STALLD=1, a PASID binding S1CDMax=ssid-bits", async () => {
    const hover = await hoverOn(sva, 'stream 0x100', 3);
    assert.deepEqual(hover.range, doc.range('stream 0x100'));
    const lines = hover.value.split('\n');
    assert.equal(lines[0], '**STE of stream 0x100** at `0x40006000` (dw0–dw7):');
    assert.deepEqual(lines.slice(2, 6), ['```', '0x400000004000800b 0x0000000018000002 0x0000000000000000 0x0000000000000000', '0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000', '```']);
    assert.ok(lines.includes('| S1CDMax | [63:59] | 0x8 | 256 CDs: SSIDs 0–255 |'));
    assert.ok(lines.includes('| S1DSS | [65:64] | 0x2 | ssid0: traffic without an SSID uses CD 0; SSID 0 itself is refused (F_STREAM_DISABLED) |'));
    assert.ok(lines.includes('| S1STALLD | 91 | 0x1 | stalls disallowed: stage 1 faults terminate |'));
    assert.ok(lines.includes('| EATS | [93:92] | 0x1 | full ATS: Translation Requests are translated by every enabled stage |'));
    assert.equal(lines.at(-1), 'CD table: CD 0 → domain dev_dom (ASID 1), CD 5 → domain app_mm (ASID 2)');
  });

  test("a domain's name (where declared, and after `on`): its summary, then its CD decoded", async () => {
    const expected = [
      '**domain gpu_dom**',
      '',
      'on smmu smmu0: ias 48 (4 levels from L0), oas 40',
      '',
      'faults stall for the masters that stall (CD.S = master->stall_enabled), else terminate; terminated transactions abort',
      '',
      '1 map: 0x0100_0000 → 0x8000_0000 (0x100000)',
      '',
      '**CD of domain gpu_dom** (ASID 1), written as CD 0 of stream 0x10 (master gpu) at `0x40006000` (dw0–dw7):',
      '',
      ...STALL_CD,
    ].join('\n');
    assert.equal((await hoverOn(stalls, 'gpu_dom {', 1)).value, expected);
    const onHandler = await hoverOn(stalls, 'on gpu_dom', 4);
    assert.equal(onHandler.value, expected);
    assert.deepEqual(onHandler.range, doc.range('gpu_dom', 2));
  });

  test("a domain's `fault`, `report` and `record`: the CD bit each sets, then the CD", async () => {
    // A `fault` line in an SMMUv3 domain is ignored (Linux has none): the CD bit is the master's.
    const written = stalls.replace('  // no `fault` line: Linux writes CD.S = 1 because the master stalls (can-stall)', '  fault stall              // CD.S = 1');
    const fault = await hoverOn(written, 'fault stall', 8);
    assert.deepEqual(fault.range, rangeAt('stall', 'stall              // CD.S = 1'));
    assert.equal(
      fault.value,
      [
        "**fault** — What a faulting transaction does: SCTLR.CFCFG (bit 7) on SMMUv2. Ignored on SMMUv3, where Linux writes CD.S (bit 44) from each master's stall_enabled.",
        '',
        'CD.S (bit 44) = 1: stall: a faulting transaction waits for CMD_RESUME (always recorded)',
        '',
        '**CD of domain gpu_dom** (ASID 1), written as CD 0 of stream 0x10 (master gpu) at `0x40006000` (dw0–dw7):',
        '',
        ...STALL_CD,
      ].join('\n'),
    );
    assert.equal((await hoverOn(stalls, 'report abort', 1)).value.split('\n')[2], 'CD.A (bit 46) = 1: terminated transactions abort (bus error to the device)');
    const record = (await hoverOn(overflow, 'record on', 1)).value.split('\n');
    assert.equal(record[0], '**record** — CD.R, bit 45: record faults of terminated transactions in the event queue.');
    assert.equal(record[2], 'CD.R (bit 45) = 1: record faults in the event queue');
    assert.ok(record.includes('| S | 44 | 0x0 | terminate: a faulting transaction ends at once |'));
  });

  test('an SMMUv3: IDR0.STALL_MODEL, IDR1.SSIDSIZE and the queues Linux allocates, with their LOG2SIZE', async () => {
    const hover = await hoverOn(overflow, 'smmu0', 1);
    assert.equal(
      hover.value,
      [
        '**smmu smmu0**',
        '',
        'SMMUv3: STALL_MODEL stall, event queue 4 entries, PRI queue 16, 8 SubstreamID bits',
        '',
        '| register | value | meaning |',
        '|---|---|---|',
        '| SMMU_IDR0.STALL_MODEL [25:24] | 0b00 | stall and terminate models supported: CD.S chooses per context |',
        '| SMMU_IDR1.SSIDSIZE [10:6] | 8 | PASIDs 0–255 (SubstreamID 8 bits) |',
        '| SMMU_EVENTQ_BASE.LOG2SIZE | 2 | 4 event records of 32 bytes at `0x40007000` |',
        '| SMMU_PRIQ_BASE.LOG2SIZE | 4 | 16 page requests of 16 bytes at `0x40008000` |',
        '| SMMU_CMDQ_BASE.LOG2SIZE | 8 | 256 commands of 16 bytes at `0x40009000` |',
        '| SMMU_STRTAB_BASE_CFG.LOG2SIZE | 6 | 2-level stream table at `0x40004000` for StreamIDs 0–0x3f |',
      ].join('\n'),
    );
    const forced = await hoverOn(overflow.replace('eventq 4', 'eventq 4; stall-model no-stall; ssid-bits 0'), 'smmu0', 1);
    assert.ok(forced.value.includes('| SMMU_IDR0.STALL_MODEL [25:24] | 0b01 | no stalls: CD.S must be 0; CMD_RESUME and CMD_STALL_TERM are illegal |'));
    assert.ok(forced.value.includes('| SMMU_IDR1.SSIDSIZE [10:6] | 0 | no SubstreamIDs: PASIDs unsupported |'));
  });

  test('`pasid N -> DOMAIN`: CD index N of the master\'s CD table, its ASID, and the CD', async () => {
    const hover = await hoverOn(sva, 'pasid 5 -> app_mm', 2);
    assert.deepEqual(hover.range, doc.range('pasid 5 -> app_mm'));
    assert.equal(
      hover.value,
      [
        '**pasid 5 → domain app_mm** on master nic',
        '',
        'SubstreamID 5 selects CD 5 of stream 0x100 (master nic): ASID 2, at `0x40008140` (dw0–dw7):',
        '',
        '```',
        '0x0002e202c0003510 0x0000000040004000 0x0000000000000000 0x00000000f404ff44',
        '0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000',
        '```',
        '',
        ...STE_HEAD,
        '| V | 31 | 0x1 | valid |',
        '| T0SZ | [5:0] | 0x10 | 48-bit input range through TTB0 |',
        '| TG0 | [7:6] | 0x0 | 4 KB granule |',
        '| IPS | [34:32] | 0x2 | 40-bit output (capped at SMMU_IDR5.OAS) |',
        '| S | 44 | 0x0 | terminate: a faulting transaction ends at once |',
        '| R | 45 | 0x1 | record faults in the event queue |',
        '| A | 46 | 0x1 | terminated transactions abort (bus error to the device) |',
        '| ASID | [63:48] | 0x2 | ASID 2 |',
        '| TTB0 | [119:68] | 0x4000400 | translation table at 0x40004000 |',
      ].join('\n'),
    );
  });

  test("the domain's name in a binding: the domain's hover, with every place its CD is written", async () => {
    const hover = await hoverOn(sva, 'pasid 5 -> app_mm', 12);
    assert.deepEqual(hover.range, rangeAt('app_mm', 'app_mm }'));
    assert.equal(hover.value.split('\n')[0], '**domain app_mm**');
    assert.ok(hover.value.includes('**CD of domain app_mm** (ASID 2), written as CD 5 of stream 0x100 (master nic) at `0x40008140` (dw0–dw7):'));
  });

  test('a master attached to no domain: the abort STE, and no CD for its PASID binding', async () => {
    const text = sva.replace('domain dev_dom; pri;', 'pri;');
    const ste = (await hoverOn(text, 'nic {', 1)).value.split('\n');
    assert.ok(ste.includes('| Config | [3:1] | 0x0 | abort: traffic is terminated, no event recorded |'));
    assert.equal((await hoverOn(text, 'pasid 5 -> app_mm', 2)).value, '**pasid 5 → domain app_mm** on master nic\n\nMaster nic is attached to no domain: its STE aborts every transaction, and Linux writes no CD for PASID 5.');
    assert.equal((await hoverOn(text, 'app_mm {', 1)).value.split('\n').at(-1), 'No stream uses domain app_mm: Linux writes no CD for it.');
  });

  test('a scenario with errors does not boot: the hover says so instead of showing words', async () => {
    const text = stalls.replace('map 0x0100_0000 -> 0x8000_0000 size 1M rw', 'map 0x0100_0001 -> 0x8000_0000 size 1M rw');
    assert.equal((await hoverOn(text, 'gpu {', 1)).value.split('\n').at(-1), '_What Linux writes for the SMMUv3 is shown once the scenario has no errors._');
    assert.equal((await hoverOn(text, 'stream 0x10', 2)).value, '**stream 0x10** of master gpu\n\n_What Linux writes for the SMMUv3 is shown once the scenario has no errors._');
  });

  test("a master's summary says where the attach rules put it and what Linux's stall_enabled makes of its can-stall", async () => {
    const summary = async (text: string): Promise<string> => (await hoverOn(text, 'm {', 1)).value.split('\n')[4] ?? '';
    const forced = 'smmu s { version v3; stall-model force-stall }\ndomain d { fault stall }\nmaster m { stream 0x1; domain d }\n';
    assert.equal(await summary(forced), "attached to d; stalls on faults: smmu 's' has STALL_MODEL force-stall");
    const quiet = 'smmu s { version v3; stall-model no-stall }\ndomain d { fault stall }\nmaster m { stream 0x1; domain d; can-stall }\n';
    assert.equal(
      await summary(quiet),
      "attached to d; can-stall, ignored: smmu 's' has STALL_MODEL no-stall",
    );
    const v2 = 'smmu s { version v2 }\ndomain d { fault stall }\nmaster m { stream 0x1; domain d }\n';
    assert.equal(await summary(v2), "not attached: iommu_attach_device failed: domain 'd' stalls on faults but master 'm' is not 'can-stall'");
  });

  test('an SMMUv2 master keeps the plain summary', async () => {
    const v2 = example('a530-fault-no-stall.iommu');
    assert.equal((await hoverOn(v2, 'gpu {', 1)).value, ['**master gpu**', '', 'streams 0x0', '', 'attached to gpu_dom'].join('\n'));
  });
});
