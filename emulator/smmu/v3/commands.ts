import { hex } from '../../util/u64';
import { checkDwords, decoded, DecodedField, field, FieldBits, readBits, writeBits } from './ste';

/**
 * SMMUv3 commands (IHI 0070 chapter 4): 16 bytes, two little-endian dwords, opcode in
 * [7:0]. Modelled: the fault-response commands (§4.7.1 CMD_RESUME, §4.7.2 CMD_STALL_TERM),
 * the PRI response (§4.5.2 CMD_PRI_RESP), the stage-1 TLB invalidations Linux issues
 * (§4.4.1 CMD_TLBI_NH_ASID, §4.4.2 CMD_TLBI_NH_VA) and CMD_SYNC (§4.7.3) without its MSI.
 * Fields a command has but the model does not use (SSec, VMID, MSI address/data) encode
 * as 0; CMD_TLBI_NH_VA's range fields (NUM, SCALE, TG, TTL) are 0 as Linux writes them
 * for an SMMU without range invalidation (SMMU_IDR3.RIL = 0, what the model is).
 */

export type ResumeAction = 'retry' | 'terminate' | 'abort';
export type PriResponse = 'success' | 'invalid' | 'failure';
export type Command =
  | { op: 'CMD_RESUME'; sid: number; stag: number; action: ResumeAction }
  | { op: 'CMD_STALL_TERM'; sid: number }
  | { op: 'CMD_PRI_RESP'; sid: number; ssv: boolean; ssid: number; prgi: number; response: PriResponse }
  | { op: 'CMD_SYNC'; cs: 'none' | 'irq' | 'sev' }
  | { op: 'CMD_TLBI_NH_ASID'; asid: number; vmid: number }
  /** `leaf`: only last-level (leaf) entries need go (Linux sets it for the pages it unmapped, not for a table it freed). */
  | { op: 'CMD_TLBI_NH_VA'; asid: number; vmid: number; address: bigint; leaf: boolean };

/** CMD_PRI_RESP.Resp (§4.5.2): 0b11 is ILLEGAL. */
export const PRI_RESP_CODE: Record<PriResponse, number> = { success: 0b10, invalid: 0b01, failure: 0b00 };
/** The PCIe PRG Response Message's ResponseCode the SMMU sends for each (§8.3). */
export const PRG_RESPONSE_CODE: Record<PriResponse, number> = { success: 0b0000, invalid: 0b0001, failure: 0b1111 };
/** Linux's enum iommu_page_response_code: IOMMU_PAGE_RESP_SUCCESS, _INVALID, _FAILURE. */
export const LINUX_PAGE_RESPONSE: Record<PriResponse, number> = { success: 0, invalid: 1, failure: 2 };

/** iommu_page_response → CMD_RESUME as arm_smmu_page_response does: SUCCESS → retry, INVALID/FAILURE → abort. */
export function resumeActionOf(response: PriResponse): ResumeAction {
  return response === 'success' ? 'retry' : 'abort';
}

const OPCODE: Record<Command['op'], number> = { CMD_TLBI_NH_ASID: 0x11, CMD_TLBI_NH_VA: 0x12, CMD_PRI_RESP: 0x41, CMD_RESUME: 0x44, CMD_STALL_TERM: 0x45, CMD_SYNC: 0x46 };

const COMMAND_DWORDS = 2;

const OP = field(0, 8);
const SSEC = field(10);
const SSV = field(11);
const SSID = field(12, 20);
const SID = field(32, 32);
// CMD_RESUME's Action and Abort parameters: Ac bit 12, Ab bit 13. Linux writes the pair as
// one field, CMDQ_RESUME_0_RESP [13:12]: TERM 0, RETRY 1, ABORT 2 (Ab:Ac).
const RESUME_AC = field(12);
const RESUME_AB = field(13);
const STAG = field(64, 16);
const PRGI = field(64, 9);
const PRI_RESP = field(76, 2);
const SYNC_CS = field(12, 2);
// CMD_TLBI_NH_*: VMID [47:32], ASID [63:48]; NH_VA's Leaf [64], TTL [73:72], TG [75:74], Address[63:12] in place in dword 1.
const TLBI_VMID = field(32, 16);
const TLBI_ASID = field(48, 16);
const TLBI_NUM = field(12, 5);
const TLBI_SCALE = field(20, 5);
const TLBI_LEAF = field(64);
const TLBI_TTL = field(72, 2);
const TLBI_TG = field(74, 2);
const TLBI_ADDRESS = field(76, 52);
const SYNC_MSIDATA = field(32, 32);
const SYNC_MSIADDR = field(66, 54); // MSIAddress[55:2], in place in dword 1

const CS_CODE: Record<Extract<Command, { op: 'CMD_SYNC' }>['cs'], number> = { none: 0b00, irq: 0b01, sev: 0b10 };

export function encodeCommand(command: Command): bigint[] {
  const dwords = new Array<bigint>(COMMAND_DWORDS).fill(0n);
  writeBits(dwords, OP, OPCODE[command.op], 'opcode');
  switch (command.op) {
    case 'CMD_RESUME':
      writeBits(dwords, SID, command.sid, 'StreamID');
      writeBits(dwords, RESUME_AC, command.action === 'retry', 'Ac');
      writeBits(dwords, RESUME_AB, command.action === 'abort', 'Ab');
      writeBits(dwords, STAG, command.stag, 'STAG');
      break;
    case 'CMD_STALL_TERM':
      writeBits(dwords, SID, command.sid, 'StreamID');
      break;
    case 'CMD_PRI_RESP':
      writeBits(dwords, SSV, command.ssv, 'SSV');
      writeBits(dwords, SSID, command.ssid, 'SubstreamID');
      writeBits(dwords, SID, command.sid, 'StreamID');
      writeBits(dwords, PRGI, command.prgi, 'PRGIndex');
      writeBits(dwords, PRI_RESP, PRI_RESP_CODE[command.response], 'Resp');
      break;
    case 'CMD_SYNC':
      writeBits(dwords, SYNC_CS, CS_CODE[command.cs], 'CS');
      break;
    case 'CMD_TLBI_NH_ASID':
      writeBits(dwords, TLBI_VMID, command.vmid, 'VMID');
      writeBits(dwords, TLBI_ASID, command.asid, 'ASID');
      break;
    case 'CMD_TLBI_NH_VA':
      writeBits(dwords, TLBI_VMID, command.vmid, 'VMID');
      writeBits(dwords, TLBI_ASID, command.asid, 'ASID');
      writeBits(dwords, TLBI_LEAF, command.leaf, 'Leaf');
      writeBits(dwords, TLBI_ADDRESS, command.address >> 12n, 'Address');
      break;
  }
  return dwords;
}

/** Unknown opcodes and the ILLEGAL encodings (Resp 0b11, CS 0b11: CERROR_ILL) throw RangeError. */
export function decodeCommand(dwords: readonly bigint[]): Command {
  checkDwords(dwords, COMMAND_DWORDS, 'a command');
  const num = (at: FieldBits): number => Number(readBits(dwords, at));
  const opcode = num(OP);
  switch (opcode) {
    case OPCODE.CMD_RESUME:
      return {
        op: 'CMD_RESUME',
        sid: num(SID),
        stag: num(STAG),
        // §4.7.1: with Ac = 1 (retry) the Abort parameter is IGNORED.
        action: num(RESUME_AC) === 1 ? 'retry' : num(RESUME_AB) === 1 ? 'abort' : 'terminate',
      };
    case OPCODE.CMD_STALL_TERM:
      return { op: 'CMD_STALL_TERM', sid: num(SID) };
    case OPCODE.CMD_PRI_RESP: {
      const code = num(PRI_RESP);
      const response = (Object.keys(PRI_RESP_CODE) as PriResponse[]).find((r) => PRI_RESP_CODE[r] === code);
      if (response === undefined) throw new RangeError(`CMD_PRI_RESP.Resp ${hex(code)} is ILLEGAL`);
      return { op: 'CMD_PRI_RESP', sid: num(SID), ssv: num(SSV) === 1, ssid: num(SSID), prgi: num(PRGI), response };
    }
    case OPCODE.CMD_SYNC: {
      const code = num(SYNC_CS);
      const cs = (Object.keys(CS_CODE) as (keyof typeof CS_CODE)[]).find((c) => CS_CODE[c] === code);
      if (cs === undefined) throw new RangeError(`CMD_SYNC.CS ${hex(code)} is reserved (CERROR_ILL)`);
      return { op: 'CMD_SYNC', cs };
    }
    case OPCODE.CMD_TLBI_NH_ASID:
      return { op: 'CMD_TLBI_NH_ASID', asid: num(TLBI_ASID), vmid: num(TLBI_VMID) };
    case OPCODE.CMD_TLBI_NH_VA:
      return { op: 'CMD_TLBI_NH_VA', asid: num(TLBI_ASID), vmid: num(TLBI_VMID), address: readBits(dwords, TLBI_ADDRESS) << 12n, leaf: num(TLBI_LEAF) === 1 };
    default:
      throw new RangeError(`unknown command opcode ${hex(opcode)}`);
  }
}

/** §4.1.1's opcode table, so the command queue view can name every command. */
const OPCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'CMD_PREFETCH_CONFIG'],
  [0x02, 'CMD_PREFETCH_ADDR'],
  [0x03, 'CMD_CFGI_STE'],
  [0x04, 'CMD_CFGI_STE_RANGE / CMD_CFGI_ALL'],
  [0x05, 'CMD_CFGI_CD'],
  [0x06, 'CMD_CFGI_CD_ALL'],
  [0x07, 'CMD_CFGI_VMS_PIDM'],
  [0x10, 'CMD_TLBI_NH_ALL'],
  [0x11, 'CMD_TLBI_NH_ASID'],
  [0x12, 'CMD_TLBI_NH_VA'],
  [0x13, 'CMD_TLBI_NH_VAA'],
  [0x18, 'CMD_TLBI_EL3_ALL'],
  [0x1a, 'CMD_TLBI_EL3_VA'],
  [0x20, 'CMD_TLBI_EL2_ALL'],
  [0x21, 'CMD_TLBI_EL2_ASID'],
  [0x22, 'CMD_TLBI_EL2_VA'],
  [0x23, 'CMD_TLBI_EL2_VAA'],
  [0x28, 'CMD_TLBI_S12_VMALL'],
  [0x2a, 'CMD_TLBI_S2_IPA'],
  [0x30, 'CMD_TLBI_NSNH_ALL'],
  [0x40, 'CMD_ATC_INV'],
  [0x41, 'CMD_PRI_RESP'],
  [0x44, 'CMD_RESUME'],
  [0x45, 'CMD_STALL_TERM'],
  [0x46, 'CMD_SYNC'],
  [0x50, 'CMD_TLBI_S_EL2_ALL'],
  [0x51, 'CMD_TLBI_S_EL2_ASID'],
  [0x52, 'CMD_TLBI_S_EL2_VA'],
  [0x53, 'CMD_TLBI_S_EL2_VAA'],
  [0x58, 'CMD_TLBI_S_S12_VMALL'],
  [0x5a, 'CMD_TLBI_S_S2_IPA'],
  [0x60, 'CMD_TLBI_SNH_ALL'],
  [0x70, 'CMD_DPTI_ALL'],
  [0x73, 'CMD_DPTI_PA'],
]);

const PRI_RESP_MEANING: readonly string[] = [
  'ResponseFailure: permanent error (PRG ResponseCode 0b1111; Linux IOMMU_PAGE_RESP_FAILURE 2)',
  'InvalidRequest: a page could not be made present (PRG ResponseCode 0b0001; Linux IOMMU_PAGE_RESP_INVALID 1)',
  'Success: every page is present, the device retries (PRG ResponseCode 0b0000; Linux IOMMU_PAGE_RESP_SUCCESS 0)',
  'reserved: ILLEGAL',
];
const CS_MEANING: readonly string[] = [
  'SIG_NONE',
  'SIG_IRQ: interrupt (MSI if MSIAddress ≠ 0)',
  'SIG_SEV: WFE wake-up event',
  'reserved: CERROR_ILL',
];

/** Each field of the command; commands the emulator does not execute show the opcode only. */
export function describeCommand(dwords: readonly bigint[]): DecodedField[] {
  checkDwords(dwords, COMMAND_DWORDS, 'a command');
  const opcode = Number(readBits(dwords, OP));
  const name = OPCODE_NAMES.get(opcode);
  const on = (at: FieldBits, yes: string, no: string): string => (readBits(dwords, at) === 1n ? yes : no);
  const op = decoded('Opcode', OP, dwords, name ?? (opcode >= 0x80 && opcode <= 0x8f ? 'IMPLEMENTATION DEFINED' : 'reserved: CERROR_ILL'));
  const sid = decoded('StreamID', SID, dwords, `SID ${hex(readBits(dwords, SID))}`);
  const ssec = decoded('SSec', SSEC, dwords, on(SSEC, 'Secure StreamID (ILLEGAL on the Non-secure queue)', 'Non-secure StreamID'));
  switch (opcode) {
    case OPCODE.CMD_RESUME: {
      const retry = readBits(dwords, RESUME_AC) === 1n;
      return [
        op,
        ssec,
        decoded('Ac', RESUME_AC, dwords, retry ? 'Retry: the transaction runs again as if just arrived' : 'Terminate'),
        decoded('Ab', RESUME_AB, dwords, retry ? 'ignored (retry)' : on(RESUME_AB, 'terminate with an abort', 'terminate RAZ/WI')),
        sid,
        decoded('STAG', STAG, dwords, 'the stall tag from the event record'),
      ];
    }
    case OPCODE.CMD_STALL_TERM:
      return [op, ssec, sid];
    case OPCODE.CMD_PRI_RESP: {
      const ssv = readBits(dwords, SSV) === 1n;
      return [
        op,
        decoded('SSV', SSV, dwords, ssv ? 'response carries a PASID prefix' : 'no PASID'),
        decoded('SubstreamID', SSID, dwords, ssv ? `PASID ${readBits(dwords, SSID)}` : 'ignored (SSV = 0)'),
        sid,
        decoded('PRGIndex', PRGI, dwords, `page request group ${hex(readBits(dwords, PRGI))}`),
        decoded('Resp', PRI_RESP, dwords, PRI_RESP_MEANING[Number(readBits(dwords, PRI_RESP))]),
      ];
    }
    case OPCODE.CMD_SYNC: {
      const irq = readBits(dwords, SYNC_CS) === 1n;
      return [
        op,
        decoded('CS', SYNC_CS, dwords, CS_MEANING[Number(readBits(dwords, SYNC_CS))]),
        decoded('MSIData', SYNC_MSIDATA, dwords, irq ? 'written to MSIAddress on completion' : 'ignored (CS ≠ SIG_IRQ)'),
        decoded('MSIAddress', SYNC_MSIADDR, dwords, irq ? `MSI to ${hex(readBits(dwords, SYNC_MSIADDR) << 2n)}` : 'ignored (CS ≠ SIG_IRQ)'),
      ];
    }
    case OPCODE.CMD_TLBI_NH_ASID:
      return [op, decoded('ASID', TLBI_ASID, dwords, `every stage-1 entry tagged ASID ${readBits(dwords, TLBI_ASID)}`)];
    case OPCODE.CMD_TLBI_NH_VA: {
      const ranged = readBits(dwords, TLBI_TG) !== 0n;
      return [
        op,
        decoded('NUM', TLBI_NUM, dwords, ranged ? `${readBits(dwords, TLBI_NUM) + 1n} × 2^SCALE pages` : 'RES0 (TG = 0: one address)'),
        decoded('SCALE', TLBI_SCALE, dwords, ranged ? 'the range\'s power-of-two multiple' : 'RES0 (TG = 0: one address)'),
        decoded('ASID', TLBI_ASID, dwords, `ASID ${readBits(dwords, TLBI_ASID)}`),
        decoded('Leaf', TLBI_LEAF, dwords, on(TLBI_LEAF, 'only last-level entries', 'entries of every level (walk caches too)')),
        decoded('TTL', TLBI_TTL, dwords, readBits(dwords, TLBI_TTL) === 0n ? 'any level' : `level ${readBits(dwords, TLBI_TTL)} leaf`),
        decoded('TG', TLBI_TG, dwords, ranged ? `${['', '4KB', '16KB', '64KB'][Number(readBits(dwords, TLBI_TG))]} range` : 'not a range: the page at Address'),
        decoded('Address', TLBI_ADDRESS, dwords, `VA ${hex(readBits(dwords, TLBI_ADDRESS) << 12n)}`),
      ];
    }
    default:
      return [op];
  }
}

/** A command in one line, as the trace and the queue views print it: `CMD_RESUME sid 0x10 stag 0x0 retry`. */
export function commandText(command: Command): string {
  switch (command.op) {
    case 'CMD_RESUME':
      return `CMD_RESUME sid ${hex(command.sid)} stag ${hex(command.stag)} ${command.action}`;
    case 'CMD_STALL_TERM':
      return `CMD_STALL_TERM sid ${hex(command.sid)}`;
    case 'CMD_PRI_RESP':
      return `CMD_PRI_RESP sid ${hex(command.sid)}${command.ssv ? ` ssid ${command.ssid}` : ''} prgi ${hex(command.prgi)} ${command.response}`;
    case 'CMD_SYNC':
      return 'CMD_SYNC';
    case 'CMD_TLBI_NH_ASID':
      return `CMD_TLBI_NH_ASID asid ${command.asid}`;
    case 'CMD_TLBI_NH_VA':
      return `CMD_TLBI_NH_VA asid ${command.asid} va ${hex(command.address)}${command.leaf ? ' leaf' : ''}`;
  }
}
