import assert from 'node:assert/strict';
import { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { example, scenarioFile } from './helpers';
import { RawDap, refusalOf } from './rawSession';
import { v3Stall } from './v3Scenarios';

/** ErrorId: BadRequest (names nothing), BadArguments (wrong type or out of range), UnknownRequest. */
const BAD_REQUEST = 1010;
const BAD_ARGUMENTS = 1011;
const UNKNOWN_REQUEST = 1013;


/** A stop on a fault of thread 1, and the domain its engine translates through, on each SMMU version. */
const versions = [
  { version: 'SMMUv2', scenario: () => example('a530-stall-hupcf'), domain: 'gpu_dom' },
  { version: 'SMMUv3', scenario: () => scenarioFile(v3Stall, 'v3-stall'), domain: 'd' },
];

/** `[command, arguments, id, message]`: a request and the exact refusal it gets. */
type Refused = [string, unknown, number, string];

describe('arguments out of range: an error response that says what is wrong, never an internal error', () => {
  let raw: RawDap;
  beforeEach(() => {
    raw = new RawDap();
  });
  afterEach(() => {
    raw.close();
  });


  /** Sends every request in one write; each gets exactly its refusal, and the adapter is still there. */
  async function assertRefused(refused: readonly Refused[]): Promise<void> {
    const answers = await raw.batch(refused.map(([command, args]) => ({ command, arguments: args })));
    assert.deepEqual(
      answers.map(refusalOf),
      refused.map(([, , id, message]) => ({ success: false, id, message })),
    );
    assert.deepEqual(raw.health, { gone: undefined, stderr: '' });
  }

  for (const { version, scenario, domain } of versions) {
    test(`${version}: readMemory beyond the physical address space, or with a count that is not one`, async () => {
      await raw.stoppedOnFault(scenario());
      await assertRefused([
        ['readMemory', { memoryReference: '0x0', offset: 2 ** 48, count: 8 }, BAD_ARGUMENTS, 'readMemory: 0x0 + 281474976710656 is outside the 48-bit physical address space'],
        ['readMemory', { memoryReference: '0xffffffffffff', offset: 1, count: 1 }, BAD_ARGUMENTS, 'readMemory: 0xffffffffffff + 1 is outside the 48-bit physical address space'],
        ['readMemory', { memoryReference: '0x1000', offset: -0x2000, count: 1 }, BAD_ARGUMENTS, 'readMemory: 0x1000 - 8192 is outside the 48-bit physical address space'],
        ['readMemory', { memoryReference: '0x40000000', count: -1 }, BAD_ARGUMENTS, "readMemory: 'count' must be a whole number of at least 0"],
        ['readMemory', { memoryReference: '0x40000000', count: 1.5 }, BAD_ARGUMENTS, "readMemory: 'count' must be a whole number of at least 0"],
        ['readMemory', { memoryReference: '0x40000000', count: '8' }, BAD_ARGUMENTS, "readMemory: 'count' must be a whole number of at least 0"],
        ['readMemory', { memoryReference: '0x40000000' }, BAD_ARGUMENTS, "readMemory: 'count' must be a whole number of at least 0"],
        ['readMemory', { memoryReference: '0x40000000', offset: 0.5, count: 8 }, BAD_ARGUMENTS, "readMemory: 'offset' must be a whole number"],
        ['readMemory', { memoryReference: '{_stack}', count: 8 }, BAD_ARGUMENTS, "memoryReference '{_stack}' is not a physical address (0x…)"],
        ['writeMemory', { memoryReference: '0xfffffffffffc', data: 'AAAAAAAAAAA=' }, BAD_ARGUMENTS, 'the write goes beyond physical memory'],
        ['writeMemory', { memoryReference: '0x40000000', data: 'not base64!' }, BAD_ARGUMENTS, "writeMemory: 'data' must be base64"],
      ]);
    });

    test(`${version}: a read longer than 64 KiB is answered short, and the bytes past 2^48 are unreadable`, async () => {
      await raw.stoppedOnFault(scenario());
      const [long, edge] = await raw.batch([
        { command: 'readMemory', arguments: { memoryReference: '0x40000000', count: 1 << 20 } },
        { command: 'readMemory', arguments: { memoryReference: '0xfffffffffff8', count: 1 << 20 } },
      ]);
      const body = (response: DebugProtocol.Response | undefined): DebugProtocol.ReadMemoryResponse['body'] => response?.body as DebugProtocol.ReadMemoryResponse['body'];
      assert.equal(Buffer.from(body(long)?.data ?? '', 'base64').length, 1 << 16);
      assert.equal(body(long)?.unreadableBytes, 0);
      assert.equal(Buffer.from(body(edge)?.data ?? '', 'base64').length, 8);
      assert.equal(body(edge)?.unreadableBytes, (1 << 20) - 8);
    });

    test(`${version}: iommu/pageTable with a table that is not a page table, and addresses that are not addresses`, async () => {
      await raw.stoppedOnFault(scenario());
      await assertRefused([
        ['iommu/pageTable', { domain, table: '0x40001004', level: 1 }, BAD_ARGUMENTS, 'table 0x40001004 is not a page table: tables are 4 KiB aligned'],
        ['iommu/pageTable', { domain, table: '0xffffffffff000', level: 3 }, BAD_ARGUMENTS, 'table 0xffffffffff000 is beyond the 48-bit physical address space'],
        ['iommu/pageTable', { domain, table: '0x40001000', level: 1.5 }, BAD_ARGUMENTS, "iommu/pageTable: 'level' must be a whole number"],
        ['iommu/pageTable', { domain, table: '0x_' }, BAD_ARGUMENTS, "table '0x_' is not an address"],
        ['iommu/translate', { iova: '0x1_0000_0000_0000_0000', domain }, BAD_ARGUMENTS, "iova '0x1_0000_0000_0000_0000' does not fit in 64 bits"],
        ['iommu/translate', { iova: '0x1000', sid: 2 ** 32 }, BAD_ARGUMENTS, "iommu/translate: 'sid' must be a whole number from 0 to 4294967295"],
        ['iommu/resume', { transaction: -1, action: 'retry' }, BAD_ARGUMENTS, "iommu/resume: 'transaction' must be a whole number of at least 0"],
        ['iommu/dump', { id: 0.5 }, BAD_ARGUMENTS, "iommu/dump: 'id' must be a whole number of at least 0"],
      ]);
    });

    test(`${version}: ids that are not whole numbers, fields that are missing, arguments that are not an object`, async () => {
      await raw.stoppedOnFault(scenario());
      await assertRefused([
        ['stackTrace', { threadId: '1' }, BAD_ARGUMENTS, "stackTrace: 'threadId' must be a whole number"],
        ['stackTrace', { threadId: 2 ** 53 }, BAD_ARGUMENTS, "stackTrace: 'threadId' must be a whole number"],
        ['stackTrace', {}, BAD_ARGUMENTS, "stackTrace: 'threadId' must be a whole number"],
        ['stackTrace', { threadId: 99 }, BAD_REQUEST, 'there is no thread 99'],
        ['stackTrace', { threadId: 1, levels: -1 }, BAD_ARGUMENTS, "stackTrace: 'levels' must be a whole number of at least 0"],
        ['stackTrace', 5, BAD_ARGUMENTS, 'stackTrace: the arguments must be an object, not 5'],
        ['scopes', { frameId: 1.5 }, BAD_ARGUMENTS, "scopes: 'frameId' must be a whole number"],
        ['variables', { variablesReference: 1000, start: -1 }, BAD_ARGUMENTS, "variables: 'start' must be a whole number of at least 0"],
        ['next', { threadId: null }, BAD_ARGUMENTS, "next: 'threadId' must be a whole number"],
        ['evaluate', { expression: 42 }, BAD_ARGUMENTS, "evaluate: 'expression' must be a string"],
        ['evaluate', { expression: 'read(0xffffffffffff, 8)', context: 'repl' }, BAD_REQUEST, 'read(0xffffffffffff, 8) is beyond the 48-bit physical address space'],
        ['setBreakpoints', { source: {}, breakpoints: [{ line: 'x' }] }, BAD_ARGUMENTS, "setBreakpoints: 'breakpoints[0].line' must be a whole number"],
        ['setBreakpoints', { breakpoints: [] }, BAD_ARGUMENTS, "setBreakpoints: 'source' must be an object"],
        ['setExceptionBreakpoints', { filters: 'translation' }, BAD_ARGUMENTS, "setExceptionBreakpoints: 'filters' must be an array of strings"],
        ['setFunctionBreakpoints', { breakpoints: [{}] }, BAD_ARGUMENTS, "setFunctionBreakpoints: 'breakpoints[0].name' must be a string"],
        ['setDataBreakpoints', { breakpoints: [{ dataId: 7 }] }, BAD_ARGUMENTS, "setDataBreakpoints: 'breakpoints[0].dataId' must be a string"],
        ['completions', { text: 'tra' }, BAD_ARGUMENTS, "completions: 'column' must be a whole number"],
      ]);
    });
  }

  test('a register written with a value wider than it is refused', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    const stack = await raw.request('stackTrace', { threadId: 1 });
    const frameId = (stack.body as DebugProtocol.StackTraceResponse['body']).stackFrames[0]?.id;
    const scopes = (await raw.request('scopes', { frameId })).body as DebugProtocol.ScopesResponse['body'];
    const registers = scopes.scopes.find((s) => s.name.startsWith('Registers'))?.variablesReference;
    await assertRefused([
      ['setVariable', { variablesReference: registers, name: 'FSR', value: '0x1_0000_0000' }, BAD_ARGUMENTS, "'0x1_0000_0000' does not fit in 32 bits"],
      ['setVariable', { variablesReference: registers, name: 'FSR', value: '-1' }, BAD_ARGUMENTS, "'-1' is not a number: write it in decimal or as 0x…"],
    ]);
  });

  test('data breakpoints this adapter cannot have made are answered unverified', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    const answer = await raw.request('setDataBreakpoints', { breakpoints: [{ dataId: 'pa:0x40000004:x' }, { dataId: 'reg:0:9:FSR:x' }, { dataId: 'reg:0:0:BOGUS:x' }] });
    assert.deepEqual((answer.body as DebugProtocol.SetDataBreakpointsResponse['body']).breakpoints, [
      { id: 1000000, verified: false, message: "'pa:0x40000004:x' is not a data breakpoint this adapter made" },
      { id: 1000001, verified: false, message: "'reg:0:9:FSR:x' is not a data breakpoint this adapter made" },
      { id: 1000002, verified: false, message: "'reg:0:0:BOGUS:x' is not a data breakpoint this adapter made" },
    ]);
  });

  test('initialize: pathFormat defaults to path, a URI client is refused, arguments that are not an object too', async () => {
    assert.equal((await raw.request('initialize', { adapterID: 'iommu' })).success, true);
    await assertRefused([
      ['initialize', { adapterID: 'iommu', pathFormat: 'uri' }, BAD_ARGUMENTS, "initialize: the IOMMU debugger takes file paths (pathFormat 'path'), not 'uri'"],
      ['initialize', 'iommu', BAD_ARGUMENTS, 'initialize: the arguments must be an object, not "iommu"'],
    ]);
  });

  test('source: only the kernel files its frames name, by a reference of at least 1', async () => {
    await assertRefused([
      ['source', { sourceReference: 99 }, BAD_ARGUMENTS, "there is no source 99: the IOMMU debugger's sources are the scenario (by path) and the kernel files its frames name"],
      ['source', { sourceReference: 0 }, BAD_ARGUMENTS, "source: 'sourceReference' must be a whole number of at least 1"],
      ['source', {}, BAD_ARGUMENTS, "source: 'sourceReference' must be a whole number of at least 1"],
    ]);
  });

  test('requests this adapter does not implement are refused, not answered with an empty success', async () => {
    await assertRefused([
      ['disassemble', { memoryReference: '0x40000000', instructionCount: 4 }, UNKNOWN_REQUEST, "the IOMMU debugger does not support 'disassemble'"],
      ['attach', {}, UNKNOWN_REQUEST, "the IOMMU debugger does not support 'attach'"],
      ['iommu/nope', {}, UNKNOWN_REQUEST, "unknown request 'iommu/nope'"],
    ]);
  });

  test('breakpointLocations over a range far past the end of the file is answered at once', async () => {
    await raw.stoppedOnFault(example('a530-stall-hupcf'));
    const answer = await raw.request('breakpointLocations', { source: { path: example('a530-stall-hupcf') }, line: 1, endLine: 1e9 });
    assert.deepEqual((answer.body as DebugProtocol.BreakpointLocationsResponse['body']).breakpoints.length > 0, true);
  });
});
