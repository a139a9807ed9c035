/**
 * What the machine will do next, as the debugger's stepping reads it: the scheduled action
 * at the head of the event queue, the engine op a program counter names, and the
 * transaction an engine is about to issue.
 */
export type { Action } from '../machine/actions';
export type { Scheduled } from '../machine/eventQueue';
export { upcomingTransaction } from '../machine/engines';
export type { EngineOp } from '../scenario/engineProgram';
