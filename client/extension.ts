import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { debugType, IommuConfigurationProvider } from './configurationProvider';
import { IommuDebugAdapterFactory } from './debugAdapterFactory';
import { createLanguageClient } from './languageClient';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(debugType, new IommuConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(debugType, new IommuDebugAdapterFactory(context)),
  );
  registerCommands(context);
  client = createLanguageClient(context);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
