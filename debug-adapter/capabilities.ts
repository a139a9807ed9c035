import { DebugProtocol } from '@vscode/debugprotocol';

/** What the adapter answers to `initialize`: only what it implements. */
export const capabilities: DebugProtocol.Capabilities = {
  supportsConfigurationDoneRequest: true,
  supportsTerminateRequest: true,
};
