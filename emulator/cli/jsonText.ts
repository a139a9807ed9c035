/**
 * The text of the `--json` document, exactly as `JSON.stringify(document, null, 2)` would
 * print it, written a piece at a time: its arrays' elements at four spaces, their fields at six.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type FlatJson = { [key: string]: null | boolean | number | string };

/**
 * An element of the document's arrays: a flat object (a fault, a log — millions of them)
 * field by field, anything else through `JSON.stringify`.
 */
export function element(value: Json): string {
  if (isFlat(value)) {
    let text = '';
    for (const key in value) text += `${text === '' ? '' : ','}\n${fieldPrefix(key)}${scalar(value[key] ?? null)}`;
    return text === '' ? '    {}' : `    {${text}\n    }`;
  }
  return `    ${JSON.stringify(value, null, 2).replace(/\n/g, '\n    ')}`;
}

/** `      "key": ` for each key seen: a few keys, millions of elements. */
const fieldPrefixes = new Map<string, string>();
export function fieldPrefix(key: string): string {
  let prefix = fieldPrefixes.get(key);
  if (prefix === undefined) fieldPrefixes.set(key, (prefix = `      ${JSON.stringify(key)}: `));
  return prefix;
}

export function scalar(value: null | boolean | number | string): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isFlat(value: Json): value is FlatJson {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) {
    const field = value[key];
    if (field !== null && typeof field === 'object') return false;
  }
  return true;
}

/** `  "key": value` at the document's top level. */
export function member(key: string, value: Json): string {
  return `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
}
