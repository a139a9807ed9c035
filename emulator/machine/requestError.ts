/** A request the machine refuses (resume a transaction that is not stalled …): the message says why. */
export class MachineRequestError extends Error {}
