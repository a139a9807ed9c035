import { ErrorId, RequestError } from './errors';

/** Bounds of a whole-number argument; both inclusive. */
export interface IntegerRange {
  min?: number;
  max?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rangeWords({ min, max }: IntegerRange): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/**
 * A request's arguments as they arrived: untyped, whatever the protocol's types say. Each
 * argument is checked as it is read, and a wrong one refused with the request and the
 * argument named (`stackTrace: 'levels' must be a whole number of at least 0`).
 */
export class RequestArguments {
  private constructor(
    private readonly command: string,
    private readonly args: Record<string, unknown>,
    /** `source.path`: where a nested object sits, for the messages. */
    private readonly prefix = '',
  ) {}

  /** The arguments of a request: absent ones read as `{}`; anything but an object is refused. */
  static of(command: string, raw: unknown): RequestArguments {
    if (raw === undefined || raw === null) return new RequestArguments(command, {});
    if (!isRecord(raw)) throw new RequestError(`${command}: the arguments must be an object, not ${JSON.stringify(raw)}`, ErrorId.BadArguments);
    return new RequestArguments(command, raw);
  }

  private refuse(name: string, what: string): never {
    throw new RequestError(`${this.command}: '${this.prefix}${name}' must be ${what}`, ErrorId.BadArguments);
  }

  /** Every argument as sent: for the launch attributes, which their own schema checks. */
  get raw(): Readonly<Record<string, unknown>> {
    return this.args;
  }

  has(name: string): boolean {
    return this.args[name] !== undefined;
  }

  integer(name: string, range: IntegerRange = {}): number {
    const value = this.args[name];
    const fits = typeof value === 'number' && Number.isSafeInteger(value) && (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
    if (!fits) this.refuse(name, `a whole number${rangeWords(range)}`);
    return value;
  }

  optionalInteger(name: string, range: IntegerRange = {}): number | undefined {
    return this.has(name) ? this.integer(name, range) : undefined;
  }

  string(name: string): string {
    const value = this.args[name];
    if (typeof value !== 'string') this.refuse(name, 'a string');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.args[name];
    if (value !== undefined && typeof value !== 'boolean') this.refuse(name, 'true or false');
    return value;
  }

  /** A nested object, read the same way. */
  object(name: string): RequestArguments {
    const value = this.args[name];
    if (!isRecord(value)) this.refuse(name, 'an object');
    return new RequestArguments(this.command, value, `${this.prefix}${name}.`);
  }

  /** An array of objects, each read the same way (`breakpoints[2].line`). */
  objects(name: string): RequestArguments[] {
    const value = this.args[name];
    if (!Array.isArray(value)) this.refuse(name, 'an array');
    return value.map((item: unknown, index) => {
      if (!isRecord(item)) this.refuse(`${name}[${index}]`, 'an object');
      return new RequestArguments(this.command, item, `${this.prefix}${name}[${index}].`);
    });
  }

  optionalObjects(name: string): RequestArguments[] | undefined {
    return this.has(name) ? this.objects(name) : undefined;
  }

  integers(name: string): number[] {
    const value = this.args[name];
    if (!Array.isArray(value) || !value.every((item): item is number => typeof item === 'number' && Number.isSafeInteger(item))) this.refuse(name, 'an array of whole numbers');
    return value;
  }

  strings(name: string): string[] {
    const value = this.args[name];
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) this.refuse(name, 'an array of strings');
    return value;
  }
}
