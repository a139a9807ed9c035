import { domainTables } from '../../emulator/inspect/tables';
import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine, WritableBankRegister } from '../../emulator/machine/machine';
import { BankState, CBAR, CBAR_TYPE_S2_TRANS, CBFRSYNRA, decode, FAR, FSR, FSYNR0, RegisterLayout, SCTLR, SGFSR, TCR, TTBR0, TTBR1, VTCR, withField } from '../../emulator/inspect/registers';
import { hex, hex32, hex64 } from '../../emulator/util/u64';
import { dataIdOf, Watched } from '../dataWatches';
import { RequestError } from '../errors';
import { leaf, VariableContainer, VariableStore } from './store';
import { parseValue } from './values';
import { contextBankOf, sgfsrOf } from '../../emulator/inspect/smmus';

interface BankRegister {
  layout: RegisterLayout;
  read(bank: BankState): bigint;
  /** Absent: read-only here. */
  writable: WritableBankRegister | undefined;
  /** Shown only where this holds (TTBR1: a bank whose domain has `ttbr1 on`). */
  shown?: (bank: BankState) => boolean;
}

/** A stage-2 bank (CBAR.TYPE 0b00): its TCR is in VTCR's format, and CBAR says so (and holds its VMID). */
function stage2Bank(bank: BankState): boolean {
  return ((bank.cbar >>> 16) & 3) === CBAR_TYPE_S2_TRANS;
}

const bankRegisters: readonly BankRegister[] = [
  { layout: CBAR, read: (b) => BigInt(b.cbar >>> 0), writable: undefined, shown: stage2Bank },
  { layout: SCTLR, read: (b) => BigInt(b.sctlr), writable: 'SCTLR' },
  { layout: FSR, read: (b) => BigInt(b.fsr >>> 0), writable: 'FSR' },
  { layout: FSYNR0, read: (b) => BigInt(b.fsynr0), writable: 'FSYNR0' },
  { layout: FAR, read: (b) => b.far, writable: 'FAR' },
  { layout: CBFRSYNRA, read: (b) => BigInt(b.cbfrsynra), writable: 'CBFRSYNRA' },
  { layout: TTBR0, read: (b) => b.ttbr0, writable: undefined },
  { layout: TTBR1, read: (b) => b.ttbr1, writable: undefined, shown: (b) => b.ttbr1 !== 0n },
  { layout: TCR, read: (b) => BigInt(b.tcr), writable: undefined, shown: (b) => !stage2Bank(b) },
  { layout: VTCR, read: (b) => BigInt(b.tcr >>> 0), writable: undefined, shown: stage2Bank },
];

/** The register a bank shows under `name` (a stage-2 bank's TCR is VTCR's layout). */
function shownRegister(bank: BankState, name: string): BankRegister | undefined {
  return bankRegisters.find((r) => r.layout.name === name && (r.shown?.(bank) ?? true));
}

/** Which table a TTBR holds now, where the domain owns several (`: proc7 (pagetable, ASID 2)`). */
function tableHeld(machine: Machine, bank: BankState, name: string): string {
  if (name !== 'TTBR0' && name !== 'TTBR1') return '';
  if (!machine.model.domains[bank.domain]?.ttbr1) return '';
  const held = domainTables(machine, bank.domain).find((t) => t.live && t.ttbr === (name === 'TTBR1' ? 1 : 0));
  return held ? `: ${held.label}` : '';
}

function formatRegister(layout: RegisterLayout, value: bigint): string {
  return layout.width === 64 ? hex64(value) : hex32(Number(value));
}

/** One field of a register: its value, what it means; writable when the register is. */
function fieldVariables(machine: Machine, smmu: number, cbndx: number, register: BankRegister, onWrite: () => void): VariableContainer {
  const bank = (): BankState => {
    const b = contextBankOf(machine.state, smmu, cbndx);
    if (!b) throw new RequestError(`context bank ${cbndx} is gone`);
    return b;
  };
  return {
    variables: () =>
      decode(register.layout, register.read(bank())).map((d) =>
        leaf(d.field.name, `${d.field.width > 4 ? hex(d.value) : d.value.toString()}${d.meaning ? ` (${d.meaning})` : ''}`, {
          // What bit it is and what it does: VS Code shows `type` on hover.
          type: `bits [${d.field.lsb + d.field.width - 1}:${d.field.lsb}]: ${d.field.description}`,
          presentationHint: { kind: 'property', attributes: register.writable ? [] : ['readOnly'] },
        }),
      ),
    set: (name, value) => {
      if (!register.writable) throw new RequestError(`${register.layout.name} is read-only here: io-pgtable programs it`);
      const field = register.layout.fields.find((f) => f.name === name);
      if (!field) throw new RequestError(`${register.layout.name} has no field ${name}`);
      const next = withField(field, register.read(bank()), parseValue(value, field.width));
      machine.writeBankRegister(smmu, cbndx, register.writable, next);
      onWrite();
      const now = decode(register.layout, register.read(bank())).find((d) => d.field.name === name);
      return { value: now ? now.value.toString() : '?' };
    },
  };
}

/**
 * A context bank's registers (presentation hint `registers`), each opening into its
 * fields with their meanings; SCTLR, FSR (write-one-to-clear), FSYNR0, FAR and CBFRSYNRA
 * can be written, fields too.
 */
export function registerVariables(machine: Machine, store: VariableStore, smmu: number, cbndx: number, onWrite: () => void): VariableContainer {
  const bank = (): BankState | undefined => contextBankOf(machine.state, smmu, cbndx);
  return {
    variables: () => {
      const b = bank();
      if (!b) return [];
      const registers = bankRegisters.filter((register) => register.shown?.(b) ?? true).map((register): DebugProtocol.Variable => {
        return {
          name: register.layout.name,
          value: formatRegister(register.layout, register.read(b)),
          type: `${register.layout.description}${tableHeld(machine, b, register.layout.name)}`,
          variablesReference: store.add(fieldVariables(machine, smmu, cbndx, register, onWrite)),
          evaluateName: register.layout.name,
          presentationHint: { kind: 'property', attributes: register.writable ? [] : ['readOnly'] },
          ...(register.layout.name === 'TTBR0' ? { memoryReference: hex(b.ttbr0 & 0xffff_ffff_ffffn) } : {}),
        };
      });
      const sgfsr = BigInt(sgfsrOf(machine.state, smmu) >>> 0);
      registers.push({
        name: 'sGFSR',
        value: hex32(Number(sgfsr)),
        type: SGFSR.description,
        variablesReference: store.add({ variables: () => decode(SGFSR, sgfsr).map((d) => leaf(d.field.name, d.value.toString(), { type: d.field.description })) }),
        presentationHint: { kind: 'property', attributes: ['readOnly'] },
      });
      return registers;
    },
    dataId: (name) => {
      const b = bank();
      const register = b && shownRegister(b, name);
      if (!register) return undefined;
      const watched: Watched = { kind: 'register', smmu, bank: cbndx, register: register.writable ?? (name as 'TTBR0' | 'TCR'), label: `cb${cbndx} ${name}` };
      return { dataId: dataIdOf(watched), description: `${name} of context bank ${cbndx} changes` };
    },
    set: (name, value) => {
      const b = bank();
      const register = b && shownRegister(b, name);
      if (!register) throw new RequestError(`${name} is not a register of this context bank`);
      if (!register.writable) throw new RequestError(`${name} is read-only here: io-pgtable programs it`);
      machine.writeBankRegister(smmu, cbndx, register.writable, parseValue(value, register.layout.width));
      onWrite();
      const after = bank();
      return { value: after ? formatRegister(register.layout, register.read(after)) : '?' };
    },
  };
}
