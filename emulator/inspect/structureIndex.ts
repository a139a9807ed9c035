import { Environment, evaluate, EvaluationError, toInteger, Value } from '../language/evaluate';
import { Expression } from '../language/ast';
import { Range } from '../language/source';
import { Machine } from '../machine/machine';
import { hex } from '../util/u64';
import { cdAddress, readStructure, streamOf } from './streams';
import { hasStreamTable } from '../smmu/structures';

/** What `STE[sid]` or `CD[ssid]` names: a structure in memory, by its PA. */
function structureAddress(machine: Machine, smmu: number, sid: number | undefined, table: string, key: number, range: Range): number {
  if (table === 'STE') {
    const stream = streamOf(machine, smmu, key);
    if (!stream) throw new EvaluationError(`StreamID ${hex(key)} has no STE on this SMMU`, range);
    return stream.ste;
  }
  const stream = sid === undefined ? undefined : streamOf(machine, smmu, sid);
  if (!stream) throw new EvaluationError('CD[ssid] needs a frame with a stream', range);
  const pa = stream.cds.some((cd) => cd.ssid === key) ? cdAddress(machine, stream, key) : undefined;
  if (pa === undefined) throw new EvaluationError(`StreamID ${hex(stream.sid)} has no CD ${key}`, range);
  return pa;
}

/**
 * `STE[sid]` and `CD[ssid]` in the Debug Console on an SMMUv3: dword 0 of the structure
 * as it is in memory, and `STE[sid][n]` its dword n. (CD is the frame's stream's.)
 */
export function indexStructure(machine: Machine, smmu: number | undefined, sid: number | undefined, target: Expression, index: Value, env: Environment, range: Range): Value {
  const tableOf = (e: Expression): string | undefined => (e.kind === 'identifier' && (e.name === 'STE' || e.name === 'CD') ? e.name : undefined);
  const name = tableOf(target) ?? (target.kind === 'index' ? tableOf(target.target) : undefined);
  if (smmu === undefined || !hasStreamTable(machine.state, smmu)) {
    throw new EvaluationError(`'${name ?? (target.kind === 'identifier' ? target.name : '…')}[…]': stream table entries exist on SMMUv3 only`, range);
  }
  if (name === undefined) throw new EvaluationError('only STE[sid] and CD[ssid] can be indexed', range);
  let key: number;
  let dword = 0;
  if (target.kind === 'index') {
    if (!target.index) throw new EvaluationError(`${name}[…] needs an index`, range);
    key = Number(toInteger(evaluate(target.index, env), target.index.range));
    dword = Number(toInteger(index, range));
  } else {
    key = Number(toInteger(index, range));
  }
  if (!Number.isInteger(dword) || dword < 0 || dword > 7) throw new EvaluationError(`${name} has dwords 0 to 7, not ${dword}`, range);
  return readStructure(machine, structureAddress(machine, smmu, sid, name, key, range))[dword] ?? 0n;
}
