import { Setting, SettingValue, StringLiteral, Word } from '../ast';
import { DiagnosticSink } from '../diagnostics';
import { BlockKind, SettingSpec, settingSpec, sizeValue, SmmuVersion } from '../schema';
import { LineIndex } from '../source';
import { suggest } from '../suggestions';
import { checkExistsOn } from './versionRule';

/**
 * The settings of one block, checked against the schema, with defaults filled in.
 * A setting whose value is wrong is reported and reads as its default.
 */
export class BlockSettings {
  private readonly values = new Map<string, bigint | string | true>();
  private readonly nodes = new Map<string, Setting>();

  constructor(
    readonly block: BlockKind,
    settings: readonly Setting[],
    sink: DiagnosticSink | undefined,
    lines: LineIndex,
    /** The SMMU version the block belongs to, when known: settings of the other version are errors. */
    version: SmmuVersion | undefined,
    owner: string,
    /** The name of the SMMU the block is on, when known (for messages). */
    smmu?: string,
  ) {
    for (const setting of settings) {
      const spec = settingSpec(block, setting.key.text);
      if (!spec) continue; // the parser has reported it
      const first = this.nodes.get(spec.key);
      if (first) {
        sink?.error('duplicate-setting', setting.key.range, `'${spec.key}' is set twice in ${owner} (first on line ${lines.lineOf(first.range.start)})`, [
          { range: first.range, message: `first '${spec.key}'` },
        ]);
        continue;
      }
      this.nodes.set(spec.key, setting);
      if (version && !checkExistsOn(spec, 'setting', { word: spec.key, version, owner, smmu }, setting.key.range, sink)) continue;
      const value = checkValue(spec, setting, sink);
      if (value !== undefined) this.values.set(spec.key, value);
    }
  }

  node(key: string): Setting | undefined {
    return this.nodes.get(key);
  }

  number(key: string): bigint {
    const value = this.writtenNumber(key);
    if (value !== undefined) return value;
    const spec = this.spec(key);
    if (spec.value.kind !== 'number' || spec.value.default === undefined) throw new Error(`'${key}' is not a number setting with a default`);
    return spec.value.default;
  }

  /** A number setting's value when it is written and checked out; undefined when left out (a setting without a default). */
  writtenNumber(key: string): bigint | undefined {
    const value = this.values.get(key);
    return typeof value === 'bigint' ? value : undefined;
  }

  word(key: string): string {
    const value = this.values.get(key);
    if (typeof value === 'string') return value;
    const spec = this.spec(key);
    if (spec.value.kind === 'enum') return spec.value.default;
    throw new Error(`'${key}' has no default word`);
  }

  flag(key: string): boolean {
    return this.values.get(key) === true;
  }

  /** A text setting's value, if it is set and valid. */
  text(key: string): string | undefined {
    const value = this.values.get(key);
    return typeof value === 'string' && this.nodes.get(key)?.value?.kind === 'string' ? value : undefined;
  }

  /** The name a `name` setting refers to, as written, if it is set. */
  name(key: string): Word | undefined {
    const value = this.nodes.get(key)?.value;
    return value?.kind === 'word' && this.values.has(key) ? value : undefined;
  }

  private spec(key: string): SettingSpec {
    const spec = settingSpec(this.block, key);
    if (!spec) throw new Error(`no setting '${key}' in a ${this.block} block`);
    return spec;
  }
}

function checkValue(spec: SettingSpec, setting: Setting, sink: DiagnosticSink | undefined): bigint | string | true | undefined {
  const { value } = setting;
  const key = spec.key;
  switch (spec.value.kind) {
    case 'flag':
      return true;
    case 'number': {
      if (!value) return undefined;
      if (value.kind !== 'number') {
        sink?.error('bad-value', value.range, `'${key}' takes a number, not ${written(value)}`);
        return undefined;
      }
      const { min, max, powerOfTwo } = spec.value;
      if (value.value < min || value.value > max) {
        sink?.error('bad-value', value.range, `'${key}' must be between ${min} and ${max}, not ${value.value}`);
        return undefined;
      }
      if (powerOfTwo && (value.value & (value.value - 1n)) !== 0n) {
        sink?.error('bad-value', value.range, `'${key}' must be a power of two, not ${value.value}`);
        return undefined;
      }
      const sizes = spec.value.sizes;
      if (sizes && !sizes.some((size) => sizeValue(size) === value.value)) {
        sink?.error('bad-value', value.range, `'${key}' must be ${listOr(sizes)}, not ${value.text}`);
        return undefined;
      }
      return value.value;
    }
    case 'enum': {
      if (!value) return undefined;
      const allowed = spec.value.values;
      if (value.kind !== 'word' || !allowed.includes(value.text)) {
        const meant = value.kind === 'word' ? suggest(value.text, value.range, allowed) : undefined;
        sink?.error('bad-value', value.range, `'${key}' must be ${listOr(allowed)}, not ${written(value)}${meant?.hint ?? ''}`, undefined, meant?.fix);
        return undefined;
      }
      return value.text;
    }
    case 'text':
      return value?.kind === 'string' ? checkText(key, value, sink) : undefined;
    case 'name': {
      if (!value) return undefined;
      if (value.kind !== 'word') {
        const article = /^[aeiou]|^smmu/.test(spec.value.of) ? 'an' : 'a';
        sink?.error('bad-value', value.range, `'${key}' takes the name of ${article} ${spec.value.of}, not a number`);
        return undefined;
      }
      return value.text;
    }
  }
}

/**
 * A name the kernel prints between other words (dev_name() in every line of a device): the
 * log readers split at white space, so a name holds none, nor control characters.
 */
function checkText(key: string, value: StringLiteral, sink: DiagnosticSink | undefined): string | undefined {
  if (value.value === '') {
    sink?.error('bad-value', value.range, `'${key}' cannot be empty`);
    return undefined;
  }
  const bad = /[\s\p{Cc}]/u.exec(value.value)?.[0];
  if (bad !== undefined) {
    const code = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    const what = /\s/.test(bad) ? `white space (${bad === ' ' ? 'a space' : code})` : `a control character (${code})`;
    sink?.error('bad-value', value.range, `'${key}' cannot hold ${what}: the kernel prints the name as one word`);
    return undefined;
  }
  return value.value;
}

/** How a message quotes a written value: `'foo'`, `'0x10'`, `"a b"`. */
function written(value: SettingValue): string {
  return value.kind === 'string' ? `"${value.value}"` : `'${value.text}'`;
}

/** `a, b or c`. */
export function listOr(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
