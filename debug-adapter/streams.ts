import { Machine } from '../emulator/machine/machine';
import { StreamTableEntryState } from '../emulator/smmu/v3/v3State';
import { decodeCd } from '../emulator/smmu/v3/cd';
import { streamConfig } from '../emulator/smmu/v3/config';
import { CD_BYTES } from '../emulator/smmu/v3/program';
import { decodeSte } from '../emulator/smmu/v3/ste';
import { hex } from '../emulator/util/u64';
import { v3StateOf } from '../emulator/smmu/smmuState';

/** STEs and CDs are eight dwords. */
const STRUCTURE_DWORDS = 8;

/** Where Linux put a stream's STE and CD table on an SMMUv3 (undefined on an SMMUv2 or for an unknown StreamID). */
export function streamOf(machine: Machine, smmu: number, sid: number): StreamTableEntryState | undefined {
  return v3StateOf(machine.state, smmu)?.streams.find((s) => s.sid === sid);
}

/**
 * The domain an SMMUv3 reaches now for a StreamID and SubstreamID, read as the SMMU reads
 * them — the STE and CD words in memory, so an edit in the memory view counts — or why it
 * reaches none (`C_BAD_CD: CD 2 of StreamID 0x10 is not valid (V=0)`).
 */
export function domainViaCd(machine: Machine, smmu: number, sid: number, ssid: number | undefined): { domain: number } | { reason: string } {
  const v3 = v3StateOf(machine.state, smmu);
  if (!v3) return { reason: 'not an SMMUv3' };
  const config = streamConfig(machine.runtime, smmu, v3, sid, ssid === undefined ? undefined : BigInt(ssid));
  if (config.kind === 'translate') return { domain: config.domain };
  return { reason: config.kind === 'error' ? `${config.event}: ${config.reason}` : config.reason };
}

/** A structure's dwords as they are in emulated memory now. */
export function readStructure(machine: Machine, pa: number): bigint[] {
  return Array.from({ length: STRUCTURE_DWORDS }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
}

export function cdAddress(stream: StreamTableEntryState, ssid: number): number | undefined {
  return stream.cdTable === undefined ? undefined : stream.cdTable + ssid * CD_BYTES;
}

/** An STE in a few words: `stage 1 · CD at 0x40003000 · ATS`, `abort`, `invalid`. */
export function steSummary(dwords: readonly bigint[]): string {
  try {
    const ste = decodeSte(dwords);
    if (!ste.valid) return 'invalid (V=0)';
    if (ste.config !== 's1') return ste.config;
    const cds = ste.s1CdMax === 0 ? `CD at ${hex(ste.s1ContextPtr)}` : `${2 ** ste.s1CdMax} CDs at ${hex(ste.s1ContextPtr)}`;
    return ['stage 1', cds, ...(ste.eats !== 0 ? ['ATS'] : []), ...(ste.s1Stalld ? ['S1STALLD'] : [])].join(' · ');
  } catch (error) {
    return `not decodable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A CD in a few words: `gpu_dom · ASID 1 · TTB0 0x40000000 · stall`. */
export function cdSummary(machine: Machine, dwords: readonly bigint[]): string {
  const cd = decodeCd(dwords);
  if (!cd.valid) return 'invalid (V=0)';
  const domain = machine.runtime.tables.findIndex((t) => BigInt(t.root) === cd.ttb0);
  const name = machine.model.domains[domain]?.name ?? 'no domain';
  const fault = cd.s ? 'stall' : `terminate${cd.r ? ', recorded' : ''} (${cd.a ? 'abort' : 'RAZ/WI'})`;
  return `${name} · ASID ${cd.asid} · TTB0 ${hex(cd.ttb0)} · ${fault}`;
}
