import { hex } from '../../util/u64';
import { checkDwords, decoded, DecodedField, field, FieldBits, readBits, writeBits } from './ste';

/**
 * SMMUv3 event records (IHI 0070 §7.3): 32 bytes, four little-endian dwords. Common to
 * all: ID [7:0], SubstreamID [31:12], StreamID [63:32], and (except C_BAD_SUBSTREAMID)
 * SSV bit 11 (F_STREAM_DISABLED has the StreamID alone). The four translation faults add STAG, Stall, PnU/InD/RnW, S2, CLASS and
 * InputAddr; E_PAGE_REQUEST adds InputAddr[63:12]. Bits a record type does not define
 * are RES0 and encode as 0.
 */

export const EVT_ID = {
  C_BAD_STREAMID: 0x02,
  C_BAD_STE: 0x04,
  F_STREAM_DISABLED: 0x06,
  C_BAD_SUBSTREAMID: 0x08,
  C_BAD_CD: 0x0a,
  F_TRANSLATION: 0x10,
  F_ADDR_SIZE: 0x11,
  F_ACCESS: 0x12,
  F_PERMISSION: 0x13,
  E_PAGE_REQUEST: 0x24,
} as const;

export type EventName = keyof typeof EVT_ID;

export interface EventRecord {
  id: EventName;
  sid: number;
  ssv: boolean;
  ssid: number;
  stag: number;
  stall: boolean;
  pnu: boolean;
  ind: boolean;
  rnw: boolean; // 1 = read
  s2: boolean;
  class: number; // CLASS: 0 CD (CD fetch), 1 TT (stage 1 table fetch), 2 IN (input address)
  inputAddr: bigint;
  /** A stage-2 fault's IPA (dword 3, bits [51:12] of it); absent, the field is written as 0. */
  ipa?: bigint;
}

/**
 * The SubstreamID field of a record is 20 bits ([31:12]): the largest SubstreamID the
 * architecture has (3.2), a PCIe PASID's width, so nothing a device can send is cut.
 */
export const SUBSTREAMID_BITS = 20;

/**
 * What a record's SubstreamID field holds for `ssid`: a value as wide as the field is kept
 * whole; of a wider one (a scenario may write any number; no PCIe device can send it) the
 * field keeps bits [19:0], as an SMMU keeps only the SubstreamID bits its interface carries.
 */
export function recordedSubstreamId(ssid: bigint): number {
  return Number(ssid & ((1n << BigInt(SUBSTREAMID_BITS)) - 1n));
}

const EVENT_DWORDS = 4;
const EVENT_BYTES = 32;

const ID = field(0, 8);
const SSV = field(11);
const SSID = field(12, SUBSTREAMID_BITS);
const SID = field(32, 32);
const STAG = field(64, 16);
const STALL = field(95);
const PNU = field(97);
const IND = field(98);
const RNW = field(99);
const S2 = field(103);
const CLASS = field(104, 2);
const INPUT_ADDR = field(128, 64);
const PAGE_ADDR = field(140, 52); // E_PAGE_REQUEST: InputAddr[63:12] in bits [191:140]
const DWORD1 = field(64, 64);
const DWORD3 = field(192, 64);

/**
 * The record's fields by position, for a reader that, like Linux's arm_smmu_decode_event,
 * reads every record with the same masks whatever its type: the fields above, and the
 * ones only some types have (TTRnW of a CLASS=TT permission fault, dword 3's IPA and fetch
 * address).
 */
export const EVENT_FIELDS = {
  ID,
  SSV,
  SSID,
  SID,
  STAG,
  STALL,
  PNU,
  IND,
  RNW,
  S2,
  CLASS,
  TTRNW: field(108),
  INPUT_ADDR,
  /** IPA [51:12] of a stage-2 fault: dword 3 bits [51:12]. */
  IPA: field(204, 40),
  /** The fetch address [51:3] of F_STE_FETCH / F_CD_FETCH / F_VMS_FETCH: dword 3 bits [51:3]. */
  FETCH_ADDR: field(195, 49),
} as const;

/** Which fields a record type has (§7.3.3–7.3.19). */
type Layout = 'stream' | 'config' | 'substream' | 'fault' | 'pageRequest';

const LAYOUT: Record<EventName, Layout> = {
  C_BAD_STREAMID: 'config',
  C_BAD_STE: 'config',
  F_STREAM_DISABLED: 'stream', // StreamID only: no SSV or SubstreamID (§7.3.7)
  C_BAD_SUBSTREAMID: 'substream', // SubstreamID always valid: no SSV bit (§7.3.9)
  C_BAD_CD: 'config',
  F_TRANSLATION: 'fault',
  F_ADDR_SIZE: 'fault',
  F_ACCESS: 'fault',
  F_PERMISSION: 'fault',
  E_PAGE_REQUEST: 'pageRequest',
};

/** The four translation faults: the records with an address, RnW, and a STAG when they stall. */
export function isTranslationFault(id: EventName): boolean {
  return LAYOUT[id] === 'fault';
}

const NAME_OF_ID = new Map<number, EventName>(Object.entries(EVT_ID).map(([name, id]) => [id, name as EventName]));

export function encodeEvent(record: EventRecord): bigint[] {
  const dwords = new Array<bigint>(EVENT_DWORDS).fill(0n);
  const layout = LAYOUT[record.id];
  writeBits(dwords, ID, EVT_ID[record.id], 'ID');
  if (layout !== 'substream' && layout !== 'stream') writeBits(dwords, SSV, record.ssv, 'SSV');
  if (layout !== 'stream') writeBits(dwords, SSID, record.ssid, 'SubstreamID');
  writeBits(dwords, SID, record.sid, 'StreamID');
  if (layout === 'fault') {
    writeBits(dwords, STAG, record.stag, 'STAG');
    writeBits(dwords, STALL, record.stall, 'Stall');
    writeBits(dwords, PNU, record.pnu, 'PnU');
    writeBits(dwords, IND, record.ind, 'InD');
    writeBits(dwords, RNW, record.rnw, 'RnW');
    writeBits(dwords, S2, record.s2, 'S2');
    writeBits(dwords, CLASS, record.class, 'CLASS');
    writeBits(dwords, INPUT_ADDR, record.inputAddr, 'InputAddr');
    // IPA [51:12] of a stage-2 fault (§7.3.12); UNKNOWN for a stage-1 fault, written as 0.
    if (record.s2 && record.ipa !== undefined) writeBits(dwords, EVENT_FIELDS.IPA, record.ipa >> 12n, 'IPA');
  } else if (layout === 'pageRequest') {
    // The record keeps only the page: InputAddr[11:0] are not in it.
    writeBits(dwords, PAGE_ADDR, record.inputAddr >> 12n, 'InputAddr');
  }
  return dwords;
}

/** Whether a record's ID is one of the events the architecture defines (anything else is what software wrote by hand). */
export function isKnownEvent(dwords: readonly bigint[]): boolean {
  return NAME_OF_ID.has(Number(readBits(dwords, ID)));
}

export function decodeEvent(dwords: readonly bigint[]): EventRecord {
  checkDwords(dwords, EVENT_DWORDS, 'an event record');
  const id = Number(readBits(dwords, ID));
  const name = NAME_OF_ID.get(id);
  if (name === undefined) throw new RangeError(`unknown event ID ${hex(id)}`);
  const layout = LAYOUT[name];
  const flag = (at: FieldBits): boolean => layout === 'fault' && readBits(dwords, at) === 1n;
  const num = (at: FieldBits): number => (layout === 'fault' ? Number(readBits(dwords, at)) : 0);
  const record: EventRecord = {
    id: name,
    sid: Number(readBits(dwords, SID)),
    ssv: layout === 'substream' || (layout !== 'stream' && readBits(dwords, SSV) === 1n),
    ssid: layout === 'stream' ? 0 : Number(readBits(dwords, SSID)),
    stag: num(STAG),
    stall: flag(STALL),
    pnu: flag(PNU),
    ind: flag(IND),
    rnw: flag(RNW),
    s2: flag(S2),
    class: num(CLASS),
    inputAddr:
      layout === 'fault' ? readBits(dwords, INPUT_ADDR) : layout === 'pageRequest' ? readBits(dwords, PAGE_ADDR) << 12n : 0n,
  };
  // Set, not spread in: every event the thread reads is decoded.
  if (record.s2) record.ipa = readBits(dwords, EVENT_FIELDS.IPA) << 12n;
  return record;
}

/** Every architected event (§7.3), so a queue view can name records the emulator never writes. */
const ARCHITECTED: ReadonlyMap<number, string> = new Map([
  [0x01, 'F_UUT: unsupported upstream transaction'],
  [0x02, 'C_BAD_STREAMID: StreamID out of range of the stream table'],
  [0x03, 'F_STE_FETCH: external abort fetching the STE'],
  [0x04, 'C_BAD_STE: STE invalid or ILLEGAL'],
  [0x05, 'F_BAD_ATS_TREQ: ATS Translation Request not allowed'],
  [0x06, 'F_STREAM_DISABLED: traffic without (or with) an SSID disabled by S1DSS'],
  [0x07, 'F_TRANSL_FORBIDDEN: ATS-translated traffic not allowed'],
  [0x08, 'C_BAD_SUBSTREAMID: SubstreamID out of range or substreams disabled'],
  [0x09, 'F_CD_FETCH: external abort fetching the CD'],
  [0x0a, 'C_BAD_CD: CD invalid or ILLEGAL'],
  [0x0b, 'F_WALK_EABT: external abort during a table walk'],
  [0x10, 'F_TRANSLATION: translation fault'],
  [0x11, 'F_ADDR_SIZE: address size fault'],
  [0x12, 'F_ACCESS: access flag fault'],
  [0x13, 'F_PERMISSION: permission fault'],
  [0x20, 'F_TLB_CONFLICT: TLB conflict'],
  [0x21, 'F_CFG_CONFLICT: configuration cache conflict'],
  [0x24, 'E_PAGE_REQUEST: speculative page request hint'],
  [0x25, 'F_VMS_FETCH: external abort fetching the VMS'],
]);

/** What Arm calls the event `id` (`F_TRANSL_FORBIDDEN: ATS-translated traffic not allowed`), or undefined for a reserved or IMPLEMENTATION DEFINED ID. */
export function architectedEvent(id: number): string | undefined {
  return ARCHITECTED.get(id);
}

const CLASS_MEANING: readonly string[] = [
  'CD: fetching the CD',
  'TT: fetching a stage 1 table descriptor',
  'IN: the input address',
  'reserved',
];

/** Each field of the record's type; a record the emulator does not model shows its raw dwords. */
export function describeEvent(dwords: readonly bigint[]): DecodedField[] {
  checkDwords(dwords, EVENT_DWORDS, 'an event record');
  const id = Number(readBits(dwords, ID));
  const name = NAME_OF_ID.get(id);
  const idField = decoded('ID', ID, dwords, ARCHITECTED.get(id) ?? (id >= 0xe0 && id <= 0xef ? 'IMPLEMENTATION DEFINED event' : 'reserved'));
  const sidField = decoded('StreamID', SID, dwords, `SID ${hex(readBits(dwords, SID))}`);
  if (name === undefined) {
    const raw = (n: number, at: FieldBits): DecodedField => decoded(`dword ${n}`, at, dwords, 'not decoded: an event the emulator does not raise');
    return [idField, sidField, raw(1, DWORD1), raw(2, INPUT_ADDR), raw(3, DWORD3)];
  }
  const layout = LAYOUT[name];
  const on = (at: FieldBits, yes: string, no: string): string => (readBits(dwords, at) === 1n ? yes : no);
  const ssvSet = layout === 'substream' || readBits(dwords, SSV) === 1n;
  const fields = [idField];
  if (layout === 'stream') return [idField, sidField];
  if (layout !== 'substream') fields.push(decoded('SSV', SSV, dwords, on(SSV, 'SubstreamID valid', 'no SubstreamID')));
  const ssid = readBits(dwords, SSID);
  fields.push(decoded('SubstreamID', SSID, dwords, ssvSet ? `SSID ${ssid}` : 'UNKNOWN (SSV = 0)'), sidField);
  if (layout === 'fault') {
    const stalled = readBits(dwords, STALL) === 1n;
    const s2 = readBits(dwords, S2) === 1n;
    fields.push(
      decoded('STAG', STAG, dwords, stalled ? 'stall tag: give it to CMD_RESUME with the StreamID' : 'meaningful only when Stall = 1'),
      decoded('Stall', STALL, dwords, stalled ? 'stalled: awaits CMD_RESUME or CMD_STALL_TERM' : 'terminated'),
      decoded('PnU', PNU, dwords, on(PNU, 'privileged', 'unprivileged')),
      decoded('InD', IND, dwords, on(IND, 'instruction', 'data')),
      decoded('RnW', RNW, dwords, on(RNW, 'read', 'write')),
      decoded('S2', S2, dwords, s2 ? 'stage 2 fault' : 'stage 1 fault'),
      decoded('CLASS', CLASS, dwords, CLASS_MEANING[Number(readBits(dwords, CLASS))]),
      decoded('InputAddr', INPUT_ADDR, dwords, hex(readBits(dwords, INPUT_ADDR))),
      decoded('dword 3 (IPA)', DWORD3, dwords, s2 ? 'IPA of the stage 2 fault' : 'UNKNOWN for a stage 1 fault (written as 0)'),
    );
  } else if (layout === 'pageRequest') {
    fields.push(
      decoded('dword 1', DWORD1, dwords, 'Span and pR/pW/pX/uR/uW/uX access hints (not decoded)'),
      decoded('InputAddr[63:12]', PAGE_ADDR, dwords, `page ${hex(readBits(dwords, PAGE_ADDR) << 12n)}`),
    );
  }
  return fields;
}

/** The record as the SMMU writes it to the event queue: 32 bytes, little-endian. */
export function eventBytes(dwords: readonly bigint[]): Uint8Array {
  checkDwords(dwords, EVENT_DWORDS, 'an event record');
  const bytes = new Uint8Array(EVENT_BYTES);
  const view = new DataView(bytes.buffer);
  dwords.forEach((dword, i) => view.setBigUint64(8 * i, dword, true));
  return bytes;
}

export function eventFromBytes(bytes: Uint8Array): bigint[] {
  if (bytes.length !== EVENT_BYTES) throw new RangeError(`an event record is ${EVENT_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: EVENT_DWORDS }, (_, i) => view.getBigUint64(8 * i, true));
}
