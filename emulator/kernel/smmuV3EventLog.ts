import { KernelLogLevel } from '../machine/journal';
import { EVENT_FIELDS as F } from '../smmu/v3/eventRecord';
import { readBits } from '../smmu/v3/ste';
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
  const v = BigInt(value);
  return v === 0n ? '0' : `0x${v.toString(16)}`;
}

/** One line the thread prints: its level and its text after the device prefix. */
export interface EventLogLine {
  level: KernelLogLevel;
  text: string;
}

/** `event 0x%02x received:` and `\t0x%016llx` per dword, at `level`. */
function rawDump(dwords: readonly bigint[], level: KernelLogLevel): EventLogLine[] {
  const id = Number(readBits(dwords, F.ID));
  return [
    { level, text: `event 0x${id.toString(16).padStart(2, '0')} received:` },
    ...dwords.map((dword) => ({ level, text: `\t0x${dword.toString(16).padStart(16, '0')}` })),
  ];
}

/** arm_smmu_dump_event's decoded lines (6.14+): `client` is the master's device name, or undefined for a StreamID no master has. */
function decodedLines(dwords: readonly bigint[], client: string | undefined): string[] {
  const at = (field: (typeof F)[keyof typeof F]): bigint => readBits(dwords, field);
  const set = (field: (typeof F)[keyof typeof F]): boolean => at(field) === 1n;
  const id = Number(at(F.ID));
  const ssid = set(F.SSV) ? at(F.SSID) : 0n; // IOMMU_NO_PASID
  const head = `event: ${EVENT_STR.get(id) ?? 'UNKNOWN'} client: ${client ?? '(unassigned sid)'} sid: ${alternateHex(at(F.SID))} ssid: ${alternateHex(ssid)}`;
  if (FAULTS.has(id)) {
    const cls = at(F.CLASS);
    const classTt = id === EVT_ID_PERMISSION_FAULT && cls === EVTQ_1_CLASS_TT;
    const tt = classTt ? (set(F.TTRNW) ? ' ttd_read' : ' ttd_write') : '';
    const detail = [
      set(F.PNU) ? 'priv' : 'unpriv',
      set(F.IND) ? 'inst' : 'data',
      set(F.RNW) ? 'read' : 'write',
      set(F.S2) ? 's2' : 's1',
      `"${EVENT_CLASS_STR[Number(cls)]}"${tt}${set(F.STALL) ? ' stall' : ''}`,
    ].join(' ');
    return [`${head} iova: ${alternateHex(at(F.INPUT_ADDR))} ipa: ${alternateHex(at(F.IPA) << 12n)}`, `${detail} stag: ${alternateHex(at(F.STAG))}`];
  }
  if (FETCHES.has(id)) return [`${head} fetch_addr: ${alternateHex(at(F.FETCH_ADDR) << 3n)}`];
  return [head];
}

/** Every line the event thread prints for one unhandled record on `kernel`. */
export function eventLogLines(kernel: KernelVersion, dwords: readonly bigint[], client: string | undefined): EventLogLine[] {
  if (!hasChange(kernel, 'smmuV3DecodedEvents')) return rawDump(dwords, 'info');
  return [...rawDump(dwords, 'err'), ...decodedLines(dwords, client).map((text): EventLogLine => ({ level: 'err', text }))];
}
