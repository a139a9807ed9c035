import * as vscode from 'vscode';
import { ContextBankSummary, SmmuSummary, StreamSummary } from '../../debug-adapter/protocol';
import { DapVariable, isReadOnly, SetVariableResponseBody, VariablesResponseBody } from '../session/dapTypes';
import { IommuSessions, RunSource } from '../session/iommuSessions';
import { SessionTree } from './sessionTree';
import { smmuDescription, streamDescription } from './smmuRows';

export const smmuViewId = 'iommu.smmu';

export type SmmuNode =
  | { kind: 'smmu'; smmu: SmmuSummary }
  | { kind: 'bank'; smmu: string; bank: ContextBankSummary }
  /** SMMUv3: a stream, opening into its STE and CDs. */
  | { kind: 'stream'; smmu: string; stream: StreamSummary }
  /** A register, or a field of one: a DAP variable and the container it was read from (to write it back). */
  | { kind: 'variable'; path: string; variable: DapVariable; container: number };

/** The registers in a container: read from the live session; a kept run's (reference 0) open no further. */
function variables(source: RunSource, variablesReference: number): Promise<DapVariable[]> {
  if (source.kind === 'kept' || variablesReference === 0) return Promise.resolve([]);
  return Promise.resolve(source.session.customRequest('variables', { variablesReference })).then((body: VariablesResponseBody) => body.variables);
}

/** A row opens when it has registers to read: a kept run's have none (reference 0). */
function opens(variablesReference: number): vscode.TreeItemCollapsibleState {
  return variablesReference === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed;
}

/**
 * The SMMUs as the driver sees them: an SMMUv2's context banks with FSR in words, each
 * opening its registers and their bit-fields (the adapter's Registers variables, read with
 * DAP `variables`), writable ones edited in place with `setVariable`; an SMMUv3's streams,
 * each opening its STE and CDs as they are in memory.
 */
export class SmmuView extends SessionTree<SmmuNode> {
  protected readonly noneWhenEnded = 'No SMMU';

  protected async roots(source: RunSource): Promise<SmmuNode[]> {
    const body = await this.sessions.ask(source, 'iommu/smmu', {});
    return body.smmus.map((smmu) => ({ kind: 'smmu', smmu }));
  }

  protected override async children(source: RunSource, node: SmmuNode): Promise<SmmuNode[]> {
    switch (node.kind) {
      case 'smmu':
        return [
          ...node.smmu.contextBanks.map((bank): SmmuNode => ({ kind: 'bank', smmu: node.smmu.name, bank })),
          ...(node.smmu.streams ?? []).map((stream): SmmuNode => ({ kind: 'stream', smmu: node.smmu.name, stream })),
        ];
      case 'stream': {
        const container = node.stream.variablesReference;
        return (await variables(source, container)).map((variable) => ({ kind: 'variable', path: `${node.smmu}-sid${node.stream.sid}-${variable.name}`, variable, container }));
      }
      case 'bank': {
        const container = node.bank.variablesReference;
        return (await variables(source, container)).map((variable) => ({ kind: 'variable', path: `${node.smmu}-cb${node.bank.cbndx}-${variable.name}`, variable, container }));
      }
      case 'variable': {
        const container = node.variable.variablesReference;
        return (await variables(source, container)).map((variable) => ({ kind: 'variable', path: `${node.path}-${variable.name}`, variable, container }));
      }
    }
  }

  protected item(node: SmmuNode): vscode.TreeItem {
    switch (node.kind) {
      case 'smmu': {
        const item = new vscode.TreeItem(node.smmu.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `smmu-${node.smmu.name}`;
        item.description = smmuDescription(node.smmu);
        item.iconPath = new vscode.ThemeIcon('server-process');
        return item;
      }
      case 'bank': {
        const b = node.bank;
        const item = new vscode.TreeItem(`cb${b.cbndx}`, opens(b.variablesReference));
        item.id = `smmu-${node.smmu}-cb${b.cbndx}`;
        const fault = b.fsrFlags === '0' ? 'FSR clear' : `FSR ${b.fsrFlags}`;
        item.description = `${b.domain ?? 'no domain'} · ${fault}${b.stalled > 0 ? ` · ${b.stalled} stalled` : ''}`;
        item.iconPath = new vscode.ThemeIcon(b.fsrFlags === '0' ? 'circuit-board' : 'error', b.fsrFlags === '0' ? undefined : new vscode.ThemeColor('charts.red'));
        return item;
      }
      case 'stream': {
        const st = node.stream;
        const item = new vscode.TreeItem(`sid 0x${st.sid.toString(16)}`, opens(st.variablesReference));
        item.id = `smmu-${node.smmu}-sid${st.sid}`;
        item.description = streamDescription(st);
        item.tooltip = `STE at ${st.ste}: ${st.config}\n${st.cds.map((cd) => `CD ${cd.ssid} at ${cd.address}: ${cd.domain}, ASID ${cd.asid}`).join('\n')}`;
        item.iconPath = new vscode.ThemeIcon(st.stalled > 0 ? 'debug-pause' : 'circuit-board', st.stalled > 0 ? new vscode.ThemeColor('charts.yellow') : undefined);
        return item;
      }
      case 'variable': {
        const v = node.variable;
        const item = new vscode.TreeItem(v.name, opens(v.variablesReference));
        item.id = `smmu-${node.path}`;
        item.description = v.value;
        if (v.type) item.tooltip = `${v.name} = ${v.value}\n${v.type}`;
        item.contextValue = isReadOnly(v) ? 'iommu.register.readOnly' : 'iommu.register.writable';
        return item;
      }
    }
  }
}

/** Edits a register or a field in the SMMU view: `setVariable` on the container it came from. */
export async function editRegister(sessions: IommuSessions, node: SmmuNode): Promise<void> {
  if (node.kind !== 'variable') return;
  const session = sessions.stoppedSession();
  if (typeof session === 'string') {
    void vscode.window.showErrorMessage(session);
    return;
  }
  const current = node.variable.value.replace(/\s*\(.*\)$/, '');
  const value = await vscode.window.showInputBox({ title: `Write ${node.variable.name}`, value: current, prompt: node.variable.type });
  if (value === undefined) return;
  try {
    const body = (await session.customRequest('setVariable', { variablesReference: node.container, name: node.variable.name, value })) as SetVariableResponseBody;
    vscode.window.setStatusBarMessage(`IOMMU: ${node.variable.name} = ${body.value}`, 8000);
  } catch (error) {
    void vscode.window.showErrorMessage(`IOMMU: cannot write ${node.variable.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
