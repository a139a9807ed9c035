import { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../../emulator/machine/machine';
import { describeDescriptor, describeStage2Descriptor, Granule, Level, TableEntry } from '../../emulator/inspect/walks';
import { descriptorPa, tableStage } from '../../emulator/inspect/tables';
import { fromHalves, hex, hex64, hexGrouped } from '../../emulator/util/u64';
import { dataIdOf } from '../dataWatches';
import { RequestError } from '../errors';
import { leaf, VariableContainer, VariableStore } from './store';
import { memoryReference, parseValue } from './values';

/** The bits of a leaf a user may flip from the Variables view, as [name, bit]. */
const leafBits: readonly [string, number][] = [
  ['AF', 10],
  ['nG', 11],
  ['AP[1]', 6],
  ['AP[2]', 7],
  ['PXN', 53],
  ['UXN', 54],
];

/** A stage-2 leaf's (Table D8-53): S2AP[1:0] at [7:6], XN[1:0] at [54:53]; no nG (stage 2 is tagged by VMID). */
const stage2LeafBits: readonly [string, number][] = [
  ['AF', 10],
  ['S2AP[0]', 6],
  ['S2AP[1]', 7],
  ['XN[0]', 53],
  ['XN[1]', 54],
];

/** A descriptor's decoded fields, as a stage-1 or a stage-2 table holds them. */
function fieldVariables(value: bigint, level: Level, granule: Granule, stage2: boolean): DebugProtocol.Variable[] {
  const lo = Number(value & 0xffff_ffffn);
  const hi = Number(value >> 32n);
  if (stage2) {
    const fields = describeStage2Descriptor(lo, hi, level, granule);
    return [
      leaf('type', fields.type),
      leaf('output address', hex(fields.outputAddress)),
      leaf('S2AP', `${fields.s2ap.toString(2).padStart(2, '0')}`, { type: 'S2AP[0]: read; S2AP[1]: write (Table D8-76)' }),
      leaf('MemAttr', `0x${fields.memAttr.toString(16)}`, { type: 'the stage-2 memory type (D8.6, FWB=0)' }),
      leaf('SH', `${fields.sh}`, { type: 'shareability: 3 inner, 2 outer, 0 none' }),
      ...stage2LeafBits.map(([name, bit]) => leaf(name, `${(value >> BigInt(bit)) & 1n}`)),
    ];
  }
  const fields = describeDescriptor(lo, hi, level, granule);
  return [
    leaf('type', fields.type),
    leaf('output address', hex(fields.outputAddress)),
    leaf('AttrIndx', `${fields.attrIndx}`),
    leaf('AP[2:1]', `${fields.ap.toString(2).padStart(2, '0')}`, { type: 'AP[2]: read-only; AP[1]: unprivileged access' }),
    leaf('SH', `${fields.sh}`, { type: 'shareability: 3 inner, 2 outer, 0 none' }),
    ...leafBits.map(([name, bit]) => leaf(name, `${(value >> BigInt(bit)) & 1n}`)),
  ];
}

function writeDescriptor(machine: Machine, pa: number, value: bigint, onWrite: (pa: number) => void): void {
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 8; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  machine.writeMemory(pa, bytes);
  onWrite(pa);
}

/** One descriptor: its value and decoded fields; writing the value or a bit writes memory (the TLB keeps what it cached). */
function descriptorVariables(machine: Machine, pa: number, level: Level, granule: Granule, stage2: boolean, onWrite: (pa: number) => void): VariableContainer {
  const bits = stage2 ? stage2LeafBits : leafBits;
  const read = (): bigint => machine.runtime.memory.readU64(pa);
  return {
    variables: () => {
      const value = read();
      const text = stage2 ? describeStage2Descriptor(Number(value & 0xffff_ffffn), Number(value >> 32n), level, granule).text : describeDescriptor(Number(value & 0xffff_ffffn), Number(value >> 32n), level, granule).text;
      return [leaf('value', hex64(value), { memoryReference: memoryReference(pa), type: text }), ...fieldVariables(value, level, granule, stage2)];
    },
    set: (name, text) => {
      const value = read();
      let next: bigint;
      if (name === 'value') next = parseValue(text);
      else {
        const bit = bits.find(([n]) => n === name)?.[1];
        if (bit === undefined) throw new RequestError(`${name} cannot be written: write the value, or ${bits.map(([n]) => n).join(', ')}`);
        next = parseValue(text, 1) === 0n ? value & ~(1n << BigInt(bit)) : value | (1n << BigInt(bit));
      }
      writeDescriptor(machine, pa, next & 0xffff_ffff_ffff_ffffn, onWrite);
      return { value: name === 'value' ? hex64(read()) : `${(read() >> BigInt(bits.find(([n]) => n === name)?.[1] ?? 0)) & 1n}` };
    },
  };
}

export interface TableRef {
  /** Index into the run's tables: a domain's default table has the domain's index (emulator/machine/addressSpaces.ts). */
  domain: number;
  level: Level;
  table: bigint;
  iovaBase: bigint;
}

/** The valid entries of one table of a domain, as io-pgtable-arm wrote them. */
export function tableEntries(machine: Machine, ref: TableRef): TableEntry[] {
  const table = machine.runtime.tables[ref.domain];
  if (!table) throw new RequestError(`there is no domain ${ref.domain}`);
  return table.entries(ref.level, ref.table, ref.iovaBase);
}

/** How many valid entries a table holds, read but not described: a table of 512 child tables lists in milliseconds. */
function validEntries(machine: Machine, ref: TableRef): number {
  const table = machine.runtime.tables[ref.domain];
  if (!table) throw new RequestError(`there is no domain ${ref.domain}`);
  return table.validEntries(ref.level, ref.table);
}

/** How many descriptors a domain's table at `level` holds: its root may hold fewer than the granule's full table (512, 2048, 8192). */
export function entryCount(machine: Machine, domain: number, level: Level): number {
  const table = machine.runtime.tables[domain];
  if (!table) throw new RequestError(`there is no domain ${domain}`);
  return level === table.startLevel ? table.rootEntries : table.granule.entries;
}

/** A domain's translation granule. */
function granuleOf(machine: Machine, domain: number): Granule {
  const table = machine.runtime.tables[domain];
  if (!table) throw new RequestError(`there is no domain ${domain}`);
  return table.granule;
}

/** The root table of a domain. */
export function rootOf(machine: Machine, domain: number): TableRef {
  const table = machine.runtime.tables[domain];
  if (!table) throw new RequestError(`there is no domain ${domain}`);
  return { domain, level: table.startLevel, table: BigInt(table.root), iovaBase: 0n };
}

/**
 * One table, lazily: only valid entries, paged (`indexedVariables`) so a big table opens
 * as fast as a small one; a table entry opens the next level, a leaf its fields.
 */
export function tableVariables(machine: Machine, store: VariableStore, ref: TableRef, onWrite: (pa: number) => void): VariableContainer {
  const stage = tableStage(machine, ref.domain);
  const entryVariable = (entry: TableEntry): DebugProtocol.Variable => {
    const value = fromHalves(entry.lo, entry.hi);
    // A nested domain's stage 1 is the guest's: its descriptors and the tables they name are at IPAs.
    const pa = descriptorPa(machine, ref.domain, entry.descriptorAddress);
    const named = entry.descriptor.outputAddress;
    const namedPa = stage === 'nested' ? descriptorPa(machine, ref.domain, named) : undefined;
    const through = stage === 'nested' ? `; IPA ${hex(named)} is ${namedPa === undefined ? 'unmapped at stage 2' : `PA ${hex(namedPa)}`}` : '';
    const common = {
      name: `L${ref.level}[${entry.index}]`,
      value: `${hexGrouped(entry.iova)}: ${entry.descriptor.text}${through}`,
      type: stage === 'nested' ? `${hex64(value)} at IPA ${hex(entry.descriptorAddress)} (PA ${pa === undefined ? 'none' : hex(pa)})` : hex64(value),
      ...(pa === undefined ? {} : { memoryReference: memoryReference(pa) }),
    };
    if (entry.next) {
      const child: TableRef = { domain: ref.domain, level: entry.next.level, table: entry.next.tableAddress, iovaBase: entry.next.iovaBase };
      return { ...common, variablesReference: store.add(tableVariables(machine, store, child, onWrite)), indexedVariables: validEntries(machine, child) };
    }
    if (pa === undefined) return { ...common, variablesReference: 0 };
    return { ...common, variablesReference: store.add(descriptorVariables(machine, Number(pa), ref.level, granuleOf(machine, ref.domain), stage === 2, onWrite)) };
  };
  return {
    variables: (start = 0, count) => tableEntries(machine, ref).slice(start, count === undefined ? undefined : start + count).map(entryVariable),
    dataId: (name) => {
      const index = /^L\d\[(\d+)\]$/.exec(name)?.[1];
      const entry = index === undefined ? undefined : tableEntries(machine, ref).find((e) => e.index === Number(index));
      const at = entry && descriptorPa(machine, ref.domain, entry.descriptorAddress);
      if (at === undefined) return undefined;
      const pa = Number(at);
      return { dataId: dataIdOf({ kind: 'memory', pa, label: `${name} @ ${hex(pa)}` }), description: `descriptor ${name} at ${hex(pa)} changes` };
    },
  };
}
