import { CdView, SmmuV3Setup, StreamView, StructureView } from '../emulator/inspect/v3Structures';
import { SmmuModel } from '../emulator/scenario/model';
import { hex, hex64 } from '../emulator/util/u64';

/** The STE fields a hover shows (describeSte decodes them all). */
export const steFields = ['V', 'Config', 'S1ContextPtr', 'S1CDMax', 'S1DSS', 'S1STALLD', 'EATS'] as const;
/** The CD fields a hover shows. */
export const cdFields = ['V', 'T0SZ', 'TG0', 'IPS', 'S', 'R', 'A', 'ASID', 'TTB0'] as const;

/** The eight dwords, four a line, as they sit in memory (dw0 first). */
function dwordLines(view: StructureView): string[] {
  const words = view.dwords.map(hex64);
  return ['```', words.slice(0, 4).join(' '), words.slice(4).join(' '), '```'];
}

/** A structure: its dwords, then the chosen fields with their bits, values and meanings. */
export function structureLines(view: StructureView, fields: readonly string[]): string[] {
  const rows = fields.flatMap((name) => {
    const field = view.fields.find((f) => f.name === name);
    return field ? [`| ${field.name} | ${field.bits} | ${hex(field.value)} | ${field.meaning} |`] : [];
  });
  return [...dwordLines(view), '', '| field | bits | value | meaning |', '|---|---|---|---|', ...rows];
}

/** The STE Linux writes for one stream, and the CDs its table holds. */
export function steLines(stream: StreamView): string[] {
  const cds = stream.cds.map((c) => `CD ${c.ssid} → domain ${c.domain} (ASID ${c.asid})`);
  return [
    `**STE of stream ${hex(stream.sid)}** at \`${hex(stream.ste.address)}\` (dw0–dw7):`,
    '',
    ...structureLines(stream.ste, steFields),
    ...(cds.length > 0 ? ['', `CD table: ${cds.join(', ')}`] : []),
  ];
}

/** Where a CD sits: "CD 0 of stream 0x10 (master gpu)". */
export function cdPlace(cd: CdView): string {
  return `CD ${cd.ssid} of stream ${hex(cd.sid)} (master ${cd.master})`;
}

/** The CD Linux writes for a domain, and every place it is written. */
export function cdLines(domain: string, cds: readonly CdView[]): string[] {
  const [first] = cds;
  if (!first) return [`No stream uses domain ${domain}: Linux writes no CD for it.`];
  return [
    `**CD of domain ${domain}** (ASID ${first.asid}), written as ${cds.map(cdPlace).join(', ')}${cds.length > 1 ? '; the first' : ''} at \`${hex(first.cd.address)}\` (dw0–dw7):`,
    '',
    ...structureLines(first.cd, cdFields),
  ];
}

const stallModels: Record<SmmuModel['stallModel'], { code: string; meaning: string }> = {
  stall: { code: '0b00', meaning: 'stall and terminate models supported: CD.S chooses per context' },
  'no-stall': { code: '0b01', meaning: 'no stalls: CD.S must be 0; CMD_RESUME and CMD_STALL_TERM are illegal' },
  'force-stall': { code: '0b10', meaning: 'stalls forced: CD.S must be 1, every stage 1 fault stalls' },
};

/** The ID registers and queue bases an SMMUv3 has, as Linux finds and programs them at probe. */
export function smmuV3Lines(smmu: SmmuModel, setup: SmmuV3Setup): string[] {
  const stall = stallModels[smmu.stallModel];
  const queue = (q: SmmuV3Setup['eventq'], what: string, bytes: number) => `${2 ** q.log2size} ${what} of ${bytes} bytes at \`${hex(q.base)}\``;
  const pasids = smmu.ssidBits === 0 ? 'no SubstreamIDs: PASIDs unsupported' : `PASIDs 0–${2 ** smmu.ssidBits - 1} (SubstreamID ${smmu.ssidBits} bits)`;
  return [
    '| register | value | meaning |',
    '|---|---|---|',
    `| SMMU_IDR0.STALL_MODEL [25:24] | ${stall.code} | ${stall.meaning} |`,
    `| SMMU_IDR1.SSIDSIZE [10:6] | ${smmu.ssidBits} | ${pasids} |`,
    `| SMMU_EVENTQ_BASE.LOG2SIZE | ${setup.eventq.log2size} | ${queue(setup.eventq, 'event records', 32)} |`,
    `| SMMU_PRIQ_BASE.LOG2SIZE | ${setup.priq.log2size} | ${queue(setup.priq, 'page requests', 16)} |`,
    `| SMMU_CMDQ_BASE.LOG2SIZE | ${setup.cmdq.log2size} | ${queue(setup.cmdq, 'commands', 16)} |`,
    `| SMMU_STRTAB_BASE_CFG.LOG2SIZE | ${setup.sidBits} | 2-level stream table at \`${hex(setup.strtabBase)}\` for StreamIDs 0–${hex(2 ** setup.sidBits - 1)} |`,
  ];
}
