import { hasChange } from '../../kernel/versions';
import { settingSpec } from '../../language/schema';
import { Machine } from '../../machine/machine';
import { compileScenario } from '../../scenario/compile';
import { fieldValue, layoutField } from '../../smmu/registerLayout';
import { v2StateOf } from '../../smmu/smmuState';
import { TTBR0 } from '../../smmu/v2/registers';
import { hex, hex64 } from '../../util/u64';
import { bankFillers, contextBanksFor, MAX_CONTEXT_BANKS } from './banks';
import { scenarioHex } from './device';
import { IAS, mapsFor } from './faultMaps';
import { kernelLine, releaseFor } from './release';
import { line, Reproduction } from './result';

/**
 * drm/msm's `*** gpu fault: ttbr0=%.16llx iova=%.16lx dir=%s type=%s source=%s (%u,%u,%u,%u)`
 * as the report's decoded fields, named as `explain --json`'s keys.
 */
export interface AdrenoGpuFault {
  iova: bigint;
  dir: string;
  type: string;
  /** TTBR0 when the line has one: ASID [63:48] and the table's base address. */
  ttbr0?: bigint;
  /** `CP`, the block a6xx_fault_block names; with the four CP scratch registers. */
  source?: string;
  scratch?: readonly [number, number, number, number];
  kernel?: string;
}

/** A 4 KiB page's offset bits: io-pgtable's 48-bit top-level tables start on a page. */
const PAGE_OFFSET = 0xfffn;

/** A domain's `oas` when it writes none, from the schema. */
const DEFAULT_OAS = ((): bigint => {
  const spec = settingSpec('domain', 'oas')?.value;
  if (spec?.kind !== 'number' || spec.default === undefined) throw new Error('the schema has no numeric domain oas');
  return spec.default;
})();
/** The GPU's StreamID: 0, as on the Adreno SMMUs of the examples. */
const GPU_SID = 0;

/** A scenario whose run prints the gpu fault line again; or why none can. */
export function reproduceAdrenoGpuFault(fault: AdrenoGpuFault): Reproduction {
  const release = releaseFor(fault.kernel);
  if ('cannot' in release) return release;
  if (fault.dir !== 'READ' && fault.dir !== 'WRITE') return { cannot: `dir=${fault.dir}: drm/msm prints READ or WRITE (FSYNR0.WNR)` };
  if ((fault.source ?? 'CP') !== 'CP' || (fault.scratch ?? [0, 0, 0, 0]).some((n) => n !== 0)) {
    return { cannot: 'the model has no FSYNR1 and no CP scratch registers: it prints only source=CP (0,0,0,0)' };
  }
  const kinds: Record<string, 'translation' | 'permission' | 'access-flag'> = { TRANSLATION: 'translation', PERMISSION: 'permission', UNKNOWN: 'access-flag' };
  const kind = kinds[fault.type];
  if (!kind) return { cannot: `type=${fault.type}: ${fault.type === 'EXTERNAL' ? 'FSR.EF, an external fault, which the emulated memory never answers with' : 'drm/msm prints TRANSLATION, PERMISSION, EXTERNAL or UNKNOWN'}` };
  const write = fault.dir === 'WRITE';
  const iova = fault.iova;
  if (iova >= 1n << IAS && kind !== 'translation') return { cannot: `iova=${hex(iova)} is beyond a domain's 48-bit input range, where every access is a translation fault` };
  const cb = fault.ttbr0 === undefined ? 0 : Number(fieldValue(layoutField(TTBR0, 'ASID'), fault.ttbr0));
  if (cb >= MAX_CONTEXT_BANKS) return { cannot: `TTBR0.ASID=${cb}: arm-smmu's ASID is the context bank's index, and an SMMU has at most ${MAX_CONTEXT_BANKS}` };

  const pgd = fault.ttbr0 === undefined ? undefined : fieldValue(layoutField(TTBR0, 'BADDR'), fault.ttbr0);
  if (pgd !== undefined && (pgd & PAGE_OFFSET) !== 0n) return { cannot: `ttbr0=${hex64(fault.ttbr0 ?? 0n).slice(2)}: BADDR ${hex(pgd)} is not a 4 KiB-aligned table address (io-pgtable's 48-bit top-level tables start on a page)` };

  const threaded = hasChange(release.kernel, 'adrenoThreadedIrq');
  const out: string[] = [];
  out.push(`// Reproduces: *** gpu fault: ttbr0=${fault.ttbr0 === undefined ? '(not in the log)' : hex64(fault.ttbr0).slice(2)} iova=${hex64(iova).slice(2)} dir=${fault.dir} type=${fault.type} source=CP (0,0,0,0)`);
  out.push(`scenario "Adreno GPU fault: ${fault.type} ${fault.dir} at ${hex(iova)}"`);
  out.push('');
  out.push(kernelLine(release, fault.kernel !== undefined));
  out.push(line('smmu kgsl {', "the GPU's SMMU, driven by arm-smmu-qcom.c with drm/msm's fault handler"));
  out.push('  version v2');
  out.push('  impl qcom-adreno');
  out.push(...contextBanksFor(cb));
  out.push('}');
  out.push('');
  if (cb > 0) out.push(`// TTBR0.ASID=${cb}: arm-smmu's ASID is the context bank's index`);
  out.push(...bankFillers(cb, GPU_SID));
  out.push('domain gpu_dom {');
  out.push(line('  fault terminate', 'the line says nothing of a stall: terminate picked'));
  if (pgd !== undefined) {
    if (pgd >= 1n << DEFAULT_OAS) out.push(line('  oas 48', `the table at ${hex(pgd)} is above 2^${DEFAULT_OAS}`));
    out.push(line(`  pgd ${scenarioHex(pgd)}`, `TTBR0.BADDR: where the log's kernel allocated the GPU's table`));
  }
  if (kind === 'translation') out.push('  // type=TRANSLATION: nothing is mapped at the IOVA');
  else out.push(...mapsFor(kind, 3, iova, { write, priv: false, exec: false }, kind === 'access-flag' ? 'type=UNKNOWN (none of TF, PF, EF: an access-flag fault)' : 'type=PERMISSION'));
  out.push('}');
  out.push('');
  out.push(line(`master gpu { stream ${hex(GPU_SID)}; domain gpu_dom }`, 'the line does not say the StreamID: 0 picked'));
  out.push(line(`engine gpu.cp { ${write ? 'write' : 'read'} ${scenarioHex(iova)} 4 as bad }`, `dir=${fault.dir}: FSYNR0.WNR=${Number(write)}`));
  out.push('');
  out.push(
    line(
      `handler gpu_fault on gpu_dom { context ${threaded ? 'thread' : 'workqueue'} }`,
      threaded ? "drm/msm's handler: from 6.16 it runs in the threaded context fault IRQ" : "drm/msm's handler: up to 6.15 its fault_worker runs the crash dump",
    ),
  );
  out.push('');
  out.push(line('expect bad aborted', 'terminated, CFRE=1'));
  out.push(line('expect faults == 1', 'the fault the line reports'));
  const scenario = `${out.join('\n')}\n`;
  if (fault.ttbr0 !== undefined) {
    const emulated = emulatedTtbr0(scenario, cb);
    if (emulated !== fault.ttbr0) {
      return { cannot: `ttbr0=${hex64(fault.ttbr0).slice(2)}: the scenario's TTBR0 would be ${emulated === undefined ? 'none (the scenario does not check: the table would sit on the page the fault maps)' : hex64(emulated).slice(2)}` };
    }
  }
  return { scenario };
}

/** TTBR0 of the bank the scenario's GPU domain gets, as the emulator builds it: a machine is made (not run) to read it. */
function emulatedTtbr0(scenario: string, cb: number): bigint | undefined {
  const model = compileScenario(scenario).model;
  if (!model) return undefined;
  return v2StateOf(new Machine(model).state, 0)?.banks[cb]?.ttbr0;
}
