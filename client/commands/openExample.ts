import * as vscode from 'vscode';

/**
 * The example the Getting Started walkthrough opens: the Adreno 530 story, where a fault
 * with neither CFCFG nor HUPCF set turns the texture reads behind it into zeros.
 */
const gettingStartedExample = 'a530-fault-no-stall.iommu';

/**
 * Opens the Getting Started example from the extension's install folder (the .vsix ships
 * the examples), so a user with no scenario of their own has one to press F5 on.
 */
export async function openExample(extensionUri: vscode.Uri): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(extensionUri, 'examples', gettingStartedExample));
  await vscode.window.showTextDocument(document);
}
