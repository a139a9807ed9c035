import { Declaration } from '../language/ast';
import { CheckResult } from '../language/checker/check';
import { BlockSettings } from '../language/checker/settings';
import { LineIndex } from '../language/source';

/** Reads the settings the checker stored, or the defaults when a block had none. */
export class SettingsReader {
  constructor(
    private readonly checked: CheckResult,
    private readonly lines: LineIndex,
  ) {}

  of(declaration: Declaration | undefined, block: ConstructorParameters<typeof BlockSettings>[0]): BlockSettings {
    return (declaration && this.checked.settings.get(declaration)) ?? new BlockSettings(block, [], undefined, this.lines, undefined, '');
  }

  number(settings: BlockSettings, key: string): number {
    return Number(settings.number(key));
  }
}
