import { knownTlbContext } from '../../emulator/smmu/v3/v3State';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelLines } from './helpers/kernelLines';
import { Machine } from '../../emulator/machine/machine';
import { Route } from '../../emulator/smmu/smmu';
import { v2StateOf, v3StateOf } from '../../emulator/smmu/smmuState';
import { S2CR_TYPE_BYPASS } from '../../emulator/smmu/v2/registers';
import { decodeCd, encodeCd } from '../../emulator/smmu/v3/cd';
import { modelOf, runScenario } from './helpers/scenario';

function route(machine: Machine, sid: number, ssid?: number): Route | undefined {
  return machine.smmu(0)?.route(sid, ssid);
}

const v2 = (unmatched: string) => `
smmu s { version v2; unmatched ${unmatched} }
domain d { map 0x1000 -> 0x8000_0000 size 4K rw }
domain e { map 0x1000 -> 0x9000_0000 size 4K rw }
master m { stream 0x10; domain d }
master n { stream 0x20; domain e }
engine m.x { read 0x1000 8 as x }
`;

test('SMMUv2 route: SMR and S2CR as programmed at attach, the context bank and its domain', () => {
  const machine = new Machine(modelOf(v2('fault')));
  assert.deepEqual(route(machine, 0x10), { kind: 'translate', context: { domain: 0, tlbTag: 0, name: 'cb0', bank: 0, asid: undefined, ssid: undefined, onFault: undefined } });
  assert.deepEqual(route(machine, 0x20), { kind: 'translate', context: { domain: 1, tlbTag: 1, name: 'cb1', bank: 1, asid: undefined, ssid: undefined, onFault: undefined } });
  assert.deepEqual(route(machine, 0x30), { kind: 'fault', fault: 'unmatched-stream', reason: 'no SMR matches StreamID 0x30 (sGFSR.USF)' });
  assert.deepEqual(route(new Machine(modelOf(v2('bypass'))), 0x30), { kind: 'bypass', reason: 'no SMR matches StreamID 0x30 and sCR0.USFCFG=0: bypass' });
});

test('SMMUv2 route reads the registers as they are now: a second matching SMR is a conflict, S2CR.TYPE bypass bypasses', () => {
  const machine = new Machine(modelOf(v2('fault')));
  const state = v2StateOf(machine.state, 0);
  assert.ok(state);
  state.smrs.push({ valid: true, id: 0x10, mask: 0xf, master: 1 });
  state.s2crs.push({ type: 0, cbndx: 1 });
  assert.deepEqual(route(machine, 0x10), { kind: 'fault', fault: 'stream-conflict', reason: '2 SMRs match StreamID 0x10 (sGFSR.SMCF)' });
  assert.deepEqual(route(machine, 0x1f), { kind: 'translate', context: { domain: 1, tlbTag: 1, name: 'cb1', bank: 1, asid: undefined, ssid: undefined, onFault: undefined } });
  const s2cr = state.s2crs[1];
  assert.ok(s2cr);
  s2cr.type = S2CR_TYPE_BYPASS;
  assert.deepEqual(route(machine, 0x20), { kind: 'bypass', reason: 'S2CR1.TYPE is bypass' });
});

test('SMMUv2: a transaction meets the route its stream has — a conflict written into the SMRs is sGFSR.SMCF', () => {
  const machine = new Machine(modelOf(v2('fault')));
  v2StateOf(machine.state, 0)?.smrs.push({ valid: true, id: 0x10, mask: 0, master: 1 });
  v2StateOf(machine.state, 0)?.s2crs.push({ type: 0, cbndx: 1 });
  machine.run();
  const result = machine.result();
  assert.deepEqual(result.faults.map((f) => [f.kind, f.reason]), [['stream-conflict', '2 SMRs match StreamID 0x10 (sGFSR.SMCF)']]);
  // sGFSR latched SMCF; arm_smmu_global_fault then wrote it back (globalFault.test.ts has its lines).
  assert.equal(v2StateOf(machine.state, 0)?.sgfsr, 0);
  assert.deepEqual(
    kernelLines(machine),
    ['arm-smmu 15000000.iommu: Unexpected global fault, this could be serious', 'arm-smmu 15000000.iommu: \tGFSR 0x00000004, GFSYNR0 0x00000000, GFSYNR1 0x00000010, GFSYNR2 0x00000000'],
  );
});

const v3 = `
smmu s { version v3; ssid-bits 8 }
domain d { map 0x1000 -> 0x8000_0000 size 4K rw }
domain app { map 0x1000 -> 0x9000_0000 size 4K rw }
master m { stream 0x100; domain d; pasid 5 -> app }
engine m.x { read 0x1000 8 as x }
`;

/** arm_smmu_write_cd_entry for a master without stalls or ATS: CD.R=1, CD.A=1, CD.S=0; STE.EATS=0. */
const linuxCd = { stall: false, record: true, abort: true, ats: false, stage2: undefined };

test('SMMUv3 route: the STE in the stream table, then the CD of the SubstreamID, with the errors a transaction would meet', () => {
  const { machine } = runScenario(v3);
  const asid = (ssid: number) => v3StateOf(machine.state, 0)?.streams[0]?.cds.find((cd) => cd.ssid === ssid)?.asid;
  // The TLB context of a host stage-1 CD: VMID 0 and its ASID (routing made it, so it is known).
  const tag = (ssid: number) => knownTlbContext(v3StateOf(machine.state, 0) ?? assert.fail('no SMMUv3'), 0, asid(ssid) ?? -1);
  assert.deepEqual(route(machine, 0x100), { kind: 'translate', context: { domain: 0, tlbTag: tag(0), name: `asid ${asid(0)}`, bank: undefined, asid: asid(0), ssid: undefined, onFault: linuxCd } });
  assert.deepEqual(route(machine, 0x100, 5), { kind: 'translate', context: { domain: 1, tlbTag: tag(5), name: `asid ${asid(5)}`, bank: undefined, asid: asid(5), ssid: 5, onFault: linuxCd } });
  assert.deepEqual(route(machine, 0x100, 300), { kind: 'fault', fault: 'bad-substreamid', reason: "C_BAD_SUBSTREAMID: SubstreamID 0x12c is wider than the SMMU's 8 SubstreamID bits (IDR1.SSIDSIZE=8)" });
  const stream = v3StateOf(machine.state, 0)?.streams[0];
  assert.ok(stream?.cdTable !== undefined);
  const cd5 = stream.cdTable + 5 * 64;
  const words = Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64(cd5 + 8 * i));
  encodeCd({ ...decodeCd(words), valid: false }).forEach((d, i) => machine.runtime.memory.writeU64(cd5 + 8 * i, d));
  assert.deepEqual(route(machine, 0x100, 5), { kind: 'fault', fault: 'bad-cd', reason: 'C_BAD_CD: CD 5 of StreamID 0x100 is not valid (V=0)' });
});
