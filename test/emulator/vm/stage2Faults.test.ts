import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { v2StateOf } from '../../../emulator/smmu/smmuState';
import { decodeEvent } from '../../../emulator/smmu/v3/eventRecord';
import { v3StateOf } from '../../../emulator/smmu/smmuState';
import { kernelLines } from '../helpers/kernelLines';
import { runScenario, statuses } from '../helpers/scenario';

/*
 * Stage-2 faults as each SMMU reports them (translation-regimes.md, "Stage 2"): an SMMUv2
 * stage-2 context bank latches FSR with FAR = the IPA; an SMMUv3 writes an event record
 * with S2=1, CLASS and the IPA (IHI 0070 §7.3.13), and a stage-2 fault on a nested walk's
 * table fetch is CLASS=TT.
 */

const v2Stage2 = `smmu s { version v2 }
domain vm_s2 {
  stage 2
  ias 40; oas 40
  map 0x4000_0000 -> 0x8000_0000 size 2M rw
}
master dev { stream 0x3; domain vm_s2 }
engine dev.e {
  read 0x4000_1000 8 as ok
  write 0x4100_0000 4 as beyond
}
`;

test('SMMUv2: a stage-2 context bank is CBAR.TYPE 0b00 with VMID cbndx + 1, TCR in the VTCR format, TTBR0 the VTTBR', () => {
  const { machine, result } = runScenario(v2Stage2);
  const bank = v2StateOf(machine.state, 0)?.banks[0];
  assert.ok(bank);
  // CBAR: TYPE [17:16] = 0b00 (stage 2 translation), VMID [7:0] = 1 (arm_smmu_init_domain_context: cbndx + 1).
  assert.equal(bank.cbar, 0x0000_0001);
  // VTCR (4K, ias 40 oas 40, Linux 7.1): RES1 bit 31 | PS 0b010 [18:16] | TG0 0b00 | SH0 inner [13:12] | ORGN0/IRGN0 WBWA | SL0 | T0SZ 24.
  // 40-bit PA with a 4K granule makes concatenation mandatory (arm_lpae_concat_mandatory): start level 1, SL0 0b01.
  assert.equal(bank.tcr >>> 0, (0x8000_0000 | (2 << 16) | (3 << 12) | (1 << 10) | (1 << 8) | (1 << 6) | 24) >>> 0);
  assert.equal(bank.ttbr0, BigInt(machine.runtime.tables[0]?.root ?? -1)); // no ASID in a stage-2 bank's TTBR0
  // SCTLR: no ASIDPNE (bit 12) on a stage-2 bank.
  assert.equal(bank.sctlr & (1 << 12), 0);
  assert.deepEqual(statuses(result), { 'ok#0': 'completed', 'beyond#0': 'aborted' });
});

test('SMMUv2: a stage-2 fault latches FSR.TF with FAR = the IPA; the run reports stage 2, CLASS=IN and the IPA', () => {
  const { machine, result } = runScenario(v2Stage2);
  const bank = v2StateOf(machine.state, 0)?.banks[0];
  assert.equal(bank?.far, 0x4100_0000n);
  const fault = result.faults[0];
  assert.deepEqual(fault?.stage, { stage: 2, class: 'IN', ipa: 0x4100_0000n });
  assert.equal(fault?.kind, 'translation');
  assert.ok(kernelLines(machine).some((line) => line.includes('Unhandled context fault: fsr=0x402, iova=0x41000000')));
});

test('SMMUv3 nested: the VMM left out the page of the guest\'s L2 table — F_TRANSLATION, S2=1, CLASS=TT, the IPA of the table, printed by the host', () => {
  const { machine, result } = runScenario(readFileSync('examples/stage2-fault-on-table-walk.iommu', 'utf8'));
  const v3 = v3StateOf(machine.state, 0);
  assert.ok(v3);
  const record = [0, 1, 2, 3].map((i) => machine.runtime.memory.readU64(v3.eventq.base + 8 * i));
  // dword 0: F_TRANSLATION, StreamID 0x10; dword 1: RnW (bit 99), S2 (bit 103), CLASS=TT 0b01 ([105:104]);
  // dword 2: InputAddr 0x1000; dword 3: IPA [51:12] = 0x40004000 (the guest's L2 table, tables at 0x4000_2000 + 2 pages).
  assert.deepEqual(record, [0x0000_0010_0000_0010n, 0x0000_0188_0000_0000n, 0x1000n, 0x4000_4000n]);
  const decoded = decodeEvent(record);
  assert.equal(decoded.s2, true);
  assert.equal(decoded.class, 1);
  assert.equal(decoded.ipa, 0x4000_4000n);
  assert.deepEqual(result.faults[0]?.stage, { stage: 2, class: 'TT', ipa: 0x4000_4000n });
  assert.ok(kernelLines(machine).includes('arm-smmu-v3 15000000.iommu: event: F_TRANSLATION client: nic sid: 0x10 ssid: 0 iova: 0x1000 ipa: 0x40004000'));
  assert.deepEqual(statuses(result), { 'first#0': 'aborted' });
});

test('SMMUv3 stage 2 only: STE.Config 0b110, the input address is the IPA, a fault is S2=1 CLASS=IN', () => {
  const { result } = runScenario(v2Stage2.replace('version v2', 'version v3'));
  assert.deepEqual(result.faults[0]?.stage, { stage: 2, class: 'IN', ipa: 0x4100_0000n });
  assert.deepEqual(statuses(result), { 'ok#0': 'completed', 'beyond#0': 'aborted' });
});

test("the Fault scope's words: a terminated stage-2 fault was recorded by STE.S2R, not CD.R", () => {
  const { machine, result } = runScenario(readFileSync('examples/stage2-fault-on-table-walk.iommu', 'utf8'));
  const fault = result.faults[0];
  assert.ok(fault);
  assert.deepEqual(machine.smmu(0)?.faultReport(fault), { name: 'event', text: 'F_TRANSLATION record (STE.S2R=1), not stalled' });
});

test('a stage-2 fault is named with its stage, CLASS and IPA wherever it is told: the trace, the exception words', () => {
  const { machine, result } = runScenario(readFileSync('examples/stage2-fault-on-table-walk.iommu', 'utf8'));
  const fault = result.faults[0];
  assert.ok(fault);
  assert.equal(
    machine.smmu(0)?.describeFault(fault, 'the read', false),
    'stage 2 translation fault at level 3 (CLASS=TT, IPA 0x40004000): stage 2 fault on the L2 table fetch at IPA 0x40004000: L3[4] is invalid; F_TRANSLATION record (STE.S2R=1), not stalled',
  );
});
