import { hex } from '../../util/u64';
import { checkDwords, decoded, DecodedField, field, FieldBits, readBits, writeBits } from './ste';

/**
 * A PRI queue entry (IHI 0070 chapter 8): one PCIe Page Request, 16 bytes, two
 * little-endian dwords. dword 0: StreamID [31:0], SubstreamID [51:32], Priv 58, X 59,
 * R 60, W 61, Last 62, SSV 63; dword 1: PRGIndex [8:0], page address [63:12].
 */

export interface PageRequest {
  sid: number;
  ssv: boolean;
  ssid: number;
  read: boolean;
  write: boolean;
  exec: boolean;
  priv: boolean;
  last: boolean;
  prgi: number;
  addr: bigint; // page aligned
}

const PRI_DWORDS = 2;

const SID = field(0, 32);
const SSID = field(32, 20);
const PRIV = field(58);
const EXEC = field(59);
const READ = field(60);
const WRITE = field(61);
const LAST = field(62);
const SSV = field(63);
const PRGI = field(64, 9);
const ADDR = field(76, 52); // page address bits [63:12], in place in dword 1

export function encodePageRequest(request: PageRequest): bigint[] {
  if ((request.addr & 0xfffn) !== 0n) throw new RangeError(`page request address ${hex(request.addr)} is not page aligned`);
  // Chapter 8: X and Priv come from the PASID prefix, so without one (SSV = 0) they are 0.
  if (!request.ssv && (request.exec || request.priv)) {
    throw new RangeError('a page request without a PASID (SSV = 0) has X = Priv = 0');
  }
  const dwords = new Array<bigint>(PRI_DWORDS).fill(0n);
  writeBits(dwords, SID, request.sid, 'StreamID');
  writeBits(dwords, SSID, request.ssid, 'SubstreamID');
  writeBits(dwords, PRIV, request.priv, 'Priv');
  writeBits(dwords, EXEC, request.exec, 'X');
  writeBits(dwords, READ, request.read, 'R');
  writeBits(dwords, WRITE, request.write, 'W');
  writeBits(dwords, LAST, request.last, 'Last');
  writeBits(dwords, SSV, request.ssv, 'SSV');
  writeBits(dwords, PRGI, request.prgi, 'PRGIndex');
  writeBits(dwords, ADDR, request.addr >> 12n, 'page address');
  return dwords;
}

export function decodePageRequest(dwords: readonly bigint[]): PageRequest {
  checkDwords(dwords, PRI_DWORDS, 'a PRI queue entry');
  const flag = (at: FieldBits): boolean => readBits(dwords, at) === 1n;
  return {
    sid: Number(readBits(dwords, SID)),
    ssv: flag(SSV),
    ssid: Number(readBits(dwords, SSID)),
    read: flag(READ),
    write: flag(WRITE),
    exec: flag(EXEC),
    priv: flag(PRIV),
    last: flag(LAST),
    prgi: Number(readBits(dwords, PRGI)),
    addr: readBits(dwords, ADDR) << 12n,
  };
}

const LAST_MEANING = 'last request of its group: answer the group with CMD_PRI_RESP';

export function describePageRequest(dwords: readonly bigint[]): DecodedField[] {
  checkDwords(dwords, PRI_DWORDS, 'a PRI queue entry');
  const on = (at: FieldBits, yes: string, no: string): string => (readBits(dwords, at) === 1n ? yes : no);
  const ssv = readBits(dwords, SSV) === 1n;
  // Chapter 8: Last = 1 with R = W = 0 under a PASID is a Stop PASID marker, not a request.
  const stopMarker = ssv && readBits(dwords, LAST) === 1n && readBits(dwords, READ) === 0n && readBits(dwords, WRITE) === 0n;
  return [
    decoded('StreamID', SID, dwords, `SID ${hex(readBits(dwords, SID))} (PCIe RequesterID in [15:0])`),
    decoded('SubstreamID', SSID, dwords, ssv ? `PASID ${readBits(dwords, SSID)}` : 'UNKNOWN (SSV = 0)'),
    decoded('Priv', PRIV, dwords, on(PRIV, 'privileged access requested', 'unprivileged')),
    decoded('X', EXEC, dwords, on(EXEC, 'execute requested', 'no execute')),
    decoded('R', READ, dwords, on(READ, 'read requested', 'no read')),
    decoded('W', WRITE, dwords, on(WRITE, 'write requested', 'no write')),
    decoded('Last', LAST, dwords, stopMarker ? 'Stop PASID marker' : on(LAST, LAST_MEANING, 'more requests of this group follow')),
    decoded('SSV', SSV, dwords, ssv ? 'PASID prefix present' : 'no PASID'),
    decoded('PRGIndex', PRGI, dwords, `page request group ${hex(readBits(dwords, PRGI))}`),
    decoded('Page address', ADDR, dwords, `page ${hex(readBits(dwords, ADDR) << 12n)}`),
  ];
}
