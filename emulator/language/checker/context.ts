import type { KernelVersion } from '../../kernel/versions';
import { Declaration, Transaction } from '../ast';
import { DiagnosticSink } from '../diagnostics';
import { SmmuVersion } from '../schema';
import { LineIndex } from '../source';
import { BlockSettings } from './settings';
import { SymbolEntry, SymbolTable } from './symbols';

/** What the checker's passes share, and what elaboration reads afterwards. */
export interface CheckContext {
  sink: DiagnosticSink;
  lines: LineIndex;
  symbols: SymbolTable;
  /** The checked settings of every block. */
  settings: Map<Declaration, BlockSettings>;
  /** The SMMU a domain, master or vfio container belongs to, when it could be decided. */
  smmuOf: Map<Declaration, SymbolEntry<'smmu'>>;
  /** `as NAME` labels: every transaction that carries each. */
  labels: Map<string, Transaction[]>;
  /** The Linux release whose fault path the scenario runs (diagnostics that depend on it name it). */
  kernel: KernelVersion;
  /** The masters whose own `domain` attached at start (checkAttachments decides it, in declaration order). */
  ownAttached: Set<Declaration>;
}

export function versionOf(context: Pick<CheckContext, 'settings'>, smmu: SymbolEntry<'smmu'> | undefined): SmmuVersion | undefined {
  if (!smmu?.declaration) return undefined;
  const settings = context.settings.get(smmu.declaration);
  return settings ? (settings.word('version') as SmmuVersion) : undefined;
}
