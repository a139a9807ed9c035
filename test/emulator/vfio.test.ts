import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Diagnostic } from '../../emulator/language/diagnostics';
import { GRANULE_4K } from '../../emulator/pgtable/granule';
import { attachMasters } from '../../emulator/machine/attachments';
import { compileScenario } from '../../emulator/scenario/compile';
import { modelOf, runScenario, statuses } from './helpers/scenario';
import { rangeIn as at } from './helpers/textRange';

/*
 * vfio containers (docs/scenario-language.md, "vfio"): the domains a container makes, where
 * each master lands and why, the machine attaching them there, and the errors.
 */

/**
 * A stall container on an SMMUv2 with three masters, one of which can stall; the GPU, with
 * its own domain, is declared between them but attaches first (drivers probe before
 * userspace sets up a container).
 */
const V2 = `scenario "vfio"
smmu kgsl { version v2; context-banks 4 }
domain gpu_dom { map 0x0100_0000 -> 0x9000_0000 size 1M rw }
master nic0 { stream 0x10; can-stall }
master nic1 { stream 0x11 }
master gpu { stream 0x0; domain gpu_dom }
master nic2 { stream 0x12 }
vfio passthrough {
  masters nic0 nic1 nic2
  fault stall
  hupcf on
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
  map 0x0400_0000 -> 0x8800_0000 size 4K r
}
engine nic0.dma { read 0x0100_0000 64 as nic0_ok; read 0x0200_0000 64 as nic0_bad }
engine nic1.dma { read 0x0100_0040 64 as nic1_ok; read 0x0200_0000 64 as nic1_bad }
`;

const STALL_REFUSED = "domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall'; passthrough#2 does not stall";

describe('elaboration', () => {
  test('one domain named as the container, and passthrough#2 for the master the stall refused; placements in list order', () => {
    const model = modelOf(V2);
    assert.deepEqual(
      model.domains.map((d) => d.name),
      ['gpu_dom', 'passthrough', 'passthrough#2'],
    );
    assert.deepEqual(model.vfio, [
      {
        name: 'passthrough',
        domains: [1, 2],
        placements: [
          { master: 0, domain: 1, outcome: 'attached', why: '', reason: 'attached to passthrough' },
          { master: 1, domain: 2, outcome: 'new-domain', why: STALL_REFUSED, reason: `new domain passthrough#2: ${STALL_REFUSED}` },
          { master: 3, domain: 2, outcome: 'attached', why: '', reason: 'attached to passthrough#2' },
        ],
      },
    ]);
    assert.deepEqual(
      model.masters.map((m) => [m.name, m.domain]),
      [
        ['nic0', 1],
        ['nic1', 2],
        ['gpu', 0],
        ['nic2', 2],
      ],
    );
  });

  test("the container's settings and maps in every domain it makes; a domain's default sizes; only the fallback's stall differs", () => {
    const model = modelOf(V2);
    const [, first, fallback] = model.domains;
    // VFIO's domains are unmanaged: never a lazy flush queue.
    const settings = { smmu: 0, ias: 48, oas: 40, granule: GRANULE_4K, hupcf: true, abortOnTerminate: true, record: true, dma: { lazy: false, queueSize: 256, timeout: 10000 } };
    // A container's domains are stage-1 domains of the host (VFIO type1), nested on nothing.
    const stage = { stage: 1, vmid: undefined, nested: undefined, cdAt: undefined, tablesAt: undefined, vm: undefined };
    assert.deepEqual({ ...first, maps: undefined }, { name: 'passthrough', ...settings, stall: true, maps: undefined, ttbr1: false, ttbr1Maps: [], ...stage });
    assert.deepEqual({ ...fallback, maps: undefined }, { name: 'passthrough#2', ...settings, stall: false, maps: undefined, ttbr1: false, ttbr1Maps: [], ...stage });
    const maps = (first?.maps ?? []).map((m) => [m.iova, m.pa, m.size]);
    assert.deepEqual(maps, [
      [0x0100_0000n, 0x8000_0000n, 0x10_0000n],
      [0x0400_0000n, 0x8800_0000n, 0x1000n],
    ]);
    assert.deepEqual(fallback?.maps, first?.maps);
  });

  test('a master on another SMMU gets a new domain on its own SMMU; it stalls only if that master can stall', () => {
    const text = `smmu apps { version v2 }
smmu other { version v2 }
master nic0 { smmu apps; stream 0x1 }
master nic1 { smmu other; stream 0x1; can-stall }
master nic2 { smmu other; stream 0x2 }
vfio pt { smmu apps; fault stall; masters nic1 nic2 }
vfio plain { smmu apps; masters nic0 nic2x }
master nic2x { smmu other; stream 0x3 }
`;
    const model = modelOf(text);
    assert.deepEqual(
      model.domains.map((d) => [d.name, d.smmu, d.stall]),
      [
        ['pt', 0, true],
        ['pt#2', 1, true],
        ['pt#3', 1, false],
        ['plain', 0, false],
        ['plain#2', 1, false],
      ],
    );
    assert.deepEqual(
      model.vfio.map((v) => v.placements.map((p) => p.reason)),
      [
        [
          "new domain pt#2 on smmu 'other': master 'nic1' is behind smmu 'other' but domain 'pt' uses smmu 'apps'; pt#2 stalls on faults, as the container asks",
          "new domain pt#3 on smmu 'other': master 'nic2' is behind smmu 'other' but domain 'pt' uses smmu 'apps'; pt#3 does not stall: master 'nic2' is not 'can-stall'",
        ],
        ['attached to plain', "new domain plain#2 on smmu 'other': master 'nic2x' is behind smmu 'other' but domain 'plain' uses smmu 'apps'"],
      ],
    );
    assert.deepEqual(
      model.vfio.map((v) => v.domains),
      [
        [0, 1, 2],
        [3, 4],
      ],
    );
  });

  test('a scenario without a container has none', () => {
    const model = modelOf('smmu s { version v2 }\ndomain d { }\nmaster m { stream 0x0; domain d }\n');
    assert.deepEqual(model.vfio, []);
    assert.deepEqual(attachMasters(model).attachments, [{ master: 0, domain: 0, attached: true, reason: undefined }]);
  });
});

describe('SMMUv2 context banks', () => {
  /** Two context banks: the GPU's domain takes one, the container's first domain the other. */
  const TWO_BANKS = V2.replace('context-banks 4', 'context-banks 2');

  test('the fallback domain needs a bank too: with none left the master stays unattached, and the next refused one as well', () => {
    const model = modelOf(TWO_BANKS);
    const why = "domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall', and a new domain cannot be attached either: smmu 'kgsl' has 2 context banks and this would be domain number 3";
    assert.deepEqual(model.vfio[0]?.placements, [
      { master: 0, domain: 1, outcome: 'attached', why: '', reason: 'attached to passthrough' },
      { master: 1, domain: undefined, outcome: 'unattached', why, reason: `unattached: ${why}` },
      { master: 3, domain: undefined, outcome: 'unattached', why: why.replace("'nic1'", "'nic2'"), reason: `unattached: ${why.replace("'nic1'", "'nic2'")}` },
    ]);
    assert.deepEqual(model.vfio[0]?.domains, [1]);
    assert.deepEqual(
      model.masters.map((m) => m.domain),
      [1, undefined, 0, undefined],
    );
  });

  test("with no bank for the container's first domain, the domain is made and stays empty, and no master can have a new one", () => {
    const model = modelOf(V2.replace('context-banks 4', 'context-banks 1'));
    const first = "smmu 'kgsl' has 1 context bank and this would be domain number 2; a new domain would need a context bank too";
    assert.deepEqual(
      model.domains.map((d) => d.name),
      ['gpu_dom', 'passthrough'],
    );
    assert.deepEqual(
      model.vfio[0]?.placements.map((p) => [p.master, p.domain, p.reason]),
      [
        [0, undefined, `unattached: ${first}`],
        [1, undefined, "unattached: domain 'passthrough' stalls on faults but master 'nic1' is not 'can-stall', and a new domain cannot be attached either: smmu 'kgsl' has 1 context bank and this would be domain number 2"],
        [3, undefined, "unattached: domain 'passthrough' stalls on faults but master 'nic2' is not 'can-stall', and a new domain cannot be attached either: smmu 'kgsl' has 1 context bank and this would be domain number 2"],
      ],
    );
    assert.deepEqual(attachMasters(model), { attachments: [{ master: 2, domain: 0, attached: true, reason: undefined }], banks: [[0]] });
  });

  test('the machine attaches where elaboration placed: own domains first, then the container in its order; one bank per domain', () => {
    assert.deepEqual(attachMasters(modelOf(V2)), {
      attachments: [
        { master: 2, domain: 0, attached: true, reason: undefined },
        { master: 0, domain: 1, attached: true, reason: undefined },
        { master: 1, domain: 2, attached: true, reason: undefined },
        { master: 3, domain: 2, attached: true, reason: undefined },
      ],
      banks: [[0, 1, 2]],
    });
    assert.deepEqual(attachMasters(modelOf(TWO_BANKS)), {
      attachments: [
        { master: 2, domain: 0, attached: true, reason: undefined },
        { master: 0, domain: 1, attached: true, reason: undefined },
      ],
      banks: [[0, 1]],
    });
  });
});

describe('runs (SMMUv2)', () => {
  test("the can-stall master's fault stalls and the default path terminates it; the fallback domain's fault aborts at once", () => {
    const { result, stop } = runScenario(V2);
    assert.deepEqual(stop, { reason: 'finished' });
    assert.deepEqual(statuses(result), { 'nic0_ok#0': 'completed', 'nic0_bad#0': 'aborted', 'nic1_ok#0': 'completed', 'nic1_bad#0': 'aborted' });
    assert.deepEqual(
      result.faults.map((f) => [f.sid, f.stalled, f.response ?? null]),
      [
        [0x10, true, 'terminate'],
        [0x11, false, null],
      ],
    );
    assert.deepEqual(
      result.transactions.filter((t) => t.status === 'completed').map((t) => t.pa),
      [0x8000_0000n, 0x8000_0040n],
    );
  });

  test("an unattached master's streams fault: S2CR.TYPE is fault", () => {
    const { result } = runScenario(V2.replace('context-banks 4', 'context-banks 2'));
    assert.deepEqual(statuses(result), { 'nic1_ok#0': 'aborted', 'nic1_bad#0': 'aborted', 'nic0_bad#0': 'aborted', 'nic0_ok#0': 'completed' });
    assert.deepEqual(
      result.faults.map((f) => [f.kind, f.sid]),
      [
        ['unattached-stream', 0x11],
        ['unattached-stream', 0x11],
        ['translation', 0x10],
      ],
    );
  });
});

describe('errors', () => {
  const text = `smmu kgsl { version v2 }
domain gpu_dom { }
master gpu { stream 0x0; domain gpu_dom }
master nic0 { stream 0x10 }
vfio pt { masters gpu nic0 }
vfio gpu_dom { masters nic0 }
handler h on pt { terminate }
`;

  test('a master with its own domain, a master in two containers, a container named as a domain, a handler on a container', () => {
    const errors = compileScenario(text).diagnostics.filter((d) => d.severity === 'error');
    const expected: Diagnostic[] = [
      {
        severity: 'error',
        code: 'vfio-master-domain',
        range: at(text, 'gpu', 'masters gpu'),
        message: "master 'gpu' has its own 'domain' line: it is attached either there or by vfio 'pt', not both",
        related: [{ range: at(text, 'domain gpu_dom', 'domain gpu_dom }'), message: "the 'domain' line of master 'gpu'" }],
      },
      {
        severity: 'error',
        code: 'vfio-domain-name',
        range: at(text, 'gpu_dom', 'vfio gpu_dom'),
        message: "vfio 'gpu_dom' makes a domain named 'gpu_dom', and domain 'gpu_dom' is declared on line 2: rename one",
        related: [{ range: at(text, 'gpu_dom', 'domain gpu_dom { }'), message: "domain 'gpu_dom'" }],
      },
      {
        severity: 'error',
        code: 'vfio-master-twice',
        range: at(text, 'nic0', 'vfio gpu_dom { masters nic0'),
        message: "master 'nic0' is already in vfio 'pt' (line 5): a device can be in one container only",
        related: [{ range: at(text, 'nic0', 'gpu nic0'), message: "master 'nic0' first listed here" }],
      },
      {
        severity: 'error',
        code: 'handler-on-vfio',
        range: at(text, 'pt', 'on pt'),
        message: "'pt' is a vfio container: userspace owns its devices, so no kernel handler can be on its domains and their faults take the default path (report_iommu_fault returns -ENOSYS)",
      },
    ];
    assert.deepEqual(errors, expected);
  });

  test('the masters that could be placed still say where they land', () => {
    const infos = compileScenario(text).diagnostics.filter((d) => d.severity === 'information');
    assert.deepEqual(infos, [{ severity: 'information', code: 'vfio-placement', range: at(text, 'nic0', 'gpu nic0'), message: 'attached to pt' }]);
  });

  test('a handler on a container is a reference to it (go to definition finds the container)', () => {
    const compiled = compileScenario(text);
    const reference = compiled.check.symbols.references.find((r) => r.range.start === at(text, 'pt', 'on pt').start);
    assert.equal(reference?.kind, 'vfio');
    assert.equal(reference?.target?.name, 'pt');
  });
});
