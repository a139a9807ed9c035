import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Range, ResponseError, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis } from '../../server/analysis';
import { references } from '../../server/references';
import { prepareRename, rename } from '../../server/rename';
import { corpus } from '../helpers/mutations';

/*
 * Rename starts from the name under the cursor and nothing else: the range prepareRename
 * gives holds the cursor, and rename changes what that range names (issue 12, item 9).
 */

const uri = 'file:///rename.iommu';

function analysisOf(text: string): Analysis {
  return new Analysis(uri, 1, text);
}

/** The position of `needle` (its first occurrence after `context`) plus `delta`. */
function positionIn(analysis: Analysis, needle: string, delta = 0, context = ''): { line: number; character: number } {
  const offset = analysis.text.indexOf(needle, analysis.text.indexOf(context));
  assert.ok(offset >= 0, needle);
  return analysis.positionAt(offset + delta);
}

function renamed(analysis: Analysis, position: { line: number; character: number }, newName: string): string {
  const edit = rename(analysis, position, newName);
  assert.ok(edit && !(edit instanceof ResponseError), 'the rename was refused');
  const edits: TextEdit[] = edit.changes?.[uri] ?? [];
  return TextDocument.applyEdits(TextDocument.create(uri, 'iommu-scenario', 1, analysis.text), edits);
}

test("the undeclared master of 'engine n.t' is no name: nothing to rename there, and the engine is not renamed in its place", () => {
  const analysis = analysisOf('smmu s { version v2 }\nengine n.t {\n  read 0x1000 64\n}\n');
  for (const delta of [0, 1]) {
    const onMaster = positionIn(analysis, 'n.t', delta);
    assert.equal(prepareRename(analysis, onMaster), null);
    assert.equal(rename(analysis, onMaster, 'u'), null);
  }
  // On the engine half, the engine, as before.
  const onEngine = positionIn(analysis, 't {');
  assert.deepEqual(prepareRename(analysis, onEngine), { start: onEngine, end: positionIn(analysis, 't {', 1) });
  assert.equal(renamed(analysis, onEngine, 'u'), 'smmu s { version v2 }\nengine n.u {\n  read 0x1000 64\n}\n');
});

const withHandler = `smmu s { version v2 }
domain d { map 0x1000 -> 0x8000 size 4K rw }
master gpu { stream 0x1; domain d }
engine gpu.cp { read 0x1000 64 }
handler h on d {
  if engine == gpu.cp { log "cp" }
  terminate
}
`;

test("'gpu.cp' in a handler expression: the master half renames the master, the engine half the engine", () => {
  const analysis = analysisOf(withHandler);
  const onMaster = positionIn(analysis, 'gpu.cp', 1, 'if engine');
  assert.deepEqual(prepareRename(analysis, onMaster), { start: positionIn(analysis, 'gpu.cp', 0, 'if engine'), end: positionIn(analysis, 'gpu.cp', 3, 'if engine') });
  assert.equal(renamed(analysis, onMaster, 'adreno'), withHandler.replace(/gpu/g, 'adreno'));
  const onEngine = positionIn(analysis, 'gpu.cp', 5, 'if engine');
  assert.deepEqual(prepareRename(analysis, onEngine), { start: positionIn(analysis, 'gpu.cp', 4, 'if engine'), end: positionIn(analysis, 'gpu.cp', 6, 'if engine') });
  assert.equal(renamed(analysis, onEngine, 'sqe'), withHandler.replace(/gpu\.cp/g, 'gpu.sqe'));
});

function holds(range: Range, position: { line: number; character: number }): boolean {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(range.start, position) && before(position, range.end);
}

test('at every offset of every example: prepareRename holds the cursor or refuses, and rename edits what it gave', () => {
  for (const text of [...corpus, withHandler, 'engine n.t { read 0x1000 64 }\nhandler h on d { if engine == n.t { dump } }\n']) {
    const analysis = analysisOf(text);
    for (let offset = 0; offset <= text.length; offset++) {
      const position = analysis.positionAt(offset);
      const prepared = prepareRename(analysis, position);
      if (prepared === null || prepared instanceof ResponseError) continue;
      assert.ok(holds(prepared, position), `offset ${offset}: ${JSON.stringify(prepared)} does not hold ${JSON.stringify(position)}`);
      const edit = rename(analysis, position, 'renamed_name');
      assert.ok(edit && !(edit instanceof ResponseError));
      // An engine's edits replace all of `master.engine`; every other edit is exactly a name.
      const covered = (edit.changes?.[uri] ?? []).some((e) => holds(e.range, prepared.start) && holds(e.range, prepared.end));
      assert.ok(covered, `offset ${offset}: no edit covers ${JSON.stringify(prepared)}`);
    }
  }
});

test('over every example, renaming a master or a domain edits exactly the places find references lists, and nothing else', () => {
  const key = (range: Range): string => `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
  for (const text of [...corpus, withHandler]) {
    const analysis = analysisOf(text);
    const symbols = analysis.compiled.check.symbols;
    for (const entry of [...symbols.declared('master'), ...symbols.declared('domain')]) {
      const position = analysis.positionAt(entry.nameRange.start);
      const found = references(analysis, position, true).map((l) => key(l.range));
      const edit = rename(analysis, position, 'renamed_name');
      assert.ok(edit && !(edit instanceof ResponseError), `${entry.kind} '${entry.name}': the rename was refused`);
      const edits = edit.changes?.[uri] ?? [];
      assert.deepEqual(edits.map((e) => e.newText), edits.map(() => 'renamed_name'), `${entry.kind} '${entry.name}'`);
      assert.deepEqual(edits.map((e) => key(e.range)).sort(), [...found].sort(), `${entry.kind} '${entry.name}'`);
    }
  }
});

test("find references on a master lists the master half of 'gpu.cp' in a handler expression, as rename edits it", () => {
  const analysis = analysisOf(withHandler);
  const found = references(analysis, positionIn(analysis, 'gpu {'), true).map((l) => l.range);
  const master = (context: string): Range => ({ start: positionIn(analysis, 'gpu', 0, context), end: positionIn(analysis, 'gpu', 3, context) });
  assert.deepEqual(found, [master('master gpu'), master('engine gpu.cp'), master('== gpu.cp')]);
});

test("a vm and a stage-2 domain rename where they are declared and where 'vm', 'nested' and 'stage2' name them", () => {
  const text = 'smmu s { version v3 }\ndomain vm_s2 { stage 2 }\nvm guest0 { stage2 vm_s2 }\ndomain g { nested vm_s2; vm guest0 }\n';
  const analysis = analysisOf(text);
  assert.equal(renamed(analysis, positionIn(analysis, 'guest0', 0, 'vm g'), 'guest1'), text.replace(/guest0/g, 'guest1'));
  assert.equal(renamed(analysis, positionIn(analysis, 'vm_s2', 0, 'nested'), 'ipa'), text.replace(/vm_s2/g, 'ipa'));
});
