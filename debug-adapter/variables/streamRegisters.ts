import { DebugProtocol } from '@vscode/debugprotocol';
import { DecodedField, fieldText, fieldView } from '../../emulator/inspect/decodedFields';
import { cdAddress, cdIpa, cdsAtIpas, cdSummary, describeCd, describeSte, readStructure, steSummary, streamOf } from '../../emulator/inspect/streams';
import { Machine } from '../../emulator/machine/machine';
import { hex, hex64 } from '../../emulator/util/u64';
import { dataIdOf } from '../dataWatches';
import { leaf, VariableContainer, VariableStore } from './store';
import { memoryReference } from './values';

const readOnly: DebugProtocol.VariablePresentationHint = { kind: 'property', attributes: ['readOnly'] };

/**
 * One STE or CD read from memory when opened: its decoded fields (value and meaning),
 * then its eight dwords, each with its address — watchable, as a descriptor is.
 */
function structureVariables(machine: Machine, pa: number, what: string, describe: (dwords: readonly bigint[]) => DecodedField[]): VariableContainer {
  const dwordName = (i: number): string => `dword ${i}`;
  return {
    variables: () => {
      const dwords = readStructure(machine, pa);
      let fields: DebugProtocol.Variable[];
      try {
        fields = describe(dwords)
          .map(fieldView)
          .map((f) => leaf(f.name, fieldText(f), { type: `bits ${f.bits}`, presentationHint: readOnly }));
      } catch (error) {
        fields = [leaf('fields', `not decodable: ${error instanceof Error ? error.message : String(error)}`)];
      }
      return [...fields, ...dwords.map((d, i) => leaf(dwordName(i), hex64(d), { memoryReference: memoryReference(pa + 8 * i), type: `at ${hex(pa + 8 * i)}`, presentationHint: readOnly }))];
    },
    dataId: (name) => {
      const i = /^dword (\d)$/.exec(name)?.[1];
      if (i === undefined) return undefined;
      const at = pa + 8 * Number(i);
      return { dataId: dataIdOf({ kind: 'memory', pa: at, label: `${what} ${name} @ ${hex(at)}` }), description: `${what} ${name} at ${hex(at)} changes` };
    },
  };
}

/**
 * The Registers scope on SMMUv3, which has no context banks: the stream's STE and the CDs
 * its CD table holds (the one `ssid` selects first), as Linux wrote them in memory.
 */
export function streamRegisterVariables(machine: Machine, store: VariableStore, smmu: number, sid: number, ssid: number | undefined): VariableContainer {
  return {
    variables: () => {
      const stream = streamOf(machine, smmu, sid);
      if (!stream) return [];
      const variables: DebugProtocol.Variable[] = [
        {
          name: 'STE',
          value: steSummary(readStructure(machine, stream.ste)),
          type: `Stream Table Entry of StreamID ${hex(sid)} at ${hex(stream.ste)}`,
          memoryReference: memoryReference(stream.ste),
          presentationHint: readOnly,
          variablesReference: store.add(structureVariables(machine, stream.ste, 'STE', describeSte)),
        },
      ];
      const used = ssid ?? 0;
      const cds = [...stream.cds].sort((a, b) => (a.ssid === used ? -1 : b.ssid === used ? 1 : a.ssid - b.ssid));
      for (const cd of cds) {
        const pa = cdAddress(machine, stream, cd.ssid);
        const ipa = cdsAtIpas(machine, stream) ? cdIpa(stream, cd.ssid) : undefined;
        if (pa === undefined) continue;
        // A nested stream's CD is the guest's, at an IPA: named by both addresses.
        const at = ipa === undefined ? hex(pa) : `IPA ${hex(ipa)} (PA ${hex(pa)})`;
        variables.push({
          name: `CD ${cd.ssid}`,
          value: cdSummary(machine, readStructure(machine, pa)),
          type: `Context Descriptor ${cd.ssid} at ${at}${cd.ssid === used ? ' (this transaction\'s)' : ''}`,
          memoryReference: memoryReference(pa),
          presentationHint: readOnly,
          variablesReference: store.add(structureVariables(machine, pa, `CD ${cd.ssid}`, describeCd)),
        });
      }
      return variables;
    },
  };
}
