import { Runtime } from '../../machine/runtime';
import { TransactionState } from '../../machine/state';
import { endTransaction, retryTransaction } from '../../machine/transactions';
import { Command, commandText, decodeCommand, encodeCommand, ResumeAction } from './commands';
import { v3State } from './eventq';
import { knownTlbContext } from './v3State';
import { deliverPrgResponse } from './pri';
import { consume, produce } from './queue';
import { hex } from '../../util/u64';

/** The stalled transaction resumes: retried as though it had just arrived, or terminated (RAZ/WI) or aborted (4.7.1). */
function resume(rt: Runtime, transaction: TransactionState, action: ResumeAction, why: string): void {
  if (transaction.lastFault !== undefined) rt.journal.answer(transaction.lastFault, action);
  if (action === 'retry') {
    retryTransaction(rt, transaction);
  } else {
    endTransaction(rt, transaction, action === 'abort' ? 'aborted' : 'raz', why);
  }
}

function execute(rt: Runtime, smmu: number, command: Command): string {
  const v3 = v3State(rt, smmu);
  switch (command.op) {
    case 'CMD_RESUME': {
      const at = v3.stalls.findIndex((s) => s.stag === command.stag && s.sid === command.sid);
      // No stalled transaction with that StreamID and STAG: the command is a no-op (4.7.1).
      if (at < 0) return 'no transaction is stalled with this StreamID and STAG: no effect';
      const [stall] = v3.stalls.splice(at, 1);
      const transaction = stall && rt.state.transactions.get(stall.transaction);
      if (!transaction) return 'no effect';
      resume(rt, transaction, command.action, `CMD_RESUME ${command.action}`);
      return `#${transaction.id} ${command.action === 'retry' ? 'retried' : command.action === 'abort' ? 'aborted' : 'terminated (RAZ/WI)'}`;
    }
    case 'CMD_STALL_TERM': {
      const stalls = v3.stalls.filter((s) => s.sid === command.sid);
      v3.stalls = v3.stalls.filter((s) => s.sid !== command.sid);
      for (const stall of stalls) {
        const transaction = rt.state.transactions.get(stall.transaction);
        if (transaction) resume(rt, transaction, 'abort', 'CMD_STALL_TERM');
      }
      return stalls.length === 0 ? 'no stalled transaction: no effect' : `terminated ${stalls.map((s) => `#${s.transaction}`).join(', ')}`;
    }
    case 'CMD_PRI_RESP':
      return deliverPrgResponse(rt, smmu, command.sid, command.prgi, command.response, false);
    case 'CMD_SYNC':
      return 'every command before it has completed';
    // The TLB holds leaf entries only (no walk caches), so Leaf changes nothing here; entries are tagged by VMID and ASID.
    case 'CMD_TLBI_NH_ASID': {
      const tag = knownTlbContext(v3State(rt, smmu), command.vmid, command.asid);
      if (tag !== undefined) rt.tlbs[smmu]?.invalidateContext(tag);
      return `${contextName(command)}'s TLB entries invalidated`;
    }
    case 'CMD_TLBI_NH_VA': {
      const tag = knownTlbContext(v3State(rt, smmu), command.vmid, command.asid);
      if (tag !== undefined) rt.tlbs[smmu]?.invalidateVa(tag, Number(command.address >> 12n));
      return `${contextName(command)}'s entries for ${hex(command.address)} invalidated`;
    }
  }
}

/** `ASID 1`, `VMID 3 ASID 1`: the host's stage-1 contexts have VMID 0. */
function contextName(command: { vmid: number; asid: number }): string {
  return command.vmid === 0 ? `ASID ${command.asid}` : `VMID ${command.vmid} ASID ${command.asid}`;
}

/**
 * The driver writes commands at CMDQ_PROD and the SMMU consumes them in order: each is
 * encoded into the command queue in memory, read back and executed. Returns what each did.
 */
export function submitCommands(rt: Runtime, smmu: number, commands: readonly Command[]): string[] {
  const v3 = v3State(rt, smmu);
  const effects: string[] = [];
  for (const command of commands) {
    if (produce(rt.memory, v3.cmdq, encodeCommand(command)) === 'full') throw new Error('the command queue is full');
    const entry = consume(rt.memory, v3.cmdq);
    if (!entry) continue;
    const decoded = decodeCommand(entry.dwords);
    const effect = execute(rt, smmu, decoded);
    effects.push(`${commandText(decoded)}: ${effect}`);
    if (rt.observed) rt.emit({ kind: 'command', time: rt.state.now, smmu, dwords: entry.dwords, text: commandText(decoded), effect });
  }
  return effects;
}
