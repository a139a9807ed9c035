import { Runtime } from '../../machine/runtime';
import { PA_LIMIT } from '../../memory/physicalMemory';
import { SmmuV3State } from './v3State';
import { hex } from '../../util/u64';
import { CdFields, decodeCd } from './cd';
import { EventName, recordedSubstreamId, SUBSTREAMID_BITS } from './eventRecord';
import { CD_BYTES, steAddress } from './program';
import { decodeSte, SteFields } from './ste';

/** What the STE and CD in memory say about one transaction, read as the SMMU reads them. */
export type StreamConfig =
  | { kind: 'error'; event: Extract<EventName, 'C_BAD_STREAMID' | 'C_BAD_STE' | 'C_BAD_SUBSTREAMID' | 'C_BAD_CD' | 'F_STREAM_DISABLED'>; reason: string }
  | { kind: 'abort'; reason: string }
  | { kind: 'bypass'; reason: string }
  | { kind: 'translate'; ste: SteFields; cd: CdFields; ssid: number | undefined; domain: number };

function readDwords(rt: Runtime, pa: number, count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => rt.memory.readU64(pa + 8 * i));
}

/** What makes an STE ILLEGAL here (5.2): stage 2, which this SMMU lacks; more CDs than SSIDSIZE; a CD table beyond the PA size; S1STALLD where stalling is not configurable. */
function steLegality(rt: Runtime, smmu: number, ste: SteFields): string | undefined {
  if (ste.config === 'stage2') return 'STE.Config=0b11x enables stage 2, but IDR0.S2P=0 (no stage 2): ILLEGAL';
  const { stallModel: model, ssidBits } = rt.model.smmus[smmu] ?? { stallModel: 'stall', ssidBits: 0 };
  // Without substreams (SSIDSIZE=0) S1CDMax is not checked (SteIllegal()).
  if (ste.config === 's1' && ssidBits > 0 && ste.s1CdMax > ssidBits) return `STE.S1CDMax=${ste.s1CdMax} but IDR1.SSIDSIZE=${ssidBits}: ILLEGAL`;
  if (ste.config === 's1' && ste.s1ContextPtr >= BigInt(PA_LIMIT)) return `STE.S1ContextPtr=${hex(ste.s1ContextPtr)} is beyond the 48-bit physical address size (IDR5.OAS): ILLEGAL`;
  // S1STALLD is only for an SMMU where stalling is configurable: with no stalls or forced stalls it is ILLEGAL.
  if (ste.s1Stalld && model !== 'stall') return `STE.S1STALLD=1 but IDR0.STALL_MODEL=${model === 'no-stall' ? '0b01 (no stall)' : '0b10 (stall forced)'}: ILLEGAL`;
  return undefined;
}

/** IDR0.STALL_MODEL and STE.S1STALLD against CD.S (5.4): what may stall and what must. */
function cdLegality(rt: Runtime, smmu: number, ste: SteFields, cd: CdFields): string | undefined {
  const model = rt.model.smmus[smmu]?.stallModel;
  if (cd.s && model === 'no-stall') return 'CD.S=1 but IDR0.STALL_MODEL=0b01 (no stall): ILLEGAL';
  if (cd.s && ste.s1Stalld) return 'CD.S=1 but STE.S1STALLD=1 (stalls disabled for this stream): ILLEGAL';
  if (!cd.s && model === 'force-stall') return 'CD.S=0 but IDR0.STALL_MODEL=0b10 (stall forced): ILLEGAL';
  return undefined;
}

/**
 * A SubstreamID the SMMU cannot hold: IDR1.SSIDSIZE is the width it can be presented with
 * (6.3.2), and with SSIDSIZE = 0 it takes none (7.3.9). Both are C_BAD_SUBSTREAMID, checked
 * before S1CDMax, so that a debugger's S1CDMax cannot make an unholdable SubstreamID index a CD.
 */
function substreamUnfit(ssidBits: number, pasid: bigint): string | undefined {
  if (ssidBits === 0) return `SubstreamID ${pasid}: the SMMU takes no SubstreamIDs (IDR1.SSIDSIZE=0)`;
  if (pasid < 1n << BigInt(ssidBits)) return undefined;
  const recorded = BigInt(recordedSubstreamId(pasid));
  const kept = recorded === pasid ? '' : `; the record's ${SUBSTREAMID_BITS}-bit SubstreamID keeps bits [${SUBSTREAMID_BITS - 1}:0], ${recorded}`;
  return `SubstreamID ${hex(pasid)} is wider than the SMMU's ${ssidBits} SubstreamID bits (IDR1.SSIDSIZE=${ssidBits})${kept}`;
}

/** The STE of `sid`, then (stage 1) the CD of its SubstreamID or of S1DSS, and the domain whose table TTB0 names. */
export function streamConfig(rt: Runtime, smmu: number, v3: SmmuV3State, sid: number, pasid: bigint | undefined): StreamConfig {
  const at = steAddress(rt.memory, v3, sid);
  if (at === 'beyond') return { kind: 'error', event: 'C_BAD_STREAMID', reason: `StreamID ${hex(sid)} is beyond the stream table's ${v3.sidBits} bits` };
  if (at === 'no-l2') return { kind: 'error', event: 'C_BAD_STREAMID', reason: `StreamID ${hex(sid)}: its level-1 descriptor has Span 0 (no STEs)` };
  const ste = decodeSte(readDwords(rt, at, 8));
  if (!ste.valid) return { kind: 'error', event: 'C_BAD_STE', reason: `the STE of StreamID ${hex(sid)} is not valid (V=0)` };
  const illegal = steLegality(rt, smmu, ste);
  if (illegal) return { kind: 'error', event: 'C_BAD_STE', reason: illegal };
  if (ste.config === 'abort') return { kind: 'abort', reason: `STE.Config=abort: StreamID ${hex(sid)} has no domain attached` };
  if (ste.config === 'bypass') return { kind: 'bypass', reason: 'STE.Config=bypass' };
  let ssid: number;
  if (pasid !== undefined) {
    const unfit = substreamUnfit(rt.model.smmus[smmu]?.ssidBits ?? 0, pasid);
    if (unfit) return { kind: 'error', event: 'C_BAD_SUBSTREAMID', reason: unfit };
    if (ste.s1CdMax === 0 || pasid >= 1n << BigInt(ste.s1CdMax)) {
      return { kind: 'error', event: 'C_BAD_SUBSTREAMID', reason: `SubstreamID ${pasid} is beyond STE.S1CDMax=${ste.s1CdMax}` };
    }
    ssid = Number(pasid);
    if (ssid === 0 && ste.s1Dss === 'ssid0') return { kind: 'error', event: 'F_STREAM_DISABLED', reason: 'SubstreamID 0 is reserved for traffic without one (S1DSS=0b10)' };
  } else if (ste.s1CdMax === 0) {
    ssid = 0;
  } else if (ste.s1Dss === 'bypass') {
    return { kind: 'bypass', reason: 'no SubstreamID and S1DSS=bypass' };
  } else if (ste.s1Dss === 'terminate') {
    return { kind: 'error', event: 'F_STREAM_DISABLED', reason: 'no SubstreamID and S1DSS=terminate' };
  } else {
    ssid = 0;
  }
  const cd = decodeCd(readDwords(rt, Number(ste.s1ContextPtr) + ssid * CD_BYTES, 8));
  if (!cd.valid) return { kind: 'error', event: 'C_BAD_CD', reason: `CD ${ssid} of StreamID ${hex(sid)} is not valid (V=0)` };
  const illegalCd = cdLegality(rt, smmu, ste, cd);
  if (illegalCd) return { kind: 'error', event: 'C_BAD_CD', reason: illegalCd };
  const domain = rt.tables.findIndex((table) => BigInt(table.root) === cd.ttb0);
  if (domain < 0) return { kind: 'error', event: 'C_BAD_CD', reason: `CD ${ssid}.TTB0=${hex(cd.ttb0)} is no domain's page table` };
  return { kind: 'translate', ste, cd, ssid: pasid === undefined ? undefined : ssid, domain };
}
