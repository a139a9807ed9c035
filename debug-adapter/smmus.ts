import { Machine } from '../emulator/machine/machine';
import { FSR, setFlags } from '../emulator/inspect/registers';
import { hex, hex32 } from '../emulator/util/u64';
import { Debuggee } from './debuggee';
import { SmmuResponseBody, SmmuSummary, StreamSummary } from './protocol';
import { cdAddress, readStructure, steSummary } from '../emulator/inspect/streams';
import { registerVariables } from './variables/registers';
import { VariableStore } from './variables/store';
import { streamRegisterVariables } from './variables/streamRegisters';
import { contextBanksOf, streamTableOf } from '../emulator/inspect/smmus';

function streamsOf(machine: Machine, store: VariableStore, index: number): StreamSummary[] {
  const waiting = [...machine.state.transactions.values()].filter((t) => t.status === 'stalled' && t.smmu === index);
  return streamTableOf(machine.state, index).map((stream) => ({
    sid: stream.sid,
    master: machine.model.masters[stream.master]?.name ?? '?',
    ste: hex(stream.ste),
    config: steSummary(readStructure(machine, stream.ste)),
    cds: stream.cds.map((cd) => ({ ssid: cd.ssid, domain: machine.model.domains[cd.domain]?.name ?? '?', asid: cd.asid, address: hex(cdAddress(machine, stream, cd.ssid) ?? 0) })),
    stalled: waiting.filter((t) => t.sid === stream.sid).length,
    variablesReference: store.add(streamRegisterVariables(machine, store, index, stream.sid, undefined)),
  }));
}

/**
 * `iommu/smmu`: every SMMU — an SMMUv2's context banks in use, an SMMUv3's streams —
 * each opening through `variables` like the Registers scope.
 */
export function smmus(debuggee: Debuggee, store: VariableStore, onWrite: () => void): SmmuResponseBody {
  const machine = debuggee.machine;
  return {
    smmus: machine.model.smmus.map(
      (smmu, index): SmmuSummary => ({
        name: smmu.name,
        version: smmu.version,
        contextBanks: contextBanksOf(machine.state, index).map((bank) => ({
          cbndx: bank.cbndx,
          domain: machine.model.domains[bank.domain]?.name ?? null,
          fsr: hex32(bank.fsr >>> 0),
          fsrFlags: setFlags(FSR, BigInt(bank.fsr >>> 0)),
          stalled: bank.stalled.length + bank.behind.length,
          variablesReference: store.add(registerVariables(machine, store, index, bank.cbndx, onWrite)),
        })),
        streams: streamsOf(machine, store, index),
      }),
    ),
  };
}
