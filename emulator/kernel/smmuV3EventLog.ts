import { KernelLogLevel } from '../machine/journal';
import { EVENT_FIELDS as F } from '../smmu/v3/eventRecord';
import { FieldBits, readBits } from '../smmu/v3/ste';
import { hex64 } from '../util/u64';
import { hasChange, KernelVersion } from './versions';

/**
 * What arm_smmu_evtq_thread prints for an event record it did not handle, in the named
 * release's words. Up to 6.13 it dumps the record raw at KERN_INFO (`event 0x%02x
 * received:` and each dword); from 6.14 (arm_smmu_dump_event) the same dump at KERN_ERR,
 * then one or two decoded lines by event ID. The fields are read from the raw dwords at the
 * driver's positions (EVTQ_0_ID …), whatever the record's type. The kernel ratelimits the
 * dump (DEFAULT_RATELIMIT_BURST 10 per 5 s); the model prints every one.
 */

/** The kernel's event_str[]: the names it knows, by ID (0x24, E_PAGE_REQUEST, is not among them: "UNKNOWN"). */
const EVENT_STR = new Map<number, string>([
  [0x02, 'C_BAD_STREAMID'],
  [0x03, 'F_STE_FETCH'],
  [0x04, 'C_BAD_STE'],
  [0x06, 'F_STREAM_DISABLED'],
  [0x08, 'C_BAD_SUBSTREAMID'],
  [0x09, 'F_CD_FETCH'],
  [0x0a, 'C_BAD_CD'],
  [0x10, 'F_TRANSLATION'],
  [0x11, 'F_ADDR_SIZE'],
  [0x12, 'F_ACCESS'],
  [0x13, 'F_PERMISSION'],
  [0x25, 'F_VMS_FETCH'],
]);

export const EVENT_CLASS_STR = ['CD fetch', 'Stage 1 translation table fetch', 'Input address caused fault', 'Reserved'];

const FAULTS = new Set([0x10, 0x11, 0x12, 0x13]);
const FETCHES = new Set([0x03, 0x09, 0x25]);
const EVT_ID_PERMISSION_FAULT = 0x13;
const EVTQ_1_CLASS_TT = 1n;

/** C's `%#x` / `%#llx`: 0x and lowercase hex, except that zero prints as a bare `0`. */
export function alternateHex(value: bigint | number): string {
  return value === 0n || value === 0 ? '0' : `0x${value.toString(16)}`;
}

/** One line the thread prints: its level and its text after the device prefix. */
export interface EventLogLine {
  level: KernelLogLevel;
  text: string;
}

/** `event 0x%02x received:` and `\t0x%016llx` per dword, at `level`, onto `lines`. */
function rawDump(dwords: readonly bigint[], level: KernelLogLevel, lines: EventLogLine[]): void {
  const id = Number(readBits(dwords, F.ID));
  lines.push({ level, text: `event 0x${id.toString(16).padStart(2, '0')} received:` });
  for (const dword of dwords) lines.push({ level, text: `\t${hex64(dword)}` });
}

function isSet(dwords: readonly bigint[], field: FieldBits): boolean {
  return readBits(dwords, field) === 1n;
}

/** arm_smmu_dump_event's decoded lines (6.14+), onto `lines`: `client` is the master's device name, or undefined for a StreamID no master has. */
function decodedLines(dwords: readonly bigint[], client: string | undefined, lines: EventLogLine[]): void {
  const id = Number(readBits(dwords, F.ID));
  const ssid = isSet(dwords, F.SSV) ? readBits(dwords, F.SSID) : 0n; // IOMMU_NO_PASID
  const head = `event: ${EVENT_STR.get(id) ?? 'UNKNOWN'} client: ${client ?? '(unassigned sid)'} sid: ${alternateHex(readBits(dwords, F.SID))} ssid: ${alternateHex(ssid)}`;
  if (FAULTS.has(id)) {
    const cls = readBits(dwords, F.CLASS);
    const classTt = id === EVT_ID_PERMISSION_FAULT && cls === EVTQ_1_CLASS_TT;
    const tt = classTt ? (isSet(dwords, F.TTRNW) ? ' ttd_read' : ' ttd_write') : '';
    const detail =
      `${isSet(dwords, F.PNU) ? 'priv' : 'unpriv'} ${isSet(dwords, F.IND) ? 'inst' : 'data'} ${isSet(dwords, F.RNW) ? 'read' : 'write'} ` +
      `${isSet(dwords, F.S2) ? 's2' : 's1'} "${EVENT_CLASS_STR[Number(cls)]}"${tt}${isSet(dwords, F.STALL) ? ' stall' : ''}`;
    lines.push({ level: 'err', text: `${head} iova: ${alternateHex(readBits(dwords, F.INPUT_ADDR))} ipa: ${alternateHex(readBits(dwords, F.IPA) << 12n)}` });
    lines.push({ level: 'err', text: `${detail} stag: ${alternateHex(readBits(dwords, F.STAG))}` });
    return;
  }
  lines.push({ level: 'err', text: FETCHES.has(id) ? `${head} fetch_addr: ${alternateHex(readBits(dwords, F.FETCH_ADDR) << 3n)}` : head });
}

/** Every line the event thread prints for one unhandled record on `kernel`. */
export function eventLogLines(kernel: KernelVersion, dwords: readonly bigint[], client: string | undefined): EventLogLine[] {
  const lines: EventLogLine[] = [];
  if (!hasChange(kernel, 'smmuV3DecodedEvents')) {
    rawDump(dwords, 'info', lines);
    return lines;
  }
  rawDump(dwords, 'err', lines);
  decodedLines(dwords, client, lines);
  return lines;
}
