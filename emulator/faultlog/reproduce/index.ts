/**
 * `reproduce`: one report's decoded fields in, a scenario whose run prints the report's
 * kernel line again out (or why the language cannot say it). Pure functions: no I/O.
 */
export { reproduceAdrenoGpuFault } from './adrenoGpuFault';
export type { AdrenoGpuFault } from './adrenoGpuFault';
export { reproduceArmSmmuContextFault } from './armSmmuContextFault';
export type { ArmSmmuContextFault } from './armSmmuContextFault';
export { reproduceArmSmmuV3Event } from './armSmmuV3Event';
export type { ArmSmmuV3Event } from './armSmmuV3Event';
export type { Reproduction } from './result';
