import { Machine } from '../machine/machine';
import { StreamTableEntryState } from '../smmu/v3/v3State';
import { decodeCd } from '../smmu/v3/cd';
import { CD_BYTES } from '../smmu/v3/program';
import { decodeSte } from '../smmu/v3/ste';
import { hex } from '../util/u64';
import { streamTableOf } from '../smmu/structures';

/** STEs and CDs are eight dwords. */
const STRUCTURE_DWORDS = 8;

/** Where Linux put a stream's STE and CD table on an SMMUv3 (undefined on an SMMUv2 or for an unknown StreamID). */
export function streamOf(machine: Machine, smmu: number, sid: number): StreamTableEntryState | undefined {
  return streamTableOf(machine.state, smmu).find((s) => s.sid === sid);
}

/**
 * The domain a StreamID (and SubstreamID) reaches now, as the SMMU routes it — its SMRs and
 * S2CRs, or its STE and CD in memory, so an edit in a view counts — or why it reaches none
 * (`C_BAD_CD: CD 2 of StreamID 0x10 is not valid (V=0)`, `2 SMRs match StreamID 0x0 (sGFSR.SMCF)`).
 */
export function domainOfStream(machine: Machine, smmu: number, sid: number, ssid: number | undefined): { domain: number } | { reason: string } {
  const route = machine.smmu(smmu)?.route(sid, ssid);
  if (!route) return { reason: `there is no SMMU ${smmu}` };
  if (route.kind === 'translate') return { domain: route.context.domain };
  return route.kind === 'cd-fault' ? { reason: route.fault.reason } : { reason: route.reason };
}

/**
 * The domain a StreamID reaches on the SMMU its device sits behind (the SMMU of the masters
 * that declare it; every SMMU when none does): the first route that reaches a domain, else
 * why the first reaches none.
 */
export function domainOfAnyStream(machine: Machine, sid: number, ssid: number | undefined): { domain: number } | { reason: string } {
  const declaring = machine.model.masters.filter((m) => m.streams.some((s) => ((sid ^ s.id) & ~s.mask & 0xffff) === 0)).map((m) => m.smmu);
  const smmus = declaring.length > 0 ? [...new Set(declaring)] : machine.model.smmus.map((_, index) => index);
  const routes = smmus.map((smmu) => domainOfStream(machine, smmu, sid, ssid));
  return routes.find((r) => 'domain' in r) ?? routes[0] ?? { reason: 'there is no SMMU' };
}

/** A structure's dwords as they are in emulated memory now. */
export function readStructure(machine: Machine, pa: number): bigint[] {
  return Array.from({ length: STRUCTURE_DWORDS }, (_, i) => machine.runtime.memory.readU64(pa + 8 * i));
}

/** A nested stream's guest (STE.Config 0b111): its CD table is at an IPA, read through the VM's stage 2. */
function guestOf(machine: Machine, stream: StreamTableEntryState) {
  return stream.cds.map((cd) => machine.runtime.guests[cd.domain]).find((guest) => guest !== undefined);
}

/** Where the SMMU reads CD `ssid` of a stream (a nested stream's through stage 2: 3.3.2); undefined when it reads none. */
export function cdAddress(machine: Machine, stream: StreamTableEntryState, ssid: number): number | undefined {
  const at = cdIpa(stream, ssid);
  if (at === undefined) return undefined;
  const guest = guestOf(machine, stream);
  if (!guest) return at;
  const pa = guest.view.translate(BigInt(at));
  return pa === undefined ? undefined : Number(pa);
}

/** The address S1ContextPtr gives CD `ssid`: an IPA on a nested stream, else the PA. */
export function cdIpa(stream: StreamTableEntryState, ssid: number): number | undefined {
  return stream.cdTable === undefined ? undefined : stream.cdTable + ssid * CD_BYTES;
}

/** Whether a stream's CD addresses are IPAs (a nested stream's). */
export function cdsAtIpas(machine: Machine, stream: StreamTableEntryState): boolean {
  return guestOf(machine, stream) !== undefined;
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

/** STEs and CDs decoded field by field, for the Registers scope and the SMMU view. */
export { describeCd } from '../smmu/v3/cd';
export { describeSte } from '../smmu/v3/ste';
