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

const CYCLE_KEY = fieldPrefix('cycle');
const THREAD_KEY = fieldPrefix('thread');
const MESSAGE_KEY = fieldPrefix('message');
const KERNEL_KEY = fieldPrefix('kernel');

/**
 * A log's element, `{ "cycle", "thread", "message", "kernel"? }` (`kernel` only for the
 * kernel's lines): made in one piece, as `element` would make it, since a fault storm's
 * kernel prints hundreds of thousands.
 */
export function logElement(cycle: number, thread: string | null, message: string, kernel: string | undefined): string {
  const level = kernel ? `,\n${KERNEL_KEY}${JSON.stringify(kernel)}` : '';
  return `    {\n${CYCLE_KEY}${cycle},\n${THREAD_KEY}${scalar(thread)},\n${MESSAGE_KEY}${JSON.stringify(message)}${level}\n    }`;
}
