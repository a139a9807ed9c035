/** The CP's TTBR0 switches, as the debugger names them (the machine's own text, one definition). */
export { ttbrSwitchText } from '../machine/ttbrSwitch';
export type { TtbrSwitchRecord } from '../machine/ttbrSwitch';
