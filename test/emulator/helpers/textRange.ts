import assert from 'node:assert/strict';
import { Range } from '../../../emulator/language/source';

/** The range of `needle` inside the only occurrence of `context` in `text`. */
export function rangeIn(text: string, needle: string, context = needle): Range {
  const start = text.indexOf(context);
  assert.ok(start >= 0 && text.indexOf(context, start + 1) < 0, `'${context}' must occur once`);
  const offset = context.indexOf(needle);
  assert.ok(offset >= 0, `'${needle}' is not in '${context}'`);
  return { start: start + offset, end: start + offset + needle.length };
}
