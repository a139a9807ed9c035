import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArmSmmuV3Event, reproduceArmSmmuV3Event } from '../../../../emulator/faultlog/reproduce/armSmmuV3Event';
import { encodeEvent, EventRecord } from '../../../../emulator/smmu/v3/eventRecord';
import { failedExpects, runReproduction, scenarioOf } from './oracle';

/**
 * `reproduce` for arm-smmu-v3's event dump: the scenario's run must print the same
 * `event 0x%02x received:` header and the same four `\t0x%016llx` dwords, one after another,
 * with every expect holding. The dwords are made with the emulator's own encoder.
 */

const fault = (r: Partial<EventRecord> & Pick<EventRecord, 'id'>): EventRecord => ({
  sid: 0x10,
  ssv: false,
  ssid: 0,
  stag: 0,
  stall: false,
  pnu: false,
  ind: false,
  rnw: true,
  s2: false,
  class: 2,
  inputAddr: 0x7000_0000n,
  ...r,
});

const dev = '15000000.iommu';
const ev = (r: EventRecord, device = dev, kernel?: string): ArmSmmuV3Event => ({ device, dwords: encodeEvent(r) as [bigint, bigint, bigint, bigint], ...(kernel ? { kernel } : {}) });

/** The dump as arm_smmu_evtq_thread prints it: the header, then each dword as `\t0x%016llx`. */
function dump(e: ArmSmmuV3Event): string[] {
  const prefix = `arm-smmu-v3 ${e.device}: `;
  const id = Number(e.dwords[0] & 0xffn);
  return [`${prefix}event 0x${id.toString(16).padStart(2, '0')} received:`, ...e.dwords.map((d) => `${prefix}\t0x${d.toString(16).padStart(16, '0')}`)];
}

const cases: [string, ArmSmmuV3Event][] = [
  ['F_TRANSLATION, read, terminated', ev(fault({ id: 'F_TRANSLATION' }))],
  ['F_TRANSLATION, write above 4G, SID 0x4242', ev(fault({ id: 'F_TRANSLATION', sid: 0x4242, rnw: false, inputAddr: 0xd6550_4710n }))],
  ['F_TRANSLATION beyond the input range, privileged', ev(fault({ id: 'F_TRANSLATION', pnu: true, inputAddr: 0xffff_8000_0000_1000n }))],
  ['F_TRANSLATION, stalled, STAG 0', ev(fault({ id: 'F_TRANSLATION', stall: true }))],
  ['F_TRANSLATION, stalled, STAG 3', ev(fault({ id: 'F_TRANSLATION', stall: true, stag: 3, rnw: false }))],
  ['F_TRANSLATION with a SubstreamID', ev(fault({ id: 'F_TRANSLATION', ssv: true, ssid: 5, sid: 0x21 }))],
  ['F_PERMISSION, write to a read-only page', ev(fault({ id: 'F_PERMISSION', rnw: false, inputAddr: 0x1_0000_1008n }))],
  ['F_PERMISSION, unprivileged read of a privileged page', ev(fault({ id: 'F_PERMISSION', inputAddr: 0x2000n }), '16000000.iommu')],
  ['F_PERMISSION, instruction fetch, SSID 0x3ff', ev(fault({ id: 'F_PERMISSION', ind: true, ssv: true, ssid: 0x3ff }))],
  ['F_PERMISSION, stalled privileged write', ev(fault({ id: 'F_PERMISSION', rnw: false, pnu: true, stall: true }))],
  ['F_ACCESS, read', ev(fault({ id: 'F_ACCESS', inputAddr: 0x5000_0010n }))],
  ['F_ACCESS, write on 6.6', ev(fault({ id: 'F_ACCESS', rnw: false }), dev, '6.6')],
  ['C_BAD_SUBSTREAMID, SSID 3', ev(fault({ id: 'C_BAD_SUBSTREAMID', ssid: 3 }))],
  ['C_BAD_SUBSTREAMID, SSID 0', ev(fault({ id: 'C_BAD_SUBSTREAMID', ssid: 0, sid: 0x99 }))],
  ['C_BAD_CD, SSID 6', ev(fault({ id: 'C_BAD_CD', ssv: true, ssid: 6 }))],
  ['C_BAD_CD, SSID 1, a 20-bit one on 5.15', ev(fault({ id: 'C_BAD_CD', ssv: true, ssid: 0xf_ffff }), dev, '5.15')],
  ['F_STREAM_DISABLED', ev(fault({ id: 'F_STREAM_DISABLED', sid: 0x30 }))],
];

for (const [name, event] of cases) {
  test(`reproduce arm-smmu-v3: ${name}`, () => {
    const scenario = scenarioOf(reproduceArmSmmuV3Event(event));
    const { lines, result } = runReproduction(scenario);
    const expected = dump(event);
    const at = lines.findIndex((_, i) => expected.every((e, k) => lines[i + k] === e));
    assert.ok(at >= 0, `the run did not print\n  ${expected.join('\n  ')}\nit printed\n  ${lines.join('\n  ')}\n${scenario}`);
    assert.deepEqual(failedExpects(result), [], scenario);
  });
}

const cannot: [string, ArmSmmuV3Event, string][] = [
  ['C_BAD_STREAMID', ev(fault({ id: 'C_BAD_STREAMID' })), 'C_BAD_STREAMID: the emulated stream table covers every StreamID a master can have (32 bits), so none is out of its range'],
  ['C_BAD_STE', ev(fault({ id: 'C_BAD_STE' })), 'C_BAD_STE: Linux writes a valid, legal STE for every master it probes, and the language cannot write one by hand'],
  ['F_ADDR_SIZE', ev(fault({ id: 'F_ADDR_SIZE' })), 'F_ADDR_SIZE: it needs a table or leaf address beyond the OAS, which no `map` writes (io-pgtable refuses such a PA)'],
  ['a stage-2 fault', ev(fault({ id: 'F_TRANSLATION', s2: true })), 'F_TRANSLATION with S2=1: a stage-2 fault, and the emulated SMMUv3 has no stage 2'],
  ['CLASS TT', ev(fault({ id: 'F_PERMISSION', class: 1 })), "F_PERMISSION with CLASS=1: the emulator's faults are on the input address (CLASS=IN); it never faults fetching a CD or a table descriptor"],
  ['an IPA in dword 3', { device: dev, dwords: [0x10n | (0x10n << 32n), 0x0000_0208_0000_0000n, 0x7000_0000n, 0x4000_0000n] }, "dword 3 has bits the emulator never writes in F_TRANSLATION (0x40000000; it would write 0x0): RES0 bits, or dword 3's IPA of a stage-2 fault"],
  ['an architected event the emulator never raises', { device: dev, dwords: [0x0bn, 0n, 0n, 0n] }, 'event 0x0b received: F_WALK_EABT: external abort during a table walk, an event the emulator never raises'],
  ['a reserved event ID', { device: dev, dwords: [0x0cn, 0n, 0n, 0n] }, 'event 0x0c received: an event ID the emulator never records'],
  ['STAG without a stall', ev(fault({ id: 'F_TRANSLATION', stag: 7 })), 'STAG=0x7 in a record that did not stall: the emulator writes STAG 0 there'],
  ['a privileged data read permission fault', ev(fault({ id: 'F_PERMISSION', pnu: true })), 'a privileged data read never takes a permission fault in a stage-1 table Linux writes: every mapping it makes is readable at EL1 (io-pgtable-arm has no read-deny bit)'],
  ['C_BAD_CD without a SubstreamID', ev(fault({ id: 'C_BAD_CD' })), "C_BAD_CD without a SubstreamID: CD 0 is the master's own domain, which Linux always writes"],
];

for (const [name, event, why] of cannot) {
  test(`reproduce arm-smmu-v3 cannot: ${name}`, () => {
    assert.deepEqual(reproduceArmSmmuV3Event(event), { cannot: why });
  });
}
