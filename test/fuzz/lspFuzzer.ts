import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  PublishDiagnosticsParams,
  Range,
  ResponseError,
  SemanticTokensLegend,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { answerProblems, Geometry, Outcome, renamePairProblems } from './lspAnswers';
import { documentArbitrary, insertedText } from './lspDocuments';
import { concreteRequests, isRenamePair, requestArbitrary, RequestSpec, SentRequest } from './lspRequests';
import { LspServerProcess } from './lspServerProcess';
import { fuzzer } from './fuzzTarget';

/**
 * The language server over a real connection. One case: a document is opened, changed once
 * (a whole new text, or ranged edits of the one opened), asked a few random requests, sent
 * again unchanged and asked them again, and closed. Every case keeps these promises:
 *
 * - every request is answered: a result of the right shape with every range inside the
 *   document, or an error only where the request deserves one (invalid params, a method the
 *   server does not offer, a refused rename); never InternalError;
 * - diagnostics are published for every version, each range inside the document;
 * - the same text twice gets the same diagnostics and the same answers;
 * - nothing that looks like a stack trace reaches stderr, no error is logged to the
 *   client (a feature that threw and answered with nothing), and the process stays alive.
 */

const uri = 'file:///fuzz/document.iommu';
const languageId = 'iommu-scenario';

/** What a ranged edit replaces: `length` characters from an offset, or raw positions that may lie outside the text. */
type EditSpec = { kind: 'offset'; offset: number; length: number; text: string } | { kind: 'raw'; start: [number, number]; end: [number, number]; text: string };

type Change = { kind: 'full'; text: string } | { kind: 'ranged'; base: string; edits: EditSpec[] };

export interface LspCase {
  change: Change;
  requests: RequestSpec[];
}

const editArbitrary: fc.Arbitrary<EditSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('offset' as const), offset: fc.nat(), length: fc.oneof(fc.nat({ max: 10 }), fc.nat()), text: insertedText }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      start: fc.tuple(fc.nat({ max: 300 }), fc.nat({ max: 300 })),
      end: fc.tuple(fc.nat({ max: 300 }), fc.nat({ max: 300 })),
      text: insertedText,
    }),
  },
);

const changeArbitrary: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('full' as const), text: documentArbitrary }),
  fc.record({ kind: fc.constant('ranged' as const), base: documentArbitrary, edits: fc.array(editArbitrary, { minLength: 1, maxLength: 5 }) }),
);

/** The text the document is opened with. */
function openingText(change: Change): string {
  return change.kind === 'full' ? '' : change.base;
}

/**
 * A ranged change applied as LSP means it: each range clamped into the text it applies to.
 * (Not `TextDocument.update`, which takes a range past the end into its line table as it
 * is: the fuzzer must know the text the server ought to hold, not repeat the library's slip.)
 */
function applied(text: string, event: { range: Range; text: string }): string {
  const document = TextDocument.create(uri, languageId, 1, text);
  const [start, end] = [document.offsetAt(event.range.start), document.offsetAt(event.range.end)].sort((a, b) => a - b);
  return text.slice(0, start) + event.text + text.slice(end);
}

function rangeOf(edit: EditSpec, document: TextDocument): Range {
  if (edit.kind === 'raw') return { start: { line: edit.start[0], character: edit.start[1] }, end: { line: edit.end[0], character: edit.end[1] } };
  const at = edit.offset % (document.getText().length + 1);
  return { start: document.positionAt(at), end: document.positionAt(at + edit.length) };
}

/** The change as sent, each edit's range taken on the text the edits before it left. */
function contentChanges(change: Change): TextDocumentContentChangeEvent[] {
  if (change.kind === 'full') return [{ text: change.text }];
  let text = change.base;
  return change.edits.map((edit) => {
    const event = { range: rangeOf(edit, TextDocument.create(uri, languageId, 1, text)), text: edit.text };
    text = applied(text, event);
    return event;
  });
}

/** The document as the client holds it after the change. */
function changedDocument(change: Change): TextDocument {
  const text = change.kind === 'full' ? change.text : contentChanges(change).reduce((before, event) => ('range' in event ? applied(before, event) : event.text), change.base);
  return TextDocument.create(uri, languageId, 2, text);
}

function sentRequests(input: LspCase, document: TextDocument): SentRequest[] {
  return concreteRequests(input.requests, uri, document);
}

/** A promise, or a rejection saying what did not happen in time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function outcomeOf(server: LspServerProcess, sent: SentRequest, ms: number): Promise<Outcome> {
  if (sent.expect === 'notification') {
    await server.connection.sendNotification(sent.method, sent.params);
    return { kind: 'result', value: null };
  }
  const request = sent.params === undefined ? server.connection.sendRequest(sent.method) : server.connection.sendRequest(sent.method, sent.params);
  try {
    return { kind: 'result', value: await within(request, ms, sent.method) };
  } catch (error) {
    if (error instanceof ResponseError) return { kind: 'error', code: error.code, message: error.message };
    throw error;
  }
}

function diagnosticProblems(published: PublishDiagnosticsParams, geometry: Geometry): string[] {
  return published.diagnostics.flatMap((d, i) => {
    const problem = geometry.rangeProblem(d.range, `diagnostic ${i} (${d.message})`);
    return problem ? [`version ${published.version}: ${problem}`] : [];
  });
}

/** An answer without what names one answer among others (semantic tokens' `resultId`, new each time). */
function comparable(outcome: Outcome): Outcome {
  if (outcome.kind !== 'result' || typeof outcome.value !== 'object' || outcome.value === null || !('resultId' in outcome.value)) return outcome;
  const { resultId: _, ...rest } = outcome.value;
  return { kind: 'result', value: rest };
}

/** Lines of a stack trace: `    at f (file.js:1:2)`. */
const stackTrace = /^\s+at .+/m;

/** Longest a case waits for one answer: less than the runner's timeout, so that a hang is reported as such and the server restarted. */
const answerTimeoutMs = 15_000;

let server: LspServerProcess | undefined;
let legend: SemanticTokensLegend = { tokenTypes: [], tokenModifiers: [] };
/** A case that failed leaves the server as it was then: the next case starts a fresh one. */
let suspect = false;

async function startServer(): Promise<LspServerProcess> {
  const started = await LspServerProcess.start();
  const provider = started.initialized.capabilities.semanticTokensProvider;
  if (provider) legend = provider.legend;
  server = started.server;
  suspect = false;
  return started.server;
}

async function stopServer(): Promise<void> {
  const stopping = server;
  server = undefined;
  await stopping?.stop();
}

/** The server for the next case: the running one, or a fresh one after a failure. */
async function serverForCase(): Promise<LspServerProcess> {
  if (server && !suspect && !server.exit) return server;
  await stopServer();
  return startServer();
}

async function runCase(running: LspServerProcess, input: LspCase): Promise<string[]> {
  const problems: string[] = [];
  const document = changedDocument(input.change);
  const geometry = new Geometry(document);
  running.forgetDiagnostics();
  await running.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text: openingText(input.change) } });
  const opened = await running.diagnosticsFor(uri, 1, answerTimeoutMs);
  problems.push(...diagnosticProblems(opened, new Geometry(TextDocument.create(uri, languageId, 1, openingText(input.change)))));
  await running.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: contentChanges(input.change) });
  const requests = sentRequests(input, document);
  // Sent together, as an editor does while the user types: answered in any order, each once.
  const [changed, ...outcomes] = await Promise.all([running.diagnosticsFor(uri, 2, answerTimeoutMs), ...requests.map((sent) => outcomeOf(running, sent, answerTimeoutMs))]);
  problems.push(...diagnosticProblems(changed, geometry));
  outcomes.forEach((outcome, i) => {
    problems.push(...answerProblems(requests[i], outcome, geometry, legend));
    if (isRenamePair(requests[i - 1], requests[i])) problems.push(...renamePairProblems(outcomes[i - 1], outcome, JSON.stringify(requests[i].params)));
  });
  // The same text again, as a new version: the same diagnostics, the same answers.
  await running.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ text: document.getText() }] });
  const [again, ...outcomesAgain] = await Promise.all([running.diagnosticsFor(uri, 3, answerTimeoutMs), ...requests.map((sent) => outcomeOf(running, sent, answerTimeoutMs))]);
  if (!isDeepStrictEqual(again.diagnostics, changed.diagnostics)) problems.push(`the same text got other diagnostics the second time: ${JSON.stringify(changed.diagnostics).slice(0, 500)} then ${JSON.stringify(again.diagnostics).slice(0, 500)}`);
  outcomesAgain.forEach((outcome, i) => {
    if (!isDeepStrictEqual(comparable(outcome), comparable(outcomes[i]))) problems.push(`${requests[i].method} ${JSON.stringify(requests[i].params)} answered otherwise on the same text: ${JSON.stringify(outcomes[i]).slice(0, 300)} then ${JSON.stringify(outcome).slice(0, 300)}`);
  });
  await running.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  return problems;
}

export const lspFuzzer = fuzzer<LspCase>({
  name: 'lsp',
  unit: 'LSP changes',
  testCount: 300,
  timeoutMs: 20_000,
  input: fc.record({ change: changeArbitrary, requests: fc.array(requestArbitrary, { minLength: 1, maxLength: 8 }) }),

  async open() {
    await startServer();
  },

  async check(input) {
    const running = await serverForCase();
    const stderrBefore = running.stderr.length;
    const loggedBefore = running.loggedErrors.length;
    let problems: string[];
    try {
      problems = await runCase(running, input);
    } catch (error) {
      problems = [error instanceof Error ? error.message : String(error)];
    }
    const stderr = running.stderr.slice(stderrBefore);
    if (stackTrace.test(stderr)) problems.push(`a stack trace on stderr:\n${stderr}`);
    problems.push(...running.loggedErrors.slice(loggedBefore).map((message) => `the server logged an error: ${message}`));
    if (running.exit) problems.push(`the server exited: ${JSON.stringify(running.exit)}\n${stderr}`);
    if (problems.length === 0) return;
    suspect = true;
    throw new Error(problems.join('\n'));
  },

  reproduction(input) {
    const document = changedDocument(input.change);
    const requests = { uri, open: { version: 1 }, change: { version: 2, contentChanges: contentChanges(input.change) }, requests: sentRequests(input, document) };
    return [
      ...(input.change.kind === 'ranged' ? [{ name: 'opened.iommu', text: input.change.base }] : []),
      { name: 'document.iommu', text: document.getText() },
      { name: 'requests.json', text: `${JSON.stringify(requests, null, 2)}\n` },
    ];
  },

  async close() {
    await stopServer();
  },
});
