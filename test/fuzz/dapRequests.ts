import fc from 'fast-check';
import { kernelFunctions } from '../../debug-adapter/breakpoints';
import { exceptionFilters } from '../../debug-adapter/exceptionFilters';
import { customRequests } from '../../debug-adapter/protocol';

/**
 * The requests of a DAP session as the fuzzer draws them: symbolic where they name what
 * the adapter gave out earlier (`{ $given: 'frame', pick: 3 }` is the fourth frame id of
 * the current stop, modulo how many there are), so that a case shrinks and replays
 * whatever ids the adapter hands out.
 */

/** Kinds of values the adapter gives out (or the scenario has), picked when a request is sent. */
export type GivenKind =
  | 'scenario'
  | 'line'
  | 'handler'
  | 'domain'
  | 'thread'
  | 'frame'
  | 'variables'
  | 'variable'
  | 'memory'
  | 'dataId'
  | 'transaction'
  | 'pageTable'
  | 'dump';

export interface Given {
  $given: GivenKind;
  pick: number;
  /** Fields added to the value picked (an object): `{ $given: 'variable', …, with: { value: '1' } }`. */
  with?: { [key: string]: Arg };
}

export type Arg = null | boolean | number | string | Given | Arg[] | { [key: string]: Arg };

/**
 * What the request deserves: `sane` ones are well formed and in range (an error only
 * where the session's phase or a stale reference calls for one), `spoilt` ones are wrong
 * on purpose (always an error), `wild` ones may go either way.
 */
export type Intent = 'sane' | 'spoilt' | 'wild';

export interface RequestSpec {
  command: string;
  /** Absent: sent without arguments. */
  args?: Arg;
  intent: Intent;
}

export interface Step {
  request: RequestSpec;
  /** Sent in the same write as the next step: the adapter reads both before it answers either. */
  batched: boolean;
}

/** A request sent on its own, answered (and the run settled) before the next. */
export const alone = (request: RequestSpec): Step => ({ request, batched: false });

const given = (kind: GivenKind): fc.Arbitrary<Given> => fc.nat({ max: 40 }).map((pick) => ({ $given: kind, pick }));
const givenWith = (kind: GivenKind, extra: fc.Arbitrary<{ [key: string]: Arg }>): fc.Arbitrary<Given> => fc.tuple(fc.nat({ max: 40 }), extra).map(([pick, fields]) => ({ $given: kind, pick, with: fields }));

/** What a field of each kind cannot take (besides `null`, which no field takes). */
type FieldKind = 'integer' | 'string' | 'strings' | 'objects';
const unfit: Record<FieldKind, Arg[]> = {
  integer: [1.5, 2 ** 53, 1e300, '1', true, [], {}],
  string: [5, true, [], {}],
  strings: ['translation', [1], {}, 5],
  objects: ['x', 5, [1], {}],
};
const anyNumber: fc.Arbitrary<Arg> = fc.oneof(fc.nat({ max: 50 }), fc.integer({ min: -5, max: 5 }), fc.constantFrom<Arg>(2 ** 31, 2 ** 48, 2 ** 53 - 1, 0.5, -0.25));

const sane = (command: string, args?: fc.Arbitrary<Arg>): fc.Arbitrary<RequestSpec> =>
  args ? args.map((a) => ({ command, args: a, intent: 'sane' as const })) : fc.constant({ command, intent: 'sane' as const });
const wild = (command: string, args: fc.Arbitrary<Arg>): fc.Arbitrary<RequestSpec> => args.map((a) => ({ command, args: a, intent: 'wild' as const }));

/** The request with one field the adapter reads set to what it cannot take (or, when it is required, removed). */
function spoil(command: string, args: fc.Arbitrary<{ [key: string]: Arg }>, field: string, kind: FieldKind, required: boolean): fc.Arbitrary<RequestSpec> {
  const broken: fc.Arbitrary<Arg | undefined> = fc.constantFrom<Arg | undefined>(...unfit[kind], null, ...(required ? [undefined] : []));
  return fc.tuple(args, broken).map(([a, value]) => {
    const copy: { [key: string]: Arg } = { ...a };
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return { command, args: copy, intent: 'spoilt' as const };
  });
}

/** Arguments that are not an object at all. */
const notAnObject: fc.Arbitrary<Arg> = fc.constantFrom<Arg>(5, 'arguments', [], [1, 2], true);

// ----------------------------------------------------------------------------- pools

const conditions = ['iova >= 0x1000', 'i % 2 == 0', 'kind == translation', 'write', 'faults > 0', 'bogus', '(', '', 'level == 3', '{_stack}'];
const hitConditions = ['3', '>= 2', '% 4', '% 0', '1', 'x', ''];
const logMessages = ['tex {iova}', 'plain', '{bogus}', '{', '{_stack} {iova}'];
const expressions = [
  'iova',
  'faults',
  'translate(0x7000000)',
  'translate(0x1000, 0x10, 5)',
  'pte(0x1000_0000)',
  'read(0x40000000, 8)',
  'read(0xffffffffffff, 8)',
  'read(0x1_0000_0000_0000, 8)',
  'read(0, 0)',
  'FSR',
  'SCTLR',
  'STE[0x10]',
  'STE[0x10][9]',
  'CD[0]',
  'CD[5][1]',
  'kind == translation',
  '0x0700_0040',
  '1 / 0',
  '1 +',
  '',
  'bogus',
  '{_stack}',
  'i',
  'stag',
  'x'.repeat(300),
];
const settableNames = ['FSR', 'SCTLR', 'FAR', 'TTBR0', 'value', 'AF', 'HUPCF', 'TF', 'L2[56]', 'L0[0]', 'dword 0', 'bogus'];
const values = ['0', '1', '0x2', 'true', 'false', '0x0000000090000f45', '0xffffffff', '0x1_0000_0000_0000_0000', 'zz', '-1', '', '1.5'];
const actions = ['retry', 'terminate', 'abort', 'success', 'invalid', 'failure', 'bogus'];
const addresses = ['0x1000', '0x0700_0000', '0x2000_0000', '0x4000_0000', '0', '0xffff_ffff_ffff_ffff', '0x1_0000_0000_0000_0000', 'zz', '0x_', '1_0'];
const base64 = ['AAAAAA==', 'RQ8AkAAAAAA=', 'AQ==', '', 'AAAAAAAAAAA=', 'not base64!', 'QUJD'];
const filterIds = exceptionFilters.map((f) => f.filter);
const contexts: (string | undefined)[] = ['repl', 'watch', 'hover', 'clipboard', 'variables', undefined, 'bogus'];

const pick = <T>(items: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...items);
const maybe = <T extends Arg>(key: string, arb: fc.Arbitrary<T>): fc.Arbitrary<{ [key: string]: Arg }> => fc.option(arb, { nil: undefined }).map((v) => (v === undefined ? {} : { [key]: v }));
const merge = (...parts: fc.Arbitrary<{ [key: string]: Arg }>[]): fc.Arbitrary<{ [key: string]: Arg }> => fc.tuple(...parts).map((all) => Object.assign({}, ...all) as { [key: string]: Arg });

// ----------------------------------------------------------------------------- launch

const launchArgs: fc.Arbitrary<{ [key: string]: Arg }> = merge(
  fc.constant({ type: 'iommu', request: 'launch', name: 'fuzz', scenario: { $given: 'scenario', pick: 0 } }),
  // Most sessions stop somewhere, so that what needs a stop gets asked.
  fc.oneof({ weight: 3, arbitrary: fc.constant({ stopOnEntry: true }) }, { weight: 1, arbitrary: maybe('stopOnEntry', fc.boolean()) }),
  maybe('stopOnFault', fc.boolean()),
  maybe('trace', fc.boolean()),
  maybe('noDebug', fc.boolean()),
  // Small budgets end a run early, and always the same way (an event budget, not a clock).
  maybe('maxEvents', fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 200_000 }))),
  // Never reached by a fuzz case: a time budget's message depends on the clock.
  maybe('maxSeconds', fc.constantFrom(60, 300, 1e9)),
);

/** A launch refused for its arguments: a wrong attribute, or a scenario path that is not there. */
const badLaunch: fc.Arbitrary<RequestSpec> = fc
  .tuple(
    launchArgs,
    fc.constantFrom<[string, Arg]>(
      ['scenario', ''],
      ['scenario', 42],
      ['scenario', '/no/such/scenario.iommu'],
      ['stopOnEntry', 'yes'],
      ['trace', 1],
      ['maxEvents', 0],
      ['maxEvents', -3],
      ['maxEvents', 2.5],
      ['maxEvents', '100'],
      ['maxSeconds', 0],
      ['maxSeconds', -1],
      ['maxSeconds', 'soon'],
      ['maxSeconds', null],
    ),
  )
  .map(([args, [key, value]]) => ({ command: 'launch', args: { ...args, [key]: value }, intent: 'spoilt' }));

export const launchRequest: fc.Arbitrary<RequestSpec> = fc.oneof(
  { weight: 12, arbitrary: sane('launch', launchArgs) },
  { weight: 2, arbitrary: badLaunch },
  { weight: 1, arbitrary: notAnObject.map((args): RequestSpec => ({ command: 'launch', args, intent: 'spoilt' })) },
);

export const initializeRequest: fc.Arbitrary<RequestSpec> = fc.oneof(
  { weight: 12, arbitrary: sane('initialize', merge(fc.constant({ clientID: 'fuzz', adapterID: 'iommu', pathFormat: 'path' }), maybe('linesStartAt1', fc.boolean()), maybe('columnsStartAt1', fc.boolean()))) },
  { weight: 1, arbitrary: sane('initialize', fc.constant({ adapterID: 'iommu' })) },
  { weight: 1, arbitrary: fc.constantFrom<Arg>({ pathFormat: 'uri' }, { linesStartAt1: 'yes' }, 5).map((args): RequestSpec => ({ command: 'initialize', args, intent: 'spoilt' })) },
);

// ----------------------------------------------------------------------------- configuration

const sourceBreakpoint = merge(fc.record({ line: fc.oneof({ weight: 4, arbitrary: given('line') }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }) }) }), maybe('condition', pick(conditions)), maybe('hitCondition', pick(hitConditions)), maybe('logMessage', pick(logMessages)));
const setBreakpointsArgs = merge(fc.record({ source: fc.oneof({ weight: 5, arbitrary: fc.record({ path: given('scenario') }) }, { weight: 1, arbitrary: fc.constant({ path: '/elsewhere/other.iommu' }) }), breakpoints: fc.array(sourceBreakpoint, { maxLength: 4 }) }));
const functionBreakpoint = merge(fc.record({ name: fc.oneof(given('handler'), pick(kernelFunctions), fc.constantFrom('nothing_here', '')) }), maybe('condition', pick(conditions)), maybe('hitCondition', pick(hitConditions)));
const setFunctionBreakpointsArgs = fc.record({ breakpoints: fc.array(functionBreakpoint, { maxLength: 3 }) });
const filterOption = merge(fc.record({ filterId: fc.oneof(pick(filterIds), fc.constant('bogus')) }), maybe('condition', pick(conditions)));
const setExceptionBreakpointsArgs = merge(fc.record({ filters: fc.subarray([...filterIds, 'bogus']) }), maybe('filterOptions', fc.array(filterOption, { maxLength: 3 })));
const setDataBreakpointsArgs = fc.record({ breakpoints: fc.array(fc.record({ dataId: fc.oneof(given('dataId'), fc.constantFrom('pa:0x40000004:x', 'pa:0xffffffffffff:x', 'reg:0:9:FSR:x', 'reg:0:0:BOGUS:x', 'zzz')) }), { maxLength: 3 }) });

export const configurationRequest: fc.Arbitrary<RequestSpec> = fc.oneof(
  sane('setBreakpoints', setBreakpointsArgs),
  sane('setFunctionBreakpoints', setFunctionBreakpointsArgs),
  sane('setExceptionBreakpoints', setExceptionBreakpointsArgs),
  sane('setDataBreakpoints', setDataBreakpointsArgs),
  spoil('setBreakpoints', setBreakpointsArgs, 'breakpoints', 'objects', false),
  spoil('setExceptionBreakpoints', setExceptionBreakpointsArgs, 'filters', 'strings', true),
  spoil('setFunctionBreakpoints', setFunctionBreakpointsArgs, 'breakpoints', 'objects', true),
);

// ----------------------------------------------------------------------------- the rest

const threadArgs = fc.record({ threadId: fc.oneof({ weight: 6, arbitrary: given('thread') }, { weight: 1, arbitrary: anyNumber }) });
const saneThread = fc.record({ threadId: given('thread') });
const steps = ['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue'];
const variablesArgs = merge(fc.record({ variablesReference: given('variables') }), maybe('start', fc.nat({ max: 4 })), maybe('count', fc.nat({ max: 4 })));
const memoryArgs = merge(fc.record({ memoryReference: given('memory') }), maybe('offset', fc.nat({ max: 64 })));

const execution: fc.Arbitrary<RequestSpec> = fc.oneof(
  ...steps.map((command) => sane(command, saneThread)),
  ...steps.map((command) => wild(command, threadArgs)),
  ...steps.map((command) => spoil(command, saneThread, 'threadId', 'integer', true)),
  sane('pause', saneThread),
  sane('restart'),
  sane('terminate'),
  sane('terminate', fc.record({ restart: fc.boolean() })),
);

const inspection: fc.Arbitrary<RequestSpec> = fc.oneof(
  { weight: 3, arbitrary: sane('threads') },
  { weight: 3, arbitrary: sane('stackTrace', merge(saneThread, maybe('startFrame', fc.nat({ max: 3 })), maybe('levels', fc.nat({ max: 3 })))) },
  { weight: 1, arbitrary: wild('stackTrace', merge(threadArgs, maybe('startFrame', anyNumber), maybe('levels', anyNumber))) },
  { weight: 1, arbitrary: spoil('stackTrace', saneThread, 'threadId', 'integer', true) },
  { weight: 3, arbitrary: sane('scopes', fc.record({ frameId: given('frame') })) },
  { weight: 1, arbitrary: spoil('scopes', fc.record({ frameId: given('frame') }), 'frameId', 'integer', true) },
  { weight: 4, arbitrary: sane('variables', variablesArgs) },
  { weight: 1, arbitrary: wild('variables', fc.record({ variablesReference: anyNumber })) },
  { weight: 1, arbitrary: spoil('variables', variablesArgs, 'variablesReference', 'integer', true) },
  { weight: 2, arbitrary: wild('setVariable', givenWith('variable', fc.record({ value: pick(values) }))) },
  { weight: 1, arbitrary: wild('setVariable', fc.record({ variablesReference: given('variables'), name: pick(settableNames), value: pick(values) })) },
  { weight: 1, arbitrary: spoil('setVariable', fc.record({ variablesReference: given('variables'), name: pick(settableNames), value: pick(values) }), 'value', 'string', true) },
  { weight: 3, arbitrary: wild('evaluate', merge(fc.record({ expression: pick(expressions) }), maybe('context', pick(contexts.filter((c): c is string => c !== undefined))), maybe('frameId', given('frame')))) },
  { weight: 1, arbitrary: spoil('evaluate', fc.record({ expression: pick(expressions) }), 'expression', 'string', true) },
  { weight: 1, arbitrary: sane('completions', fc.record({ text: fc.constantFrom('tra', 'FS', '', 'translate(0x1000, '), column: fc.nat({ max: 20 }) })) },
  { weight: 1, arbitrary: wild('exceptionInfo', threadArgs) },
  { weight: 1, arbitrary: sane('breakpointLocations', merge(fc.record({ source: fc.record({ path: given('scenario') }), line: given('line') }), maybe('endLine', fc.oneof(given('line'), fc.constant(1e9))))) },
  { weight: 2, arbitrary: sane('dataBreakpointInfo', given('variable')) },
  { weight: 1, arbitrary: wild('dataBreakpointInfo', fc.record({ variablesReference: given('variables'), name: pick(settableNames) })) },
  { weight: 2, arbitrary: sane('readMemory', merge(memoryArgs, fc.record({ count: fc.nat({ max: 256 }) }))) },
  { weight: 1, arbitrary: wild('readMemory', fc.record({ memoryReference: fc.oneof(given('memory'), pick(addresses)), offset: anyNumber, count: anyNumber })) },
  { weight: 1, arbitrary: spoil('readMemory', merge(memoryArgs, fc.record({ count: fc.nat({ max: 256 }) })), 'count', 'integer', true) },
  { weight: 1, arbitrary: sane('readMemory', fc.record({ memoryReference: fc.constant('0xfffffffffff8'), count: fc.constantFrom(16, 1 << 20) })) },
  { weight: 1, arbitrary: spoil('readMemory', fc.record({ memoryReference: fc.constant('0x40000000'), count: fc.constant(8) }), 'offset', 'integer', false) },
  { weight: 1, arbitrary: sane('writeMemory', merge(memoryArgs, fc.record({ data: pick(base64.slice(0, 5)) }))) },
  { weight: 1, arbitrary: wild('writeMemory', fc.record({ memoryReference: fc.oneof(given('memory'), pick(addresses)), offset: anyNumber, data: pick(base64) })) },
  { weight: 1, arbitrary: sane('disassemble', fc.record({ memoryReference: given('memory'), instructionCount: fc.constant(4) })) },
);

const custom: fc.Arbitrary<RequestSpec> = fc.oneof(
  sane(customRequests.stalled),
  sane(customRequests.domains),
  sane(customRequests.faults),
  sane(customRequests.smmu),
  sane(customRequests.timeline),
  sane(customRequests.queues),
  sane(customRequests.dump),
  sane(customRequests.dump, fc.record({ id: given('dump') })),
  wild(customRequests.dump, fc.record({ id: anyNumber })),
  wild(customRequests.resume, fc.record({ transaction: fc.oneof(given('transaction'), anyNumber), action: pick(actions) })),
  spoil(customRequests.resume, fc.record({ transaction: given('transaction'), action: pick(actions) }), 'transaction', 'integer', true),
  sane(customRequests.pageTable, fc.oneof(fc.record({ domain: given('domain') }), given('pageTable'))),
  wild(customRequests.pageTable, merge(fc.record({ domain: given('domain') }), maybe('table', pick(['0x40001000', '0x40001004', '0xfffffffff000', '0x1000000000000', ...addresses])), maybe('level', anyNumber), maybe('iovaBase', pick(addresses)))),
  sane(customRequests.translate, fc.record({ iova: pick(addresses.slice(0, 6)), domain: given('domain') })),
  wild(customRequests.translate, merge(fc.record({ iova: pick(addresses) }), maybe('domain', given('domain')), maybe('sid', anyNumber), maybe('ssid', anyNumber))),
);

/** Commands no client should expect an answer to but an error. */
const junk: fc.Arbitrary<RequestSpec> = fc.oneof(
  fc.constantFrom('iommu/nope', 'foo', '', 'Launch', 'modules', 'loadedSources', 'source', 'goto', 'attach', 'restartFrame', 'setExpression').map((command): RequestSpec => ({ command, args: {}, intent: 'spoilt' })),
  fc.tuple(fc.constantFrom('stackTrace', 'scopes', 'variables', 'evaluate', 'next', 'readMemory', 'setBreakpoints', 'completions', customRequests.resume), notAnObject).map(([command, args]): RequestSpec => ({ command, args, intent: 'spoilt' })),
);

/**
 * What a user does at a stop: threads, a stack, its scopes, their variables, an evaluate in
 * a frame — each naming what the request before it gave out.
 */
export const inspectionChain: fc.Arbitrary<Step[]> = fc
  .tuple(
    fc.constant<RequestSpec>({ command: 'threads', intent: 'sane' }),
    fc.record({ threadId: given('thread') }).map((args): RequestSpec => ({ command: 'stackTrace', args, intent: 'sane' })),
    fc.record({ frameId: given('frame') }).map((args): RequestSpec => ({ command: 'scopes', args, intent: 'sane' })),
    fc.array(variablesArgs.map((args): RequestSpec => ({ command: 'variables', args, intent: 'sane' })), { minLength: 1, maxLength: 4 }),
    fc.option(fc.record({ expression: pick(expressions), frameId: given('frame'), context: pick(['repl', 'watch', 'hover']) }).map((args): RequestSpec => ({ command: 'evaluate', args, intent: 'wild' })), { nil: undefined }),
  )
  .map(([threads, stack, scopes, variables, evaluate]) => [threads, stack, scopes, ...variables, ...(evaluate ? [evaluate] : [])].map(alone));

/** Steps on a thread the adapter named, then maybe back in time. */
export const travelChain: fc.Arbitrary<Step[]> = fc
  .tuple(
    fc.array(fc.constantFrom('next', 'stepIn', 'stepOut', 'continue'), { minLength: 1, maxLength: 4 }),
    fc.array(fc.constantFrom('stepBack', 'reverseContinue'), { maxLength: 2 }),
    fc.nat({ max: 40 }),
  )
  .map(([forward, back, thread]) => [...forward, ...back].map((command) => alone({ command, args: { threadId: { $given: 'thread', pick: thread } }, intent: command === 'stepBack' || command === 'reverseContinue' ? 'wild' : 'sane' })));

/** What the Stalled view does: list what waits, answer one, look again. */
export const stallChain: fc.Arbitrary<Step[]> = fc
  .tuple(given('transaction'), pick(actions))
  .map(([transaction, action]) => [
    alone({ command: customRequests.stalled, args: {}, intent: 'sane' }),
    alone({ command: customRequests.resume, args: { transaction, action }, intent: 'wild' }),
    alone({ command: customRequests.stalled, args: {}, intent: 'sane' }),
  ]);

/** Writes from the Variables view: a variable the adapter listed, written, and read again. */
export const writeChain: fc.Arbitrary<Step[]> = fc
  .tuple(inspectionChain, givenWith('variable', fc.record({ value: pick(values) })))
  .map(([inspect, variable]) => [...inspect, alone({ command: 'setVariable', args: variable, intent: 'wild' }), alone({ command: 'dataBreakpointInfo', args: { $given: 'variable', pick: variable.pick }, intent: 'sane' })]);

/** Any request of the session after its start. */
export const sessionRequest: fc.Arbitrary<RequestSpec> = fc.oneof(
  { weight: 8, arbitrary: execution },
  { weight: 14, arbitrary: inspection },
  { weight: 5, arbitrary: custom },
  { weight: 3, arbitrary: configurationRequest },
  { weight: 1, arbitrary: launchRequest },
  { weight: 1, arbitrary: initializeRequest },
  { weight: 1, arbitrary: sane('configurationDone') },
  { weight: 1, arbitrary: sane('disconnect', fc.constantFrom<Arg>({}, { restart: false }, { terminateDebuggee: true })) },
  { weight: 2, arbitrary: junk },
);
