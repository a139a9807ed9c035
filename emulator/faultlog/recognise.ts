import { LogLine } from './logLine';

/*
 * Each recogniser reads one message (prefixes already stripped: lineText.ts) as a whole:
 * a message that does not match a format from start to end is not read at all.
 */

const HEX = '0x[0-9a-fA-F]+';
const DEVICE = '(arm-smmu|arm-smmu-v3|qcom-iommu-ctx) (\\S+): ';

const num = (text: string): number => Number(BigInt(text));
const big = (text: string): bigint => BigInt(text);

/** Xen's port of arm-smmu prints `(XEN) smmu: DT-PATH: ` where Linux prints `arm-smmu DEVICE: `. */
const CONTEXT_FAULT = new RegExp(`^(?:${DEVICE}|\\(XEN\\) (smmu): (\\S+): )Unhandled context fault: (.*?)\\s*$`);
/**
 * The fields a context fault line can carry, in any order (Qualcomm's older trees print iova=
 * first), each with the form its value takes. NVIDIA's L4T trees add `sid=%d(0x%x - %s)` (the
 * StreamID from CBFRSYNRA and its client's name) and the walk's `pgd=… pud=… pmd=… pte=…`
 * entries (%llx, no 0x), which the report does not carry.
 */
const CONTEXT_FIELDS: ReadonlyMap<string, RegExp> = new Map([
  ['fsr', /^0x[0-9a-fA-F]+$/],
  ['iova', /^0x[0-9a-fA-F]+$/],
  ['fsynr', /^0x[0-9a-fA-F]+$/],
  ['cbfrsynra', /^0x[0-9a-fA-F]+$/],
  ['cb', /^\d+$/],
  ['sid', /^(\d+)\(0x[0-9a-fA-F]+ - [^)]*\)$/],
  ['pgd', /^[0-9a-fA-F]+$/],
  ['pud', /^[0-9a-fA-F]+$/],
  ['pmd', /^[0-9a-fA-F]+$/],
  ['pte', /^[0-9a-fA-F]+$/],
]);

function contextFault(message: string): LogLine | undefined {
  const m = CONTEXT_FAULT.exec(message);
  if (!m) return undefined;
  const values = new Map<string, string>();
  for (const part of (m[5] ?? '').split(/,\s*/)) {
    const kv = /^(\w+)=(.*)$/.exec(part);
    const key = kv?.[1] ?? '';
    const value = CONTEXT_FIELDS.get(key)?.exec(kv?.[2] ?? '');
    if (!value || values.has(key)) return undefined;
    values.set(key, value[1] ?? value[0]);
  }
  const fsr = values.get('fsr');
  const iova = values.get('iova');
  const fsynr = values.get('fsynr');
  // Linux before 4.x and Xen's port print no fsr: `iova=0x%08lx, fsynr=0x%x, cb=%d`.
  if (iova === undefined || fsynr === undefined) return undefined;
  const cbfrsynra = values.get('cbfrsynra') ?? values.get('sid');
  const cb = values.get('cb');
  return {
    kind: 'context-fault',
    driver: m[3] === 'smmu' ? 'xen-smmu' : m[1] === 'qcom-iommu-ctx' ? 'qcom-iommu' : 'arm-smmu',
    device: m[2] ?? m[4] ?? '',
    fsr: fsr === undefined ? null : num(fsr),
    iova: big(iova),
    fsynr: num(fsynr),
    cbfrsynra: cbfrsynra === undefined ? null : num(cbfrsynra),
    cb: cb === undefined ? null : Number(cb),
  };
}

/** `FSR    = %08x [flags], SID=0x%x`; Qualcomm's trees print `[TF SS ]` and no SID. */
const FSR_DECODE = new RegExp(`^${DEVICE}FSR {4}= ([0-9a-fA-F]{8}) \\[([A-Za-z0-9= ]*)\\](?:, SID=(${HEX}))?\\s*$`);
const FSYNR0_DECODE = new RegExp(`^${DEVICE}FSYNR0 = ([0-9a-fA-F]{8}) \\[([A-Za-z0-9= ]*)\\]\\s*$`);
const FAR_LINE = new RegExp(`^${DEVICE}FAR {4}= ([0-9a-fA-F]{16})\\s*$`);
const SID_LINE = new RegExp(`^${DEVICE}SID=(${HEX})\\s*$`);
const BLOCKED = new RegExp(`^${DEVICE}Blocked unknown Stream ID (${HEX}); boot with "arm-smmu\\.disable_bypass=0" to allow, but this may have security implications\\s*$`);
const UNEXPECTED = new RegExp(`^${DEVICE}Unexpected global fault, this could be serious\\s*$`);
const GFSR = new RegExp(`^${DEVICE}\\s*GFSR (${HEX}), GFSYNR0 (${HEX}), GFSYNR1 (${HEX}), GFSYNR2 (${HEX})\\s*$`);
const V3_HEADER = new RegExp(`^${DEVICE}event (${HEX}) received:\\s*$`);
const V3_DWORD = new RegExp(`^${DEVICE}\\s*(0x[0-9a-fA-F]{16})\\s*$`);
const V3_EVENT = new RegExp(`^${DEVICE}event: (\\S+) client: (.+?) sid: (${HEX}|0) ssid: (${HEX}|0)(?: iova: (${HEX}|0) ipa: (${HEX}|0))?\\s*$`);
const V3_ACCESS = new RegExp(`^${DEVICE}(priv|unpriv) (inst|data) (read|write) (s1|s2) "([^"]*)"(?: ttd_read| ttd_write)?( stall)? stag: (${HEX}|0)\\s*$`);
const OVERFLOW = new RegExp(`^${DEVICE}(EVTQ overflow detected -- events lost|PRIQ overflow detected -- requests lost)\\s*$`);
const GPU_FAULT = /^\*\*\* gpu fault: ttbr0=([0-9a-fA-F]{16}) iova=([0-9a-fA-F]{16}) dir=(READ|WRITE) type=(\w+) source=(\w+) \(\d+,\d+,\d+,\d+\)\s*$/;
const GPU_FAULT_OLD = /^\*\*\* gpu fault: iova=([0-9a-fA-F]{16}) flags=(\d+) \(\d+,\d+,\d+,\d+\)\s*$/;

/** The io_page_fault tracepoint, `IOMMU:%s %s iova=0x%016llx flags=0x%04x`, after ftrace's task/CPU/time columns. */
const IO_PAGE_FAULT = /^(?:.*\s)?io_page_fault: IOMMU:(\S+) (\S+) iova=(0x[0-9a-fA-F]{16}) flags=(0x[0-9a-fA-F]{4})\s*$/;

const flagsOf = (text: string): string[] => text.split(' ').filter((t) => t !== '');

/** IOMMU_FAULT_WRITE (include/linux/iommu.h): the flags bit drm/msm prints in the older line. */
const IOMMU_FAULT_WRITE = 0x1;

/** The line `message` is, or undefined when it is none of the formats. */
export function recognise(message: string): LogLine | undefined {
  const context = contextFault(message);
  if (context) return context;
  let m: RegExpExecArray | null;
  if ((m = FSR_DECODE.exec(message))) return { kind: 'fsr-decode', device: m[2] ?? '', fsr: parseInt(m[3] ?? '', 16), flags: flagsOf(m[4] ?? ''), sid: m[5] === undefined ? null : num(m[5]) };
  if ((m = FSYNR0_DECODE.exec(message))) return { kind: 'fsynr0-decode', device: m[2] ?? '', fsynr: parseInt(m[3] ?? '', 16), flags: flagsOf(m[4] ?? '') };
  if ((m = FAR_LINE.exec(message))) return { kind: 'far-line', device: m[2] ?? '', far: BigInt(`0x${m[3] ?? ''}`) };
  if ((m = SID_LINE.exec(message))) return { kind: 'sid-line', device: m[2] ?? '', sid: num(m[3] ?? '') };
  if ((m = BLOCKED.exec(message))) return { kind: 'global-blocked', device: m[2] ?? '', sid: num(m[3] ?? '') };
  if ((m = UNEXPECTED.exec(message))) return { kind: 'global-unexpected', device: m[2] ?? '' };
  if ((m = GFSR.exec(message))) return { kind: 'gfsr', device: m[2] ?? '', gfsr: num(m[3] ?? ''), gfsynr0: num(m[4] ?? ''), gfsynr1: num(m[5] ?? ''), gfsynr2: num(m[6] ?? '') };
  if ((m = V3_HEADER.exec(message))) return { kind: 'v3-header', device: m[2] ?? '', id: num(m[3] ?? '') };
  if ((m = V3_DWORD.exec(message))) return { kind: 'v3-dword', device: m[2] ?? '', value: big(m[3] ?? '') };
  if ((m = V3_EVENT.exec(message)))
    return {
      kind: 'v3-event',
      device: m[2] ?? '',
      event: m[3] ?? '',
      client: m[4] ?? '',
      sid: num(m[5] ?? ''),
      ssid: num(m[6] ?? ''),
      iova: m[7] === undefined ? null : big(m[7]),
      ipa: m[8] === undefined ? null : big(m[8]),
    };
  if ((m = V3_ACCESS.exec(message)))
    return { kind: 'v3-access', device: m[2] ?? '', priv: m[3] === 'priv', instruction: m[4] === 'inst', read: m[5] === 'read', stage2: m[6] === 's2', class: m[7] ?? '', stall: m[8] !== undefined, stag: num(m[9] ?? '') };
  if ((m = OVERFLOW.exec(message))) return { kind: 'overflow', device: m[2] ?? '', queue: (m[3] ?? '').startsWith('EVTQ') ? 'EVTQ' : 'PRIQ' };
  if ((m = GPU_FAULT.exec(message))) return { kind: 'gpu-fault', ttbr0: BigInt(`0x${m[1]}`), iova: BigInt(`0x${m[2]}`), write: m[3] === 'WRITE', type: m[4] ?? null, block: m[5] ?? null };
  if ((m = IO_PAGE_FAULT.exec(message))) return { kind: 'io-page-fault', driver: m[1] ?? '', device: m[2] ?? '', iova: big(m[3] ?? ''), write: (num(m[4] ?? '') & IOMMU_FAULT_WRITE) !== 0 };
  if ((m = GPU_FAULT_OLD.exec(message))) return { kind: 'gpu-fault', ttbr0: null, iova: BigInt(`0x${m[1]}`), write: (Number(m[2]) & IOMMU_FAULT_WRITE) !== 0, type: null, block: null };
  return undefined;
}
