import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { OpenScenario, scenarioUri } from './helpers';

/** Hovers on the two domain settings that pin what real logs print: `pgd` and `s1cbndx`. */

const text = `smmu apps { version v2 }
domain gpu_dom {
  pgd 0x1_e7d6_7000
  s1cbndx 124
  map 0x0100_0000 -> 0x8000_0000 size 1M rw
}
master gpu { stream 0x0; domain gpu_dom }
engine gpu.cp { read 0x0100_0000 64 }
`;
let doc: OpenScenario;

before(async () => {
  doc = await OpenScenario.open(text);
});

after(() => doc.close());

async function hoverText(needle: string): Promise<string> {
  const hover = await doc.connection.sendRequest(HoverRequest.type, { textDocument: { uri: scenarioUri }, position: doc.position(needle, 1) });
  assert.ok(hover, `no hover on '${needle}'`);
  assert.deepEqual(hover.range, doc.range(needle));
  return (hover.contents as MarkupContent).value;
}

test('pgd: the top-level table address, where real logs print it, and what the pool does; no default line', async () => {
  assert.equal(
    await hoverText('pgd'),
    [
      "**pgd** — Physical address of the domain's top-level page table (io-pgtable's pgd): TTBR0.BADDR on SMMUv2, CD.TTB0 on SMMUv3.",
      '',
      "Left out, it is the first page the table pool hands out (from 0x40000000 up, stepping over mapped PAs). Real logs print it — drm/msm's `*** gpu fault: ttbr0=00000001e7d67000 …` — so a reproduction can put the table where the log says: a 4 KiB aligned page below 2^oas that no domain maps and no other domain's pgd is. The domain's lower-level tables still come from the pool, which never hands out a pgd page.",
    ].join('\n'),
  );
});

test('s1cbndx: the FSYNR0 field, and why it is settable (the implementation decides it for a stage-1 bank)', async () => {
  assert.equal(
    await hoverText('s1cbndx'),
    [
      '**s1cbndx** (SMMUv2) — FSYNR0.S1CBNDX [23:16]: the stage-1 context bank index the context bank reports with every fault it records.',
      '',
      "Left out, it is the bank's own index. The architecture defines S1CBNDX for a fault in a nested (stage 1 + stage 2) translation; for a plain stage-1 bank what it reads is the implementation's, and real MMU-500s report values that are not the bank's index (`fsynr=0x7c0020 … cb=7`: S1CBNDX=124). Set it to reproduce such a log: the register, the `Unhandled context fault:` line's fsynr= and the `FSYNR0 = … [S1CBNDX=…]` decode carry it.",
    ].join('\n'),
  );
});
