import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Machine } from '../../../emulator/machine/machine';
import { decodeCd } from '../../../emulator/smmu/v3/cd';
import { decodeSte } from '../../../emulator/smmu/v3/ste';
import { repoPath } from '../../helpers/repo';
import { modelOf, statuses } from '../helpers/scenario';
import { v3StateOf } from '../../../emulator/smmu/smmuState';

test('VFIO on SMMUv3: the device that cannot stall lands in a new domain whose CD does not stall', () => {
  const machine = new Machine(modelOf(readFileSync(repoPath('examples', 'vfio-v3-no-stall-fallback.iommu'), 'utf8')));
  const words = (pa: number) => Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
  const streams = v3StateOf(machine.state, 0)?.streams ?? [];
  const view = streams.map((s) => {
    const ste = decodeSte(words(s.ste));
    const cd = decodeCd(words(Number(ste.s1ContextPtr)));
    return { sid: s.sid, domain: machine.model.domains[s.cds[0]?.domain ?? -1]?.name, s1Stalld: ste.s1Stalld, s: cd.s, asid: cd.asid };
  });
  assert.deepEqual(view, [
    { sid: 0x200, domain: 'passthrough', s1Stalld: false, s: true, asid: 1 },
    // Linux sets S1STALLD for a master that cannot stall; its domain's CD has S=0.
    { sid: 0x201, domain: 'passthrough#2', s1Stalld: true, s: false, asid: 2 },
  ]);
  machine.run();
  assert.deepEqual(statuses(machine.result()), { 'rx0#0': 'completed', 'bad0#0': 'aborted', 'rx1#0': 'completed', 'bad1#0': 'aborted' });
});
