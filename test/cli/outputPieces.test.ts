import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runText } from '../../emulator/cli/commands';
import { JsonSpool } from '../../emulator/cli/jsonSpool';
import { FdOutput, RunOutput, StringOutput } from '../../emulator/cli/output';
import { FixedText, PieceWriter, StringPieces } from '../../emulator/cli/pieces';
import { TraceFormatter } from '../../emulator/cli/trace';
import { Machine } from '../../emulator/machine/machine';
import { compileScenario } from '../../emulator/scenario/compile';
import { repoPath } from '../helpers/repo';

/** What `write` sends to an `FdOutput` on a temporary file, as the file's bytes. */
function throughFile(write: (out: FdOutput) => void): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'pieces-'));
  const file = path.join(dir, 'out');
  const fd = openSync(file, 'w');
  try {
    const out = new FdOutput(fd);
    write(out);
    out.flush();
    return readFileSync(file);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const examples = readdirSync(repoPath('examples')).filter((f) => f.endsWith('.iommu'));

function modelOf(text: string, example: string) {
  const { model } = compileScenario(text);
  assert.ok(model, example);
  return model;
}

function runCommand(file: string, json: boolean) {
  return { kind: 'run' as const, file, json, dmesg: false, until: undefined, maxEvents: undefined, maxSeconds: undefined };
}

test('the CLI output encodes pieces byte for byte as the string they join into: UTF-8 of any text, hex and decimals at their edges, across pieces', () => {
  const texts = ['', 'plain ASCII', ' → ', 'é', 'a😀b', 'lone \ud800 surrogate', 'x'.repeat(70_000), `${'y'.repeat(65_530)}→→→`];
  const hexes = [0n, 0xfn, 0x10n, 0xffff_ffffn, 0x1_0000_0000n, 0x1_0000_1000n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n];
  const decimals: [number, number | undefined][] = [[0, undefined], [7, 8], [123456789, 3], [99999999, 8], [100000000, 8], [-5, 4], [1.5, 6], [2 ** 53, 2], [Number.MAX_SAFE_INTEGER, 20]];
  const fixed = new FixedText('  gpu.cp         ');
  const write = (out: PieceWriter): void => {
    for (let round = 0; round < 300; round++) {
      for (const t of texts) out.append(t);
      for (const h of hexes) out.hex(h);
      for (const [d, width] of decimals) out.decimal(d, width);
      out.fixed(fixed);
    }
  };
  const expected = new StringPieces();
  write(expected);
  assert.ok(throughFile(write).equals(Buffer.from(expected.value, 'utf8')));
});

test("every example's trace, written in pieces by the CLI, is the lines the Debug Console is given", () => {
  for (const example of examples) {
    const text = readFileSync(repoPath('examples', example), 'utf8');
    const lines: string[] = [];
    const told = new Machine(modelOf(text, example), {});
    const formatter = new TraceFormatter(told);
    told.on((event) => {
      const line = formatter.format(event);
      if (line !== undefined) lines.push(`${line}\n`);
    });
    told.run({});
    const written = throughFile((out) => {
      const machine = new Machine(modelOf(text, example), {});
      const trace = new TraceFormatter(machine);
      machine.on((event) => trace.writeLine(event, out));
      machine.run({});
    });
    assert.equal(written.toString('utf8'), lines.join(''), example);
  }
});

test("every example's --json is laid out exactly as JSON.stringify(document, null, 2), in memory and through a file", () => {
  for (const example of examples) {
    const text = readFileSync(repoPath('examples', example), 'utf8');
    const run = (out: RunOutput): void => {
      runText(runCommand(example, true), text, out, new StringOutput());
    };
    const inMemory = new StringOutput();
    run(inMemory);
    const document = inMemory.text;
    assert.equal(document, `${JSON.stringify(JSON.parse(document), null, 2)}\n`, example);
    assert.equal(throughFile(run).toString('utf8'), document, example);
  }
});

test('a spool larger than its memory goes through its file and comes back whole, a character split between two reads included', () => {
  const elements = Array.from({ length: 40_000 }, (_, i) => `    { "n": ${i}, "text": "${'→'.repeat(i % 7)}é${'x'.repeat(i % 13)}" }`);
  for (const out of [new StringOutput(), undefined]) {
    const spool = new JsonSpool();
    for (const e of elements) spool.add(e);
    assert.equal(spool.length, elements.length);
    const copied = out ? (spool.copyTo(out), out.text) : throughFile((fd) => spool.copyTo(fd)).toString('utf8');
    assert.equal(copied, elements.join(',\n'));
  }
});
