import { DebugProtocol } from '@vscode/debugprotocol';
import { customRequests } from '../../debug-adapter/protocol';

/**
 * What a successful answer must look like, whatever the request asked: the fields DAP (or
 * protocol.ts) requires, of their types, ids and counts that are whole numbers, and as
 * many breakpoints back as were sent. Returns what is wrong, in words.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, min = 0): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function list(body: Json, key: string, problems: string[]): Json[] {
  const value = body[key];
  if (!Array.isArray(value) || !value.every(isObject)) {
    problems.push(`'${key}' is not a list of objects`);
    return [];
  }
  return value;
}

function requireFields(item: Json, where: string, fields: Record<string, 'string' | 'whole' | 'boolean'>, problems: string[]): void {
  for (const [key, kind] of Object.entries(fields)) {
    const value = item[key];
    const fits = kind === 'whole' ? isWhole(value) : typeof value === kind;
    if (!fits) problems.push(`${where}.${key} is ${JSON.stringify(value)}, not a ${kind === 'whole' ? 'whole number' : kind}`);
  }
}

function sentCount(args: unknown, key: string): number | undefined {
  return isObject(args) && Array.isArray(args[key]) ? args[key].length : undefined;
}

export function answerProblems(response: DebugProtocol.Response, args: unknown): string[] {
  const problems: string[] = [];
  const body: Json = isObject(response.body) ? response.body : {};
  const breakpointsBack = (): void => {
    const back = list(body, 'breakpoints', problems);
    const sent = sentCount(args, 'breakpoints');
    if (sent !== undefined && back.length !== sent) problems.push(`${sent} breakpoints sent, ${back.length} answered`);
    back.forEach((b, i) => requireFields(b, `breakpoints[${i}]`, { verified: 'boolean' }, problems));
  };
  switch (response.command) {
    case 'threads':
      list(body, 'threads', problems).forEach((t, i) => requireFields(t, `threads[${i}]`, { id: 'whole', name: 'string' }, problems));
      break;
    case 'stackTrace':
      list(body, 'stackFrames', problems).forEach((f, i) => requireFields(f, `stackFrames[${i}]`, { id: 'whole', name: 'string', line: 'whole', column: 'whole' }, problems));
      if (!isWhole(body['totalFrames'])) problems.push(`totalFrames is ${JSON.stringify(body['totalFrames'])}`);
      break;
    case 'scopes':
      list(body, 'scopes', problems).forEach((s, i) => requireFields(s, `scopes[${i}]`, { name: 'string', variablesReference: 'whole', expensive: 'boolean' }, problems));
      break;
    case 'variables':
      list(body, 'variables', problems).forEach((v, i) => requireFields(v, `variables[${i}]`, { name: 'string', value: 'string', variablesReference: 'whole' }, problems));
      break;
    case 'evaluate':
      requireFields(body, 'body', { result: 'string', variablesReference: 'whole' }, problems);
      break;
    case 'setVariable':
      requireFields(body, 'body', { value: 'string' }, problems);
      break;
    case 'readMemory':
      requireFields(body, 'body', { address: 'string', data: 'string', unreadableBytes: 'whole' }, problems);
      break;
    case 'writeMemory':
      requireFields(body, 'body', { bytesWritten: 'whole' }, problems);
      break;
    case 'setBreakpoints':
    case 'setFunctionBreakpoints':
    case 'setDataBreakpoints':
      breakpointsBack();
      break;
    case 'setExceptionBreakpoints': {
      const sent = (sentCount(args, 'filters') ?? 0) + (sentCount(args, 'filterOptions') ?? 0);
      const back = list(body, 'breakpoints', problems);
      if (back.length !== sent) problems.push(`${sent} filters sent, ${back.length} answered`);
      break;
    }
    case 'breakpointLocations':
      list(body, 'breakpoints', problems).forEach((b, i) => requireFields(b, `breakpoints[${i}]`, { line: 'whole' }, problems));
      break;
    case 'completions':
      list(body, 'targets', problems).forEach((t, i) => requireFields(t, `targets[${i}]`, { label: 'string' }, problems));
      break;
    case 'exceptionInfo':
      requireFields(body, 'body', { exceptionId: 'string', breakMode: 'string' }, problems);
      break;
    case 'dataBreakpointInfo':
      if (!(body['dataId'] === null || typeof body['dataId'] === 'string')) problems.push(`dataId is ${JSON.stringify(body['dataId'])}`);
      requireFields(body, 'body', { description: 'string' }, problems);
      break;
    case customRequests.stalled:
      list(body, 'transactions', problems).forEach((t, i) => requireFields(t, `transactions[${i}]`, { id: 'whole', threadId: 'whole', iova: 'string', line: 'whole' }, problems));
      break;
    case customRequests.resume:
      if (!Array.isArray(body['resumed']) || !body['resumed'].every((id) => isWhole(id))) problems.push(`resumed is ${JSON.stringify(body['resumed'])}`);
      requireFields(body, 'body', { written: 'string' }, problems);
      break;
    case customRequests.pageTable:
      list(body, 'entries', problems).forEach((e, i) => requireFields(e, `entries[${i}]`, { index: 'whole', iova: 'string', descriptorAddress: 'string', value: 'string', text: 'string' }, problems));
      break;
    case customRequests.translate:
      requireFields(body, 'body', { domain: 'string', iova: 'string', result: 'string' }, problems);
      break;
    case customRequests.faults:
      list(body, 'faults', problems).forEach((f, i) => requireFields(f, `faults[${i}]`, { id: 'whole', kind: 'string', iova: 'string', line: 'whole' }, problems));
      break;
    case customRequests.domains:
    case customRequests.dump:
    case customRequests.smmu:
    case customRequests.timeline:
    case customRequests.queues:
      if (!isObject(response.body)) problems.push('no body');
      break;
    default:
      break;
  }
  return problems.map((p) => `the answer to ${response.command}: ${p}`);
}

/** What an event must carry. */
export function eventProblems(event: DebugProtocol.Event): string[] {
  const body: Json = isObject(event.body) ? event.body : {};
  const problems: string[] = [];
  switch (event.event) {
    case 'stopped':
      requireFields(body, 'body', { reason: 'string', threadId: 'whole', description: 'string' }, problems);
      break;
    case 'output':
      requireFields(body, 'body', { output: 'string', category: 'string' }, problems);
      break;
    case 'thread':
      requireFields(body, 'body', { reason: 'string', threadId: 'whole' }, problems);
      break;
    case 'exited':
      requireFields(body, 'body', { exitCode: 'whole' }, problems);
      break;
    case 'memory':
      requireFields(body, 'body', { memoryReference: 'string', offset: 'whole', count: 'whole' }, problems);
      break;
    default:
      break;
  }
  return problems.map((p) => `the ${event.event} event: ${p}`);
}
