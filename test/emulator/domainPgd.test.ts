import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootOf } from '../../debug-adapter/variables/pageTable';
import { StaticSystem } from '../../emulator/analysis/staticSystem';
import { DomainDeclaration } from '../../emulator/language/ast';
import { Machine } from '../../emulator/machine/machine';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory';
import { TableAllocator, tablePoolReserved } from '../../emulator/pgtable/tableAllocator';
import { compileScenario } from '../../emulator/scenario/compile';
import { v2StateOf, v3StateOf } from '../../emulator/smmu/smmuState';
import { decodeCd } from '../../emulator/smmu/v3/cd';
import { modelOf, runScenario, statuses } from './helpers/scenario';

/*
 * `pgd ADDR`: a domain's top-level table at the address a real log printed (io-pgtable's
 * pgd: TTBR0.BADDR, CD.TTB0) instead of the table pool's next page. The lower-level tables
 * still come from the pool, which never hands out a pgd page.
 */

/** Two domains on an SMMUv2: `a` takes context bank 0, `b` bank 1. */
function twoDomains(aSettings: string, bSettings: string): string {
  return `smmu apps { version v2 }
domain a { ${aSettings}map 0x0100_0000 -> 0x8000_0000 size 4K rw }
domain b { ${bSettings}map 0x0200_0000 -> 0x8010_0000 size 4K rw }
master ma { stream 0x1; domain a }
master mb { stream 0x2; domain b }
engine ma.e { read 0x0100_0000 8 as a0 }
engine mb.e { read 0x0200_0000 8 as b0 }
`;
}

test('TTBR0 is the pgd with the ASID (the context bank index) in [63:48]; the walk starts there and translates', () => {
  const { machine, result } = runScenario(twoDomains('', 'pgd 0x1_e7d6_7000; '));
  const banks = v2StateOf(machine.state, 0)?.banks ?? [];
  assert.deepEqual(
    banks.map((b) => b.ttbr0),
    [0x0000_0000_4000_0000n, 0x0001_0001_e7d6_7000n],
  );
  assert.deepEqual(statuses(result), { 'a0#0': 'completed', 'b0#0': 'completed' });
});

test("the pool skips a pgd page: a domain that takes the pool's first page pushes the others' tables past it", () => {
  const machine = new Machine(modelOf(twoDomains('', 'pgd 0x4000_0000; ')));
  const [a, b] = machine.runtime.tables;
  assert.equal(a?.root, 0x4000_1000);
  assert.equal(b?.root, 0x4000_0000);
  // Four levels for 48 bits: a's L0 and the three tables below it, then the three below b's pgd — 0x40001000 to 0x40007000.
  assert.deepEqual(machine.runtime.allocator.snapshot(), { cursor: 0x4000_8000, allocated: 7 });
});

test('tablePoolReserved: the mapped ranges and one page per pgd; the allocator steps over both', () => {
  const reserved = tablePoolReserved([{ pa: 0x4000_0000n, size: 0x2000n }], [{ pgd: 0x4000_3000n, bytes: 0x1000 }]);
  assert.deepEqual(reserved, [
    { start: 0x4000_0000, size: 0x2000 },
    { start: 0x4000_3000, size: 0x1000 },
  ]);
  const allocator = new TableAllocator(new PhysicalMemory(), { reserved });
  assert.deepEqual([allocator.allocate(), allocator.allocate(), allocator.allocate()], [0x4000_2000, 0x4000_4000, 0x4000_5000]);
});

test("the language server's prediction places every table as the machine does", () => {
  const text = twoDomains('', 'pgd 0x4000_0000; ');
  const compiled = compileScenario(text);
  assert.ok(compiled.model);
  const system = new StaticSystem(compiled.file, compiled.check);
  const domains = compiled.file.declarations.filter((d): d is DomainDeclaration => d.kind === 'domain');
  const machine = new Machine(compiled.model);
  assert.deepEqual(
    domains.map((d) => system.table(d).root),
    machine.runtime.tables.map((t) => t.root),
  );
  // b's walk, as hovers show it: from its pgd down to the PA it maps.
  const walk = system.walk(domains[1] as DomainDeclaration, 0x0200_0000n);
  assert.equal(walk.steps[0]?.tableAddress, 0x4000_0000n);
  assert.deepEqual(walk.outcome.kind === 'success' ? walk.outcome.pa : walk.outcome, 0x8010_0000n);
});

test('the Page Tables view starts at the pgd', () => {
  const machine = new Machine(modelOf(twoDomains('pgd 0x1_e7d6_7000; ', '')));
  assert.deepEqual(rootOf(machine, 0), { domain: 0, level: 0, table: 0x1_e7d6_7000n, iovaBase: 0n });
});

test('a step back keeps the pgd: TTBR0 and the table root after a restore', () => {
  const machine = new Machine(modelOf(twoDomains('pgd 0x1_e7d6_7000; ', '')));
  const start = machine.snapshot();
  machine.run();
  machine.restore(start);
  assert.equal(v2StateOf(machine.state, 0)?.banks[0]?.ttbr0, 0x1_e7d6_7000n);
  assert.equal(machine.runtime.tables[0]?.root, 0x1_e7d6_7000);
  assert.deepEqual(statuses(machine.result()), {});
});

test('SMMUv3: CD 0 of the master carries the pgd in TTB0 (dword 1 [55:4]), and the SMMU walks from it', () => {
  const { machine, result } = runScenario(`smmu s { version v3 }
domain d { pgd 0x1_e7d6_7000; map 0x0100_0000 -> 0x8000_0000 size 4K rw }
master m { stream 0x1; domain d }
engine m.e { read 0x0100_0000 8 as r }
`);
  const stream = v3StateOf(machine.state, 0)?.streams.find((s) => s.sid === 1);
  assert.ok(stream?.cdTable !== undefined);
  const dwords = Array.from({ length: 8 }, (_, i) => machine.runtime.memory.readU64((stream?.cdTable ?? 0) + 8 * i));
  assert.equal((dwords[1] ?? 0n) & 0x00ff_ffff_ffff_fff0n, 0x1_e7d6_7000n);
  assert.equal(decodeCd(dwords).ttb0, 0x1_e7d6_7000n);
  assert.deepEqual(statuses(result), { 'r#0': 'completed' });
});
