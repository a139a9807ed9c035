import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../../emulator/language/source';

/*
 * Offsets and LSP positions convert as editors convert them (vscode-languageserver-textdocument,
 * what the language server's client side uses): `\n`, `\r\n` and `\r` end lines, and a
 * position past the end of its line is the line's end, before its line break.
 */

test('past the end of a line ending in \\r\\n: the end of its content, not between \\r and \\n', () => {
  const index = new LineIndex('ab\r\ncd');
  assert.equal(index.offsetAt({ line: 0, character: 9 }), 2);
  assert.deepEqual(index.positionAt(index.offsetAt({ line: 0, character: 9 })), { line: 0, character: 2 });
  assert.equal(index.offsetAt({ line: 1, character: 9 }), 6);
  assert.equal(index.offsetAt({ line: 5, character: 0 }), 6);
});

test('property: offsetAt and positionAt agree with TextDocument on any text and any position', () => {
  const text = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\r\n', '\u{1F600}'), maxLength: 40 });
  fc.assert(
    fc.property(text, fc.nat({ max: 12 }), fc.nat({ max: 12 }), fc.nat({ max: 50 }), (source, line, character, offset) => {
      const index = new LineIndex(source);
      const document = TextDocument.create('file:///x.iommu', 'iommu-scenario', 1, source);
      assert.equal(index.lineCount, document.lineCount);
      assert.equal(index.offsetAt({ line, character }), document.offsetAt({ line, character }));
      assert.deepEqual(index.positionAt(offset), document.positionAt(offset));
    }),
    { numRuns: 5000 },
  );
});
