import { architectedEvent, decodeEvent, encodeEvent, EventName, EventRecord, isKnownEvent } from '../../smmu/v3/eventRecord';
import { hex } from '../../util/u64';
import { deviceSettings, scenarioHex } from './device';
import { IAS, mapsFor, NO_ADDRESS_SIZE_FAULT, PRIVILEGED_READ_ALLOWED } from './faultMaps';
import { kernelLine, releaseFor } from './release';
import { line, Reproduction } from './result';

/** arm-smmu-v3's `event 0x%02x received:` and its four `\t0x%016llx` dwords, named as `explain --json`'s keys. */
export interface ArmSmmuV3Event {
  /** `15000000.iommu`. */
  device: string;
  dwords: readonly [bigint, bigint, bigint, bigint];
  /** The log's release (`6.6`), when known. */
  kernel?: string;
}

/** Events no scenario makes the emulator record, and why. */
const UNPRODUCIBLE: Partial<Record<EventName, string>> = {
  C_BAD_STREAMID: 'C_BAD_STREAMID: the emulated stream table covers every StreamID a master can have (32 bits), so none is out of its range',
  C_BAD_STE: 'C_BAD_STE: Linux writes a valid, legal STE for every master it probes, and the language cannot write one by hand',
  F_ADDR_SIZE: `F_ADDR_SIZE: ${NO_ADDRESS_SIZE_FAULT}`,
  E_PAGE_REQUEST: 'E_PAGE_REQUEST: page requests arrive in the PRI queue, and the emulator never writes this event-queue hint',
};

/** CLASS of a fault on the input address: the only class a stage-1 walk of the emulator records. */
const CLASS_IN = 2;
/** smmu `ssid-bits` takes 0..20 (IDR1.SSIDSIZE). */
const SSID_BITS_MIN = 8;

const bitLength = (n: number): number => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1);
/** The record's ID [7:0], taken from the 64-bit dword before it becomes a number. */
const eventId = (dwords: readonly bigint[]): number => Number((dwords[0] ?? 0n) & 0xffn);
const eventHeader = (dwords: readonly bigint[]): string => `event 0x${eventId(dwords).toString(16).padStart(2, '0')} received:`;

/** A scenario whose run prints the event's four dwords again, byte for byte; or why none can. */
export function reproduceArmSmmuV3Event(event: ArmSmmuV3Event): Reproduction {
  const device = deviceSettings(event.device);
  if ('cannot' in device) return device;
  const release = releaseFor(event.kernel);
  if ('cannot' in release) return release;
  const { dwords } = event;
  if (!isKnownEvent(dwords)) {
    const architected = architectedEvent(eventId(dwords));
    return { cannot: `${eventHeader(dwords)} ${architected === undefined ? 'an event ID the emulator never records' : `${architected}, an event the emulator never raises`}` };
  }
  const record = decodeEvent(dwords);
  const unproducible = UNPRODUCIBLE[record.id];
  if (unproducible) return { cannot: unproducible };
  // The emulator's own encoder: a record it can write is one that survives decode and encode unchanged.
  const encoded = encodeEvent(record);
  const differs = encoded.findIndex((dword, i) => dword !== dwords[i]);
  if (differs >= 0) {
    return { cannot: `dword ${differs} has bits the emulator never writes in ${record.id} (${hex(dwords[differs] ?? 0n)}; it would write ${hex(encoded[differs] ?? 0n)}): RES0 bits, or dword 3's IPA of a stage-2 fault` };
  }
  if (!record.ssv && record.ssid !== 0 && record.id !== 'C_BAD_SUBSTREAMID') {
    return { cannot: `SubstreamID ${hex(record.ssid)} with SSV=0: without SSV the field is UNKNOWN (IHI 0070 7.3), and the emulator writes 0 there` };
  }
  if (record.s2) return { cannot: `${record.id} with S2=1: a stage-2 fault, and the emulated SMMUv3 has no stage 2` };
  if (record.id.startsWith('F_') && record.id !== 'F_STREAM_DISABLED') {
    if (record.class !== CLASS_IN) return { cannot: `${record.id} with CLASS=${record.class}: the emulator's faults are on the input address (CLASS=IN); it never faults fetching a CD or a table descriptor` };
    if (!record.stall && record.stag !== 0) return { cannot: `STAG=${hex(record.stag)} in a record that did not stall: the emulator writes STAG 0 there` };
    if (record.ind && !record.rnw) return { cannot: 'InD=1 with RnW=0: an instruction fetch is a read, and engines issue none that writes' };
    if (record.id !== 'F_TRANSLATION' && record.inputAddr >= 1n << IAS) {
      return { cannot: `InputAddr ${hex(record.inputAddr)} is beyond a domain's 48-bit input range, where every access is F_TRANSLATION, not ${record.id}` };
    }
    if (record.id === 'F_PERMISSION' && record.pnu && record.rnw && !record.ind) {
      return { cannot: PRIVILEGED_READ_ALLOWED };
    }
    if (record.ssv && record.ssid === 0) return { cannot: 'SSV=1 with SubstreamID 0: PASID 0 is Linux\'s IOMMU_NO_PASID, translated without a SubstreamID; no transaction reaches a fault with SSID 0 valid' };
  }
  if (record.id === 'C_BAD_CD' && !record.ssv) return { cannot: 'C_BAD_CD without a SubstreamID: CD 0 is the master\'s own domain, which Linux always writes' };
  if (record.id === 'C_BAD_CD' && record.ssid === 0) return { cannot: 'C_BAD_CD of SubstreamID 0: PASID 0 is IOMMU_NO_PASID, which Linux gives the S1DSS treatment (F_STREAM_DISABLED), never a CD fetch' };

  const out: string[] = [];
  out.push(`// Reproduces: arm-smmu-v3 ${event.device}: ${eventHeader(dwords)} ${dwords.map((d) => `0x${d.toString(16).padStart(16, '0')}`).join(' ')}`);
  out.push(`scenario "${record.id} on ${event.device}, StreamID ${hex(record.sid)}"`);
  out.push('');
  out.push(kernelLine(release, event.kernel !== undefined));
  const ssidBits = Math.max(SSID_BITS_MIN, bitLength(record.ssid), bitLength(otherPasid(record.ssid)));
  out.push('smmu smmu0 {');
  out.push(line('  version v3', 'arm-smmu-v3'));
  out.push(...device);
  if (ssidBits !== SSID_BITS_MIN) out.push(line(`  ssid-bits ${ssidBits}`, `enough for SubstreamID ${record.ssid}`));
  out.push('}');
  out.push('');
  out.push(...(record.id.startsWith('F_') && record.id !== 'F_STREAM_DISABLED' ? faultBody(record) : configBody(record)));
  return { scenario: `${out.join('\n')}\n` };
}

/** A PASID other than `ssid` that a master can have bound: so that CD `ssid` is invalid, or the master has a CD table at all. */
const otherPasid = (ssid: number): number => (ssid === 1 ? 2 : 1);

/** The four translation faults: the access, where it faults, and who answers a stall. */
function faultBody(record: EventRecord): string[] {
  const kind = record.id === 'F_TRANSLATION' ? 'translation' : record.id === 'F_ACCESS' ? 'access-flag' : 'permission';
  const write = !record.rnw;
  const { pnu: priv, ind: exec, stall } = record;
  const out: string[] = [];
  const withPasid = record.ssv;
  const faultDom = withPasid ? 'pasid_dom' : 'fault_dom';
  if (withPasid) out.push(line('domain fault_dom { }', 'the master\'s own domain (CD 0): the faulting access carries a PASID'));
  out.push(`domain ${faultDom} {`);
  if (kind === 'translation') {
    out.push(record.inputAddr >= 1n << IAS ? '  // F_TRANSLATION: the IOVA is beyond the 48-bit input range' : '  // F_TRANSLATION: nothing is mapped at the IOVA (the record does not say at which level the walk stopped)');
  } else {
    out.push(...mapsFor(kind, 3, record.inputAddr, { write, priv, exec }, record.id));
  }
  out.push('}');
  out.push('');
  const settings = [`stream ${hex(record.sid)}`, 'domain fault_dom'];
  if (withPasid) settings.push(`pasid ${record.ssid} -> pasid_dom`);
  if (stall) settings.push('can-stall');
  out.push(line(`master dev { ${settings.join('; ')} }`, `StreamID ${hex(record.sid)}${withPasid ? `, SSV=1 SubstreamID ${record.ssid}` : ''}${stall ? '; Stall=1: can-stall, so CD.S=1 behind a stall-model stall SMMU' : '; Stall=0: not can-stall, so CD.S=0 terminates'}`));
  out.push('');
  const access = `${write ? 'write' : 'read'} ${scenarioHex(record.inputAddr)} 4${priv ? ' priv' : ''}${exec ? ' exec' : ''}${withPasid ? ` pasid ${record.ssid}` : ''}`;
  out.push('engine dev.dma {');
  if (stall && record.stag > 0) {
    out.push(line('  outstanding 1', 'one at a time, so the stall tags go in issue order'));
    out.push(line(`  repeat ${record.stag} { ${access} }`, `STAG=${hex(record.stag)}: the SMMU hands out stall tags from 0 in order, so ${record.stag} earlier stalls take 0-${record.stag - 1}`));
  }
  out.push(line(`  ${access} as faulting`, `PnU=${Number(priv)}, InD=${Number(exec)}, RnW=${Number(record.rnw)}: ${priv ? 'privileged' : 'unprivileged'} ${exec ? 'instruction fetch' : write ? 'data write' : 'data read'}`));
  out.push('}');
  out.push('');
  out.push('// No handler: the IOMMU core answers a stall at once, so arm_smmu_evtq_thread prints the record.');
  out.push(line('expect faulting aborted', stall ? 'the stall is answered (CMD_RESUME abort)' : 'CD.A=1: terminated with an abort'));
  out.push(line(`expect events == ${record.stall ? record.stag + 1 : 1}`, 'the records the event queue got'));
  return out;
}

/** Configuration errors: the STE or CD the access finds cannot take it. */
function configBody(record: EventRecord): string[] {
  const out: string[] = [];
  const settings = [`stream ${hex(record.sid)}`, 'domain own_dom'];
  let pasid: number;
  let why: string;
  switch (record.id) {
    case 'C_BAD_SUBSTREAMID':
      pasid = record.ssid;
      why = `C_BAD_SUBSTREAMID: the master has no PASID bound, so its STE has S1CDMax=0 and SubstreamID ${record.ssid} is beyond it`;
      break;
    case 'C_BAD_CD':
      pasid = record.ssid;
      settings.push(`pasid ${otherPasid(record.ssid)} -> other_dom`);
      why = `C_BAD_CD: the master has PASID ${otherPasid(record.ssid)} bound (a CD table), and CD ${record.ssid} is not valid`;
      break;
    default: // F_STREAM_DISABLED
      pasid = 0;
      settings.push('pasid 1 -> other_dom');
      why = 'F_STREAM_DISABLED: the master has a PASID bound, so Linux sets S1DSS=SSID0 and traffic with SubstreamID 0 is disabled';
      break;
  }
  out.push(line('domain own_dom { }', 'the master\'s own domain (CD 0)'));
  if (settings.length > 2) out.push(line('domain other_dom { }', 'bound at a PASID: it gives the master a CD table'));
  out.push('');
  out.push(line(`master dev { ${settings.join('; ')} }`, `StreamID ${hex(record.sid)}`));
  out.push('');
  out.push('engine dev.dma {');
  out.push(line(`  read 0x1000 4 pasid ${pasid} as faulting`, `${why}; the record has no address: the IOVA is a plausible one`));
  out.push('}');
  out.push('');
  out.push(line('expect faulting aborted', 'a configuration error aborts the access'));
  out.push(line('expect events == 1', 'the one record the log shows'));
  return out;
}
