import { RequestError } from './errors';

/** Custom requests arrive untyped: each argument is checked before use. */
export class RequestArguments {
  constructor(
    private readonly command: string,
    private readonly args: Record<string, unknown>,
  ) {}

  number(name: string): number {
    const value = this.args[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RequestError(`${this.command}: '${name}' must be a number`);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    return this.args[name] === undefined ? undefined : this.number(name);
  }

  string(name: string): string {
    const value = this.args[name];
    if (typeof value !== 'string') throw new RequestError(`${this.command}: '${name}' must be a string`);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.args[name] === undefined ? undefined : this.string(name);
  }
}
