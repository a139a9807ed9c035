import { Connection, InitializeResult, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import packageJson from '../package.json';

/** Name and version the server reports in `initialize`. */
export const serverInfo = { name: 'iommu-scenario-language-server', version: packageJson.version };

/**
 * Wires the LSP features to a connection. The transport (stdio, IPC, an in-memory
 * stream pair in tests) is the caller's choice.
 */
export function startServer(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);

  connection.onInitialize(
    (): InitializeResult => ({
      serverInfo,
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
      },
    }),
  );

  documents.listen(connection);
  connection.listen();
  return documents;
}
