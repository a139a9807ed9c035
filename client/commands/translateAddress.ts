import * as vscode from 'vscode';
import { IommuSessions } from '../session/iommuSessions';
import { parseAddress } from './parseAddress';

/** IOMMU: Translate Address… — the live walk of an IOVA through a domain, descriptor by descriptor. */
export async function translateAddress(sessions: IommuSessions, given?: string): Promise<void> {
  const session = sessions.stoppedSession();
  if (typeof session === 'string') {
    void vscode.window.showErrorMessage(session);
    return;
  }
  const text = given ?? (await vscode.window.showInputBox({ title: 'Translate Address', prompt: 'The IOVA to walk', placeHolder: '0x0700_0000', validateInput: (v) => (parseAddress(v) ? undefined : 'an address: 0x… or decimal') }));
  const iova = text === undefined ? undefined : parseAddress(text);
  if (iova === undefined) return;
  const { domains } = await sessions.request(session, 'iommu/domains', {});
  const picked =
    domains.length === 1
      ? domains[0]
      : (await vscode.window.showQuickPick(domains.map((d) => ({ label: d.name, description: `${d.smmu}${d.contextBank === null ? '' : ` cb${d.contextBank}`}`, domain: d })), { title: `Translate ${iova} in which domain?` }))?.domain;
  if (!picked) return;
  try {
    const body = await sessions.request(session, 'iommu/translate', { iova, domain: picked.name });
    const items = body.steps.map((s) => ({ label: `L${s.level}[${s.index}]`, description: s.value, detail: `${s.text} — descriptor at ${s.descriptorAddress}` }));
    await vscode.window.showQuickPick(items, { title: `${body.iova} in ${body.domain}: ${body.pa ? `→ ${body.result}` : body.result}`, placeHolder: 'The walk, from the root' });
  } catch (error) {
    void vscode.window.showErrorMessage(`IOMMU: ${error instanceof Error ? error.message : String(error)}`);
  }
}
