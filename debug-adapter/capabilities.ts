import { DebugProtocol } from '@vscode/debugprotocol';
import { exceptionFilters } from './exceptionFilters';

/** What the adapter answers to `initialize`: only what it implements. */
export const capabilities: DebugProtocol.Capabilities = {
  supportsConfigurationDoneRequest: true,
  supportsTerminateRequest: true,
  supportsRestartRequest: true,
  supportsConditionalBreakpoints: true,
  supportsHitConditionalBreakpoints: true,
  supportsLogPoints: true,
  supportsFunctionBreakpoints: true,
  supportsDataBreakpoints: true,
  supportsBreakpointLocationsRequest: true,
  exceptionBreakpointFilters: exceptionFilters,
  supportsExceptionFilterOptions: true,
  supportsExceptionInfoRequest: true,
  supportsSetVariable: true,
  supportsReadMemoryRequest: true,
  supportsWriteMemoryRequest: true,
  supportsEvaluateForHovers: true,
  supportsCompletionsRequest: true,
  completionTriggerCharacters: ['('],
  supportsStepBack: true,
  // A long run's progress can be cancelled: that pauses it.
  supportsCancelRequest: true,
};

/**
 * Standard requests this adapter does not implement (their capabilities are not
 * advertised). The base class would answer them with success and no body, which a
 * client cannot tell from an answer: they are refused instead.
 */
export const unsupportedRequests: ReadonlySet<string> = new Set([
  'attach',
  'restartFrame',
  'goto',
  'gotoTargets',
  'terminateThreads',
  'setExpression',
  'stepInTargets',
  'loadedSources',
  'disassemble',
  'setInstructionBreakpoints',
]);
