import { hasChange } from '../../kernel/versions';
import { field32, layoutField, RegisterLayout } from '../../smmu/registerLayout';
import { FSR, FSYNR0 } from '../../smmu/v2/registers';
import { hex } from '../../util/u64';
import { bankFillers, contextBanksFor, MAX_CONTEXT_BANKS } from './banks';
import { deviceSettings, scenarioHex } from './device';
import { kernelLine, releaseFor } from './release';
import { IAS, mapsFor, NO_ADDRESS_SIZE_FAULT, PRIVILEGED_READ_ALLOWED } from './faultMaps';
import { line, Reproduction } from './result';

/**
 * arm-smmu's `Unhandled context fault: fsr=0x%x, iova=0x%08lx, fsynr=0x%x, cbfrsynra=0x%x,
 * cb=%d` as the report's decoded fields, named as `explain --json`'s keys.
 */
export interface ArmSmmuContextFault {
  /** `15000000.iommu`. */
  device: string;
  fsr: number;
  iova: bigint;
  fsynr: number;
  cbfrsynra: number;
  cb: number;
  /** The log's release (`6.6`), when known. */
  kernel?: string;
}

/** The mask of a one-bit or multi-bit field, from the register's layout: one definition of each bit. */
function maskOf(layout: RegisterLayout, name: string): number {
  const f = layoutField(layout, name);
  return Number(((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb));
}


const has = (layout: RegisterLayout, name: string, value: number): boolean => field32(layout, name, value) !== 0;

/** FSR bits no scenario makes the emulator set, and why. */
const UNPRODUCIBLE_FSR: readonly [string, string][] = [
  ['EF', 'FSR.EF (external fault): the emulated memory answers every walk and access, so no external abort reaches the SMMU'],
  ['TLBMCF', 'FSR.TLBMCF (TLB match conflict): the emulated TLB holds one entry per page and context, so two never match'],
  ['TLBLKF', 'FSR.TLBLKF (TLB lock fault): TLB lockdown is not modelled'],
  ['ASF', `FSR.ASF (address size fault): ${NO_ADDRESS_SIZE_FAULT}`],
  ['UUT', 'FSR.UUT (unsupported upstream transaction): engines issue only reads and writes, never an atomic or a cache maintenance operation'],
];

/** FSYNR0 bits no scenario makes the emulator set, and why. */
const UNPRODUCIBLE_FSYNR0: readonly [string, string][] = [
  ['NSATTR', 'FSYNR0.NSATTR: engines cannot set a transaction\'s non-secure attribute'],
  ['PTWF', 'FSYNR0.PTWF (fault on the page-table walk): it comes with an external or address size fault on a table read, which the emulator never has'],
  ['AFR', 'FSYNR0.AFR (asynchronous fault recorded): the emulator records every fault synchronously'],
];

const FAULT_KINDS: readonly [string, 'translation' | 'access-flag' | 'permission'][] = [
  ['TF', 'translation'],
  ['AFF', 'access-flag'],
  ['PF', 'permission'],
];

const FSR_KNOWN = FSR.fields.reduce((mask, f) => (mask | maskOf(FSR, f.name)) >>> 0, 0);
const FSYNR0_KNOWN = FSYNR0.fields.reduce((mask, f) => (mask | maskOf(FSYNR0, f.name)) >>> 0, 0);
const FORMAT_AARCH64 = 2;

/** A scenario whose run prints `fault`'s line again, byte for byte; or why none can. */
export function reproduceArmSmmuContextFault(fault: ArmSmmuContextFault): Reproduction {
  const { cb, cbfrsynra, iova } = fault;
  const fsr = fault.fsr >>> 0;
  const fsynr = fault.fsynr >>> 0;
  const device = deviceSettings(fault.device);
  if ('cannot' in device) return device;
  const release = releaseFor(fault.kernel);
  if ('cannot' in release) return release;
  const kernel = release.kernel;

  if ((fsr & ~FSR_KNOWN) !== 0) return { cannot: `fsr=${hex(fsr >>> 0)} sets bits ${hex((fsr & ~FSR_KNOWN) >>> 0)}, which are reserved in FSR` };
  if (field32(FSR, 'FORMAT', fsr) !== FORMAT_AARCH64) {
    return { cannot: `FSR.FORMAT=${field32(FSR, 'FORMAT', fsr)}: the emulator's tables are AArch64 (VMSAv8-64) only, Format=2` };
  }
  for (const [name, why] of UNPRODUCIBLE_FSR) if (has(FSR, name, fsr)) return { cannot: why };
  const kinds = FAULT_KINDS.filter(([name]) => has(FSR, name, fsr));
  if (kinds.length !== 1) {
    return { cannot: kinds.length === 0 ? `fsr=${hex(fsr >>> 0)} records no fault (none of TF, AFF, PF)` : `fsr=${hex(fsr >>> 0)} records ${kinds.map(([n]) => n).join(' and ')} at once: the emulator latches one fault's kind` };
  }
  const kind = (kinds[0] as (typeof kinds)[number])[1];
  if ((fsynr & ~FSYNR0_KNOWN) !== 0) return { cannot: `fsynr=${hex(fsynr >>> 0)} sets bits ${hex((fsynr & ~FSYNR0_KNOWN) >>> 0)}, which FSYNR0 does not define` };
  for (const [name, why] of UNPRODUCIBLE_FSYNR0) if (has(FSYNR0, name, fsynr)) return { cannot: why };
  if (!Number.isInteger(cb) || cb < 0 || cb >= MAX_CONTEXT_BANKS) return { cannot: `cb=${cb}: an SMMU has at most ${MAX_CONTEXT_BANKS} context banks (smmu \`context-banks\` 1..${MAX_CONTEXT_BANKS})` };
  const s1cbndx = field32(FSYNR0, 'S1CBNDX', fsynr);
  if ((cbfrsynra & ~0xffff) !== 0) return { cannot: `cbfrsynra=${hex(cbfrsynra >>> 0)}: the emulator's CBFRSYNRA holds only the 16-bit StreamID` };

  const level = field32(FSYNR0, 'PLVL', fsynr);
  const write = has(FSYNR0, 'WNR', fsynr);
  const priv = has(FSYNR0, 'PNU', fsynr);
  const exec = has(FSYNR0, 'IND', fsynr);
  const stall = has(FSR, 'SS', fsr);
  const multi = has(FSR, 'MULTI', fsr);
  if (exec && write) return { cannot: 'FSYNR0 has both IND and WNR: an instruction fetch is a read, and engines issue none that writes' };
  const beyondIas = iova >= 1n << IAS;
  if (beyondIas && !(kind === 'translation' && level === 0)) {
    return { cannot: `iova=${hex(iova)} is beyond a domain's 48-bit input range, where every access is a level-0 translation fault, not ${kind === 'access-flag' ? 'an' : 'a'} ${kind} fault at level ${level}` };
  }
  if (kind !== 'translation' && level === 0) return { cannot: `${kind === 'access-flag' ? 'an' : 'a'} ${kind} fault at level 0 needs a leaf at level 0, and with the 4 KiB granule level 0 holds only tables` };
  if (kind === 'permission' && priv && !write && !exec) {
    return { cannot: PRIVILEGED_READ_ALLOWED };
  }

  const out: string[] = [];
  out.push(`// Reproduces: arm-smmu ${fault.device}: Unhandled context fault: fsr=${hex(fsr >>> 0)}, iova=0x${iova.toString(16).padStart(8, '0')}, fsynr=${hex(fsynr >>> 0)}, cbfrsynra=${hex(cbfrsynra)}, cb=${cb}`);
  out.push(`scenario "Unhandled context fault on ${fault.device}: ${kind} fault at level ${level}, cb=${cb}"`);
  out.push('');
  out.push(kernelLine(release, fault.kernel !== undefined));
  out.push(`smmu smmu0 {`);
  out.push(line('  version v2', 'arm-smmu: an SMMUv2'));
  out.push(...device);
  out.push(...contextBanksFor(cb));
  out.push('}');
  out.push('');

  out.push(...bankFillers(cb, cbfrsynra));
  out.push('domain fault_dom {');
  out.push(line(`  fault ${stall ? 'stall' : 'terminate'}`, stall ? 'FSR.SS=1: the transaction stalled (SCTLR.CFCFG=1)' : 'FSR.SS=0: the transaction was terminated (SCTLR.CFCFG=0)'));
  if (s1cbndx !== cb) {
    out.push(line(`  s1cbndx ${s1cbndx}`, `FSYNR0.S1CBNDX=${s1cbndx} in bank ${cb}: Arm defines the field for nested translation only, and this SMMU reports ${s1cbndx} for a stage-1 bank`));
  }
  if (multi) out.push(line('  hupcf on', 'FSR.MULTI=1: a second fault must be translated (and fault) while FSR holds the first'));
  out.push(line('  report abort', 'the log does not say SCTLR.CFRE: abort picked'));
  out.push(...mapsFor(kind, level, iova, { write, priv, exec }, `FSYNR0.PLVL=${level}`));
  out.push('}');
  out.push('');
  out.push(line(`master dev { stream ${hex(cbfrsynra)}; domain fault_dom${stall ? '; can-stall' : ''} }`, `cbfrsynra=${hex(cbfrsynra)}: the StreamID${stall ? '; can-stall, as a stall domain needs' : ''}`));
  out.push('');
  const options = `${priv ? ' priv' : ''}${exec ? ' exec' : ''}`;
  const access = `${write ? 'write' : 'read'} ${scenarioHex(iova)} 4${options}`;
  out.push('engine dev.dma {');
  out.push(line(`  ${access} as faulting`, `FSYNR0: WNR=${Number(write)} (${write ? 'a write' : 'a read'}), PNU=${Number(priv)} (${priv ? 'privileged' : 'unprivileged'}), IND=${Number(exec)} (${exec ? 'an instruction fetch' : 'data'})`));
  if (multi) out.push(line(`  ${access} as again`, 'the second fault: it only sets FSR.MULTI'));
  out.push('}');
  out.push('');
  out.push('// No handler: report_iommu_fault returns -ENOSYS, so arm_smmu_context_fault prints the line.');
  const stays = stall && !hasChange(kernel, 'resumeInContextFault');
  out.push(
    line(
      `expect faulting ${stays ? 'stalled' : 'aborted'}`,
      stays ? `up to 6.15 arm_smmu_context_fault never writes RESUME: the stall stays` : stall ? 'from 6.16 the IRQ\'s return terminates the stall (RESUME), and CFRE=1 aborts it' : 'terminated, and CFRE=1 aborts it',
    ),
  );
  out.push(line(`expect faults == ${multi ? 2 : 1}`, multi ? 'the latched fault and the one that set MULTI' : 'the one fault the line reports'));
  return { scenario: `${out.join('\n')}\n` };
}
