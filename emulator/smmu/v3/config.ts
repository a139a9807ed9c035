import { Runtime } from '../../machine/runtime';
import { PA_LIMIT } from '../../memory/physicalMemory';
import { SmmuV3State } from './v3State';
import { hex } from '../../util/u64';
import { CdFields, decodeCd } from './cd';
import { EventName, recordedSubstreamId, SUBSTREAMID_BITS } from './eventRecord';
import { CD_BYTES, steAddress } from './program';
import { DecodedStructures } from './decodedStructures';
import { decodeSte, stage1Enabled, stage2Enabled, SteFields } from './ste';
import { NestedFault, translateIpa } from '../../pgtable/nestedWalker';
import { Stage2TableConfig } from '../../pgtable/stage2Walker';
import { stage2Layout, startLevelOfSl0 } from '../../pgtable/stage2Geometry';
import { GRANULE_16K, GRANULE_4K, GRANULE_64K, Granule } from '../../pgtable/granule';

/** Stage 2 as the STE gives it: the stage-2 domain whose table S2TTB names, the VMID, and the walk's configuration. */
export interface Stage2Route {
  domain: number;
  vmid: number;
  config: Stage2TableConfig;
}

/** What the STE and CD in memory say about one transaction, read as the SMMU reads them. */
export type StreamConfig =
  | { kind: 'error'; event: Extract<EventName, 'C_BAD_STREAMID' | 'C_BAD_STE' | 'C_BAD_SUBSTREAMID' | 'C_BAD_CD' | 'F_STREAM_DISABLED'>; reason: string }
  | { kind: 'abort'; reason: string }
  | { kind: 'bypass'; reason: string }
  /** `cd` undefined: stage 1 bypassed (Config 0b110); `stage2` undefined: stage 2 bypassed (0b101). */
  | { kind: 'translate'; ste: SteFields; cd: CdFields | undefined; ssid: number | undefined; domain: number; stage2: Stage2Route | undefined }
  /** Nested: stage 2 faulted on the CD fetch at its IPA (CLASS=CD). */
  | { kind: 'cd-fault'; ste: SteFields; ssid: number | undefined; stage2: Stage2Route; fault: NestedFault; reads: number };

/** S2TG's granules (the TG0 encoding): 0b00 4KB, 0b01 64KB, 0b10 16KB; 0b11 is reserved. */
const S2TG_GRANULES: readonly (Granule | undefined)[] = [GRANULE_4K, GRANULE_64K, GRANULE_16K, undefined];
/** S2PS's output sizes, capped at the emulated SMMU's 48-bit IDR5.OAS (eff_S2PS = MIN(S2PS, OAS)). */
const S2PS_BITS: readonly number[] = [32, 36, 40, 42, 44, 48, 48, 48];

/** IDR5.OAS: 48 bits, as a BigInt to compare with the STE's pointers. */
const PA_LIMIT_BIG = BigInt(PA_LIMIT);

/** The stage-2 walk the STE describes (5.2: S2T0SZ, S2SL0, S2TG, S2PS, S2TTB), or why it is ILLEGAL. */
function stage2ConfigOf(ste: SteFields): Stage2TableConfig | string {
  const s2 = ste.s2;
  if (!s2.aa64) return 'STE.S2AA64=0 selects VMSAv8-32 LPAE tables, which this SMMU lacks (IDR0.TTF=0b10): ILLEGAL';
  const granule = S2TG_GRANULES[s2.tg];
  if (!granule) return `STE.S2TG=0b${s2.tg.toString(2)} is reserved: ILLEGAL`;
  const ias = 64 - s2.t0sz;
  const startLevel = startLevelOfSl0(s2.sl0, granule);
  const layout = startLevel === undefined ? `S2SL0=0b${s2.sl0.toString(2)} is reserved for ${granule.name}` : stage2Layout(ias, granule, startLevel);
  if (typeof layout === 'string' || startLevel === undefined) return `STE.S2T0SZ=${s2.t0sz}, S2SL0=${s2.sl0} and S2TG (${granule.name}) are inconsistent (${typeof layout === 'string' ? layout : 'reserved'}): ILLEGAL`;
  if (s2.ttb >= PA_LIMIT_BIG || s2.ttb % BigInt(layout.rootEntries * 8) !== 0n) return `STE.S2TTB=${hex(s2.ttb)} is not a 48-bit address aligned to its ${layout.rootEntries * 8}-byte table: ILLEGAL`;
  return { root: Number(s2.ttb), startLevel, ias, oas: S2PS_BITS[s2.ps] ?? 48, granule, xnx: true };
}

/** The stage-2 domain S2TTB names, with the STE's VMID and walk; or the C_BAD_STE reason. */
function stage2RouteOf(rt: Runtime, ste: SteFields): Stage2Route | string {
  const config = stage2ConfigOf(ste);
  if (typeof config === 'string') return config;
  const domain = rt.tables.findIndex((table) => table.stage === 2 && table.root === config.root);
  if (domain < 0) return `STE.S2TTB=${hex(ste.s2.ttb)} is no stage-2 domain's table`;
  return { domain, vmid: ste.s2.vmid, config };
}

/** What makes an STE ILLEGAL here (5.2): more CDs than SSIDSIZE; a CD table beyond the PA size; S1STALLD where stalling is not configurable. */
function steLegality(rt: Runtime, smmu: number, ste: SteFields): string | undefined {
  const { stallModel: model, ssidBits } = rt.model.smmus[smmu] ?? { stallModel: 'stall', ssidBits: 0 };
  const s1 = stage1Enabled(ste.config);
  // Without substreams (SSIDSIZE=0) S1CDMax is not checked (SteIllegal()).
  if (s1 && ssidBits > 0 && ste.s1CdMax > ssidBits) return `STE.S1CDMax=${ste.s1CdMax} but IDR1.SSIDSIZE=${ssidBits}: ILLEGAL`;
  if (s1 && ste.s1ContextPtr >= PA_LIMIT_BIG) return `STE.S1ContextPtr=${hex(ste.s1ContextPtr)} is beyond the 48-bit ${ste.config === 'nested' ? 'intermediate' : 'physical'} address size (IDR5.OAS): ILLEGAL`;
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

/**
 * The CD one reading of a stream's configuration took, and where; a nested stream's CD is
 * fetched through stage 2, whose tables are read too.
 */
interface CdRead {
  at: number | undefined;
  cd: CdFields | undefined;
  throughStage2: boolean;
}

/**
 * What one reading rests on besides the machine's set-up (the SMMU's IDRs, the tables and
 * their owners, fixed for the machine's life): the STE, and the CD it read.
 */
interface ConfigRead {
  ste: SteFields;
  cd: CdRead;
  config: StreamConfig;
}

type Readings = Map<bigint | undefined, ConfigRead>;

/**
 * What a machine keeps of its streams' configurations: the STEs and CDs it decoded, and
 * each StreamID's and SubstreamID's last reading. A reading is the answer again while the
 * STE's address reads the same decoded STE and the CD's the same decoded CD — the decoded
 * structures' own check against memory — which is exactly what reading them again would
 * give, at the cost of two checks instead of all the checks below.
 */
interface Kept {
  stes: DecodedStructures<SteFields>;
  cds: DecodedStructures<CdFields>;
  /** By `smmu * 2^32 + sid` (a StreamID is at most 32 bits). */
  readings: Map<number, Readings>;
}

const keptOf = new WeakMap<Runtime, Kept>();

function keptBy(rt: Runtime): Kept {
  let kept = keptOf.get(rt);
  if (kept === undefined) keptOf.set(rt, (kept = { stes: new DecodedStructures(rt.memory, decodeSte), cds: new DecodedStructures(rt.memory, decodeCd), readings: new Map() }));
  return kept;
}

function readingsOf(kept: Kept, smmu: number, sid: number): Readings {
  const stream = smmu * 2 ** 32 + sid;
  let readings = kept.readings.get(stream);
  if (readings === undefined) kept.readings.set(stream, (readings = new Map()));
  return readings;
}

/** The STE of `sid`, then (stage 1) the CD of its SubstreamID or of S1DSS, and the domain whose table TTB0 names. */
export function streamConfig(rt: Runtime, smmu: number, v3: SmmuV3State, sid: number, pasid: bigint | undefined): StreamConfig {
  const at = steAddress(rt.memory, v3, sid);
  if (at === 'beyond') return { kind: 'error', event: 'C_BAD_STREAMID', reason: `StreamID ${hex(sid)} is beyond the stream table's ${v3.sidBits} bits` };
  if (at === 'no-l2') return { kind: 'error', event: 'C_BAD_STREAMID', reason: `StreamID ${hex(sid)}: its level-1 descriptor has Span 0 (no STEs)` };
  const kept = keptBy(rt);
  const ste = kept.stes.read(at);
  const readings = readingsOf(kept, smmu, sid);
  const last = readings.get(pasid);
  if (last !== undefined && last.ste === ste && (last.cd.at === undefined || kept.cds.read(last.cd.at) === last.cd.cd)) return last.config;
  const cd: CdRead = { at: undefined, cd: undefined, throughStage2: false };
  const config = configOfSte(rt, smmu, sid, pasid, ste, kept.cds, cd);
  if (cd.throughStage2) readings.delete(pasid);
  else readings.set(pasid, { ste, cd, config });
  return config;
}

/** The rest of streamConfig, from the STE on; notes in `read` the CD it reads. */
function configOfSte(rt: Runtime, smmu: number, sid: number, pasid: bigint | undefined, ste: SteFields, cds: DecodedStructures<CdFields>, read: CdRead): StreamConfig {
  if (!ste.valid) return { kind: 'error', event: 'C_BAD_STE', reason: `the STE of StreamID ${hex(sid)} is not valid (V=0)` };
  const illegal = steLegality(rt, smmu, ste);
  if (illegal) return { kind: 'error', event: 'C_BAD_STE', reason: illegal };
  if (ste.config === 'abort') return { kind: 'abort', reason: `STE.Config=abort: StreamID ${hex(sid)} has no domain attached` };
  if (ste.config === 'bypass') return { kind: 'bypass', reason: 'STE.Config=bypass' };
  let stage2: Stage2Route | undefined;
  if (stage2Enabled(ste.config)) {
    const route = stage2RouteOf(rt, ste);
    if (typeof route === 'string') return { kind: 'error', event: 'C_BAD_STE', reason: route };
    stage2 = route;
  }
  // Stage 1 bypassed (Config 0b110): the input address is the IPA; no CD, no SubstreamID (a SubstreamID is ignored, 3.9).
  if (ste.config === 's2' && stage2) return { kind: 'translate', ste, cd: undefined, ssid: undefined, domain: stage2.domain, stage2 };
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
  const recordedSsid = pasid === undefined ? undefined : ssid;
  let cdAddress = ste.s1ContextPtr + BigInt(ssid * CD_BYTES);
  if (stage2) {
    // Nested: S1ContextPtr is an IPA — the CD fetch is translated by stage 2 first (3.3.2), CLASS=CD when it faults.
    read.throughStage2 = true;
    const fetched = translateIpa(rt.memory, stage2.config, cdAddress);
    if (fetched.outcome.kind !== 'success') return { kind: 'cd-fault', ste, ssid: recordedSsid, stage2, fault: fetched.outcome, reads: fetched.stage2.steps.length };
    cdAddress = fetched.outcome.pa;
  }
  read.at = Number(cdAddress);
  const cd = (read.cd = cds.read(read.at));
  if (!cd.valid) return { kind: 'error', event: 'C_BAD_CD', reason: `CD ${ssid} of StreamID ${hex(sid)} is not valid (V=0)` };
  const illegalCd = cdLegality(rt, smmu, ste, cd);
  if (illegalCd) return { kind: 'error', event: 'C_BAD_CD', reason: illegalCd };
  // A nested CD's TTB0 is an IPA: one of the guest domains over this stage 2.
  const nestedOver = (table: number): number | undefined => rt.model.domains[rt.tableOwners[table]?.domain ?? -1]?.nested;
  const domain = rt.tables.findIndex((table, index) => table.stage === 1 && nestedOver(index) === stage2?.domain && BigInt(table.root) === cd.ttb0);
  if (domain < 0) return { kind: 'error', event: 'C_BAD_CD', reason: `CD ${ssid}.TTB0=${hex(cd.ttb0)} is no ${stage2 ? "guest domain's table over this stage 2" : "domain's page table"}` };
  return { kind: 'translate', ste, cd, ssid: recordedSsid, domain, stage2 };
}
