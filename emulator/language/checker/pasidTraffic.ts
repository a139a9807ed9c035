import { EngineDeclaration, MasterDeclaration, Transaction } from '../ast';
import { transactionsOf } from '../engineItems';
import { constantValue } from '../evaluate';
import { recordedSubstreamId, SUBSTREAMID_BITS } from '../../smmu/v3/eventRecord';
import { CheckContext } from './context';
import { placedMasters, v3Attachment } from './v3Attachments';
import { CheckedContainer } from './vfio';

/**
 * What an SMMUv3 does with a transaction carrying `pasid N`, given the STE and CD table Linux
 * writes for its master (emulator/smmu/v3/program.ts, config.ts): a master with PASID
 * bindings gets S1CDMax = ssid-bits and S1DSS = SSID0 (SubstreamID 0 is the traffic without
 * a PASID), and a CD per binding; one without bindings gets S1CDMax = 0 (substreams off).
 */
export type PasidOutcome =
  | { kind: 'bound'; domain: string }
  | { kind: 'fault'; event: 'C_BAD_SUBSTREAMID' | 'F_STREAM_DISABLED' | 'C_BAD_CD'; reason: string };

export interface PasidTable {
  master: string;
  smmu: string;
  ssidBits: bigint;
  /** PASID → the domain bound there, as written. */
  bindings: Map<bigint, string>;
}

export function pasidOutcome(table: PasidTable, pasid: bigint): PasidOutcome {
  const outcome = configurationOutcome(table, pasid);
  // The record's SubstreamID is 20 bits: of a wider PASID it keeps the low ones (emulator/smmu/v3/eventRecord.ts).
  const recorded = BigInt(recordedSubstreamId(pasid));
  if (outcome.kind === 'fault' && recorded !== pasid) return { ...outcome, reason: `${outcome.reason}; its event record keeps SubstreamID bits [${SUBSTREAMID_BITS - 1}:0], ${recorded}` };
  return outcome;
}

function configurationOutcome(table: PasidTable, pasid: bigint): PasidOutcome {
  const bound = table.bindings.get(pasid);
  if (table.bindings.size === 0) {
    return {
      kind: 'fault',
      event: 'C_BAD_SUBSTREAMID',
      reason: `master '${table.master}' binds no PASID ('pasid N -> DOMAIN'), so its STE has S1CDMax=0 (substreams disabled)`,
    };
  }
  if (table.ssidBits === 0n) {
    return { kind: 'fault', event: 'C_BAD_SUBSTREAMID', reason: `smmu '${table.smmu}' has ssid-bits 0 (IDR1.SSIDSIZE=0): it takes no SubstreamID` };
  }
  if (pasid >= 1n << table.ssidBits) {
    return {
      kind: 'fault',
      event: 'C_BAD_SUBSTREAMID',
      reason: `it is beyond the CD table of master '${table.master}' (S1CDMax=${table.ssidBits}, the ssid-bits of smmu '${table.smmu}')`,
    };
  }
  if (pasid === 0n) {
    return {
      kind: 'fault',
      event: 'F_STREAM_DISABLED',
      reason: `Linux's STE has S1DSS=0b10 (SSID0), which keeps SubstreamID 0 for traffic without a PASID; leave 'pasid' out to use the domain of master '${table.master}'`,
    };
  }
  if (bound === undefined) {
    return {
      kind: 'fault',
      event: 'C_BAD_CD',
      reason: `master '${table.master}' binds no PASID ${pasid} ('pasid ${pasid} -> DOMAIN' is missing), so CD ${pasid} of its CD table is invalid (V=0)`,
    };
  }
  return { kind: 'bound', domain: bound };
}

/** The PASID table of a master on an SMMUv3 that is attached at start (v3Attachments.ts); an unattached master's STE aborts everything. */
export function pasidTableOf(master: MasterDeclaration, context: Pick<CheckContext, 'settings' | 'smmuOf' | 'symbols' | 'ownAttached'>, placed: ReadonlySet<MasterDeclaration>): PasidTable | undefined {
  const smmu = context.smmuOf.get(master);
  if (!smmu?.declaration || !v3Attachment(master, context, placed)) return undefined;
  const bindings = new Map<bigint, string>();
  for (const binding of master.pasids) {
    if (binding.pasid && binding.domain && !bindings.has(binding.pasid.value)) bindings.set(binding.pasid.value, binding.domain.text);
  }
  return { master: master.name?.text ?? '?', smmu: smmu.name, ssidBits: context.settings.get(smmu.declaration)?.number('ssid-bits') ?? 0n, bindings };
}

/** The constant `pasid N` of a transaction, if it has one. */
export function transactionPasid(transaction: Transaction): { value: bigint; range: { start: number; end: number } } | undefined {
  const option = transaction.options.find((o) => o.kind === 'pasid');
  const value = option?.kind === 'pasid' && option.value ? constantValue(option.value) : undefined;
  return option && typeof value === 'bigint' ? { value, range: option.range } : undefined;
}

/** A transaction whose PASID its master does not bind: it will abort with a configuration event. */
export function checkPasidTraffic(engines: readonly EngineDeclaration[], containers: readonly CheckedContainer[], context: CheckContext): void {
  const placed = placedMasters(containers);
  for (const engine of engines) {
    const master = engine.name ? context.symbols.get('master', engine.name.master.text)?.declaration : undefined;
    const table = master ? pasidTableOf(master, context, placed) : undefined;
    if (!table) continue;
    for (const transaction of transactionsOf(engine.body)) {
      const pasid = transactionPasid(transaction);
      const outcome = pasid ? pasidOutcome(table, pasid.value) : undefined;
      if (!pasid || outcome?.kind !== 'fault') continue;
      context.sink.warning('pasid-unbound', pasid.range, `pasid ${pasid.value} will abort with ${outcome.event}: ${outcome.reason}`);
    }
  }
}
