import { Setting } from '../emulator/language/ast';
import { contains, Range } from '../emulator/language/source';

/**
 * The part of a setting under the cursor, its key or its value, or undefined between them
 * (on text the parser skipped: a hover there would describe what the cursor is not on).
 */
export function settingPartAt(setting: Setting, offset: number): Range | undefined {
  if (contains(setting.key.range, offset)) return setting.key.range;
  return setting.value && contains(setting.value.range, offset) ? setting.value.range : undefined;
}
