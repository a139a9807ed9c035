import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  DomainDeclaration,
  EngineDeclaration,
  ExpectDeclaration,
  HandlerDeclaration,
  MapStatement,
  MasterDeclaration,
  ScenarioFile,
  Setting,
  Transaction,
} from '../../../emulator/language/ast';
import { parseExpression, parseScenario, parseTemplate } from '../../../emulator/language/parser';
import { repoPath } from '../../helpers/repo';
import { rangeProblems, show, Source } from './syntaxHelpers';

/** Parses text that must have no syntax errors. */
function parseClean(text: string): ScenarioFile {
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics, [], `unexpected diagnostics for:\n${text}`);
  assert.deepEqual(rangeProblems(result.file, text.length), []);
  return result.file;
}

function only<T>(file: ScenarioFile): T {
  assert.equal(file.declarations.length, 1);
  return file.declarations[0] as T;
}

/** `KEY VALUE` written once in the source, with a number or a word as its value. */
function setting(s: Source, key: string, value: string, number?: bigint): Setting {
  const whole = `${key} ${value}`;
  return {
    kind: 'setting',
    range: s.at(whole),
    key: s.name(key, whole),
    value: number === undefined ? s.word(value, whole) : s.number(value, number, whole),
  };
}

function flag(s: Source, key: string, context = key): Setting {
  return { kind: 'setting', range: s.at(key, context), key: s.name(key, context), value: undefined };
}

// ---------------------------------------------------------------------------------------
// Declarations

test('scenario "title": a string whose braces are text', () => {
  const text = 'scenario "Adreno 530: {not a hole}"\n';
  const s = new Source(text);
  assert.deepEqual(parseClean(text).declarations, [
    {
      kind: 'scenario',
      range: s.at('scenario "Adreno 530: {not a hole}"'),
      title: {
        kind: 'string',
        range: s.at('"Adreno 530: {not a hole}"'),
        value: 'Adreno 530: {not a hole}',
        parts: [{ kind: 'text', value: 'Adreno 530: {not a hole}', range: s.at('Adreno 530: {not a hole}') }],
      },
    },
  ]);
  assert.deepEqual(parseClean('scenario ""').declarations, [{ kind: 'scenario', range: { start: 0, end: 11 }, title: { kind: 'string', range: { start: 9, end: 11 }, value: '', parts: [] } }]);
});

test('timing { settings }', () => {
  const text = 'timing {\n  tlb-hit 1\n  walk-level 10\n  irq-latency 5\n  wq-latency 20\n  statement 1\n  dump 50\n  tlb-entries 64\n}';
  const s = new Source(text);
  assert.deepEqual(parseClean(text).declarations, [
    {
      kind: 'timing',
      range: { start: 0, end: text.length },
      settings: [
        setting(s, 'tlb-hit', '1', 1n),
        setting(s, 'walk-level', '10', 10n),
        setting(s, 'irq-latency', '5', 5n),
        setting(s, 'wq-latency', '20', 20n),
        setting(s, 'statement', '1', 1n),
        setting(s, 'dump', '50', 50n),
        setting(s, 'tlb-entries', '64', 64n),
      ],
    },
  ]);
});

test('smmu NAME { settings }: enum words and numbers', () => {
  const text = 'smmu apps_smmu {\n  version v3\n  context-banks 8\n  unmatched bypass\n  stall-model no-stall\n  eventq 32\n  priq 16\n  ssid-bits 8\n}\n';
  const s = new Source(text);
  assert.deepEqual(parseClean(text).declarations, [
    {
      kind: 'smmu',
      range: s.span('smmu', '}'),
      name: s.name('apps_smmu'),
      settings: [
        setting(s, 'version', 'v3'),
        setting(s, 'context-banks', '8', 8n),
        setting(s, 'unmatched', 'bypass'),
        setting(s, 'stall-model', 'no-stall'),
        setting(s, 'eventq', '32', 32n),
        setting(s, 'priq', '16', 16n),
        setting(s, 'ssid-bits', '8', 8n),
      ],
    },
  ]);
});

test('domain NAME { settings and maps }', () => {
  const text = [
    'domain gpu_dom {',
    '  smmu apps_smmu',
    '  ias 48',
    '  oas 40',
    '  fault stall',
    '  hupcf on',
    '  report abort',
    '  record on',
    '  map 0x0100_0000 -> 0x8000_0000 size 1M rw',
    '  map 0x4000_0000 -> 0x9000_0000 size 2M r pages 4K',
    '  map 0x5000_0000 -> 0xA000_0000 size 4K rw noaf',
    '  map 0x6000_0000 -> 0xB000_0000 size 4K rw device',
    '}',
  ].join('\n');
  const s = new Source(text);
  const map = (iova: bigint, pa: bigint, line: string, size: [string, bigint], perms: string[], pages?: bigint): MapStatement => ({
    kind: 'map',
    range: s.at(line),
    iova: s.number(line.split(' ')[1] ?? '', iova, line),
    page: undefined,
    pa: s.number(line.split(' ')[3] ?? '', pa, line),
    size: s.number(size[0], size[1], line),
    perms: perms.map((p) => s.word(p, line)),
    pages: pages === undefined ? undefined : s.number('4K', pages, 'pages 4K'),
  });
  const domain = only<DomainDeclaration>(parseClean(text));
  assert.deepEqual(domain, {
    kind: 'domain',
    range: { start: 0, end: text.length },
    name: s.name('gpu_dom'),
    settings: [
      setting(s, 'smmu', 'apps_smmu'),
      setting(s, 'ias', '48', 48n),
      setting(s, 'oas', '40', 40n),
      setting(s, 'fault', 'stall'),
      setting(s, 'hupcf', 'on'),
      setting(s, 'report', 'abort'),
      setting(s, 'record', 'on'),
    ],
    maps: [
      map(0x0100_0000n, 0x8000_0000n, 'map 0x0100_0000 -> 0x8000_0000 size 1M rw', ['1M', 1n << 20n], ['rw']),
      map(0x4000_0000n, 0x9000_0000n, 'map 0x4000_0000 -> 0x9000_0000 size 2M r pages 4K', ['2M', 2n << 20n], ['r'], 4096n),
      map(0x5000_0000n, 0xa000_0000n, 'map 0x5000_0000 -> 0xA000_0000 size 4K rw noaf', ['4K', 4096n], ['rw', 'noaf']),
      map(0x6000_0000n, 0xb000_0000n, 'map 0x6000_0000 -> 0xB000_0000 size 4K rw device', ['4K', 4096n], ['rw', 'device']),
    ],
  });
});

test('map: expressions for IOVA, PA and size, and pages among the permissions', () => {
  const text = 'domain d {\n  map 0x1000 + 0x1000 -> base * 2 size 2 * 4K r pages 4K w\n}';
  const s = new Source(text);
  const map = only<DomainDeclaration>(parseClean(text)).maps[0];
  assert.equal(show(map?.iova), '(0x1000 + 0x1000)');
  assert.equal(show(map?.pa), '(base * 2)');
  assert.equal(show(map?.size), '(2 * 4K)');
  assert.deepEqual(map?.perms, [s.word('r', '4K r'), s.word('w', '4K w')]);
  assert.deepEqual(map?.pages, s.number('4K', 4096n, 'pages 4K'));
});

test('master NAME { settings, stream ID [mask M], pasid N -> DOMAIN }', () => {
  const text = 'master gpu {\n  smmu apps_smmu\n  stream 0x0\n  stream 0x400 mask 0x3ff\n  domain gpu_dom\n  can-stall\n  pri\n  pasid 5 -> app_dom\n}';
  const s = new Source(text);
  assert.deepEqual(only<MasterDeclaration>(parseClean(text)), {
    kind: 'master',
    range: { start: 0, end: text.length },
    name: s.name('gpu'),
    settings: [setting(s, 'smmu', 'apps_smmu'), setting(s, 'domain', 'gpu_dom'), flag(s, 'can-stall'), flag(s, 'pri', '  pri\n')],
    streams: [
      { kind: 'stream', range: s.at('stream 0x0'), id: s.number('0x0', 0n, 'stream 0x0'), mask: undefined },
      { kind: 'stream', range: s.at('stream 0x400 mask 0x3ff'), id: s.number('0x400', 0x400n), mask: s.number('0x3ff', 0x3ffn) },
    ],
    pasids: [{ kind: 'pasid', range: s.at('pasid 5 -> app_dom'), pasid: s.number('5', 5n, 'pasid 5'), domain: s.name('app_dom') }],
  });
});

test('blocks may sit on one line, statements separated by ;', () => {
  const text = 'master gpu { stream 0x0; domain gpu_dom }\nworkqueue iopf { workers 2; order unbound }';
  const s = new Source(text);
  const file = parseClean(text);
  assert.deepEqual(file.declarations[0], {
    kind: 'master',
    range: s.at('master gpu { stream 0x0; domain gpu_dom }'),
    name: s.name('gpu'),
    settings: [setting(s, 'domain', 'gpu_dom')],
    streams: [{ kind: 'stream', range: s.at('stream 0x0'), id: s.number('0x0', 0n), mask: undefined }],
    pasids: [],
  });
  assert.deepEqual(file.declarations[1], {
    kind: 'workqueue',
    range: s.at('workqueue iopf { workers 2; order unbound }'),
    name: s.name('iopf', 'workqueue iopf'),
    settings: [setting(s, 'workers', '2', 2n), setting(s, 'order', 'unbound')],
  });
});

test('engine MASTER.NAME { settings, stream, transactions, wait, repeat, submit }', () => {
  const text = [
    'engine gpu.cp {',
    '  stream 0x0',
    '  start 0',
    '  interval 1',
    '  outstanding 4',
    '  submit 12 {',
    '    read  0x0100_0000 64 as fetch0',
    '    write 0x0300_0000 4',
    '    wait 30',
    '    repeat 8 { read 0x0100_1000 + i*64 64 }',
    '  }',
    '}',
  ].join('\n');
  const s = new Source(text);
  const engine = only<EngineDeclaration>(parseClean(text));
  assert.deepEqual(engine.name, { range: s.at('gpu.cp'), master: s.name('gpu'), engine: s.name('cp', 'gpu.cp') });
  assert.deepEqual(engine.range, { start: 0, end: text.length });
  assert.deepEqual(engine.settings, [setting(s, 'start', '0', 0n), setting(s, 'interval', '1', 1n), setting(s, 'outstanding', '4', 4n)]);
  assert.deepEqual(engine.streams, [{ kind: 'stream', range: s.at('stream 0x0'), id: s.number('0x0', 0n), mask: undefined }]);
  assert.equal(engine.body.length, 1);
  const submit = engine.body[0];
  assert.ok(submit?.kind === 'submit');
  assert.deepEqual(submit.range, s.span('submit 12 {', '  }'));
  assert.deepEqual(submit.id, s.number('12', 12n));
  assert.deepEqual(
    submit.body.map((item) => item.kind),
    ['transaction', 'transaction', 'wait', 'repeat'],
  );
  assert.deepEqual(submit.body[0], {
    kind: 'transaction',
    range: s.at('read  0x0100_0000 64 as fetch0'),
    access: 'read',
    accessRange: s.at('read'),
    address: s.number('0x0100_0000', 0x0100_0000n),
    size: s.number('64', 64n, '0x0100_0000 64'),
    options: [],
    label: s.name('fetch0'),
  });
  assert.deepEqual(submit.body[1], {
    kind: 'transaction',
    range: s.at('write 0x0300_0000 4'),
    access: 'write',
    accessRange: s.at('write'),
    address: s.number('0x0300_0000', 0x0300_0000n),
    size: s.number('4', 4n, '0x0300_0000 4'),
    options: [],
    label: undefined,
  });
  assert.deepEqual(submit.body[2], { kind: 'wait', range: s.at('wait 30'), cycles: s.number('30', 30n, 'wait 30') });
  const repeat = submit.body[3];
  assert.ok(repeat?.kind === 'repeat');
  assert.deepEqual(repeat.range, s.at('repeat 8 { read 0x0100_1000 + i*64 64 }'));
  assert.deepEqual(repeat.count, s.number('8', 8n, 'repeat 8'));
  const read = repeat.body[0] as Transaction;
  assert.equal(repeat.body.length, 1);
  assert.equal(show(read.address), '(0x0100_1000 + (i * 64))');
  assert.deepEqual(read.address?.range, s.at('0x0100_1000 + i*64'));
  assert.deepEqual(read.size, s.number('64', 64n, ' 64 }'));
});

test('transaction options come in any order after the size, with `as NAME` among them', () => {
  const text = 'engine nic.dma {\n  write 0x2000 8 priv as first value 0xdead pasid 3 + 1 exec\n}';
  const s = new Source(text);
  const write = only<EngineDeclaration>(parseClean(text)).body[0];
  assert.deepEqual(write, {
    kind: 'transaction',
    range: s.at('write 0x2000 8 priv as first value 0xdead pasid 3 + 1 exec'),
    access: 'write',
    accessRange: s.at('write'),
    address: s.number('0x2000', 0x2000n),
    size: s.number('8', 8n, '0x2000 8'),
    options: [
      { kind: 'priv', range: s.at('priv') },
      { kind: 'value', range: s.at('value 0xdead'), value: s.number('0xdead', 0xdeadn) },
      {
        kind: 'pasid',
        range: s.at('pasid 3 + 1'),
        value: { kind: 'binary', range: s.at('3 + 1'), operator: '+', operatorRange: s.at('+'), left: s.number('3', 3n, '3 + 1'), right: s.number('1', 1n, '+ 1') },
      },
      { kind: 'exec', range: s.at('exec') },
    ],
    label: s.name('first'),
  });
});

test('the address ends where the next token cannot continue it', () => {
  const text = 'engine gpu.tp { repeat 4 { read 0x0100_1000 + i*64 64 as tex } }';
  const s = new Source(text);
  const repeat = only<EngineDeclaration>(parseClean(text)).body[0];
  assert.ok(repeat?.kind === 'repeat');
  const read = repeat.body[0] as Transaction;
  assert.deepEqual(read.address?.range, s.at('0x0100_1000 + i*64'));
  assert.deepEqual(read.size?.range, s.at('64', '64 as'));
  assert.deepEqual(read.label, s.name('tex'));
});

test('handler NAME on DOMAIN { context, log, if/else, map page, responses }', () => {
  const text = [
    'handler gpu_fault on gpu_dom {',
    '  context workqueue',
    '  queue iopf',
    '  log "fault {kind} at {iova} sid {sid}"',
    '  if write && iova >= 0x0300_0000 {',
    '    map page -> 0x8800_0000 rw',
    '    retry',
    '  } else {',
    '    dump',
    '    terminate',
    '  }',
    '}',
  ].join('\n');
  const s = new Source(text);
  const handler = only<HandlerDeclaration>(parseClean(text));
  assert.deepEqual(handler.range, { start: 0, end: text.length });
  assert.deepEqual(handler.name, s.name('gpu_fault'));
  assert.deepEqual(handler.domain, s.name('gpu_dom'));
  assert.deepEqual(handler.settings, [setting(s, 'context', 'workqueue'), setting(s, 'queue', 'iopf')]);
  assert.equal(handler.body.length, 2);
  assert.deepEqual(handler.body[0], {
    kind: 'log',
    range: s.at('log "fault {kind} at {iova} sid {sid}"'),
    message: {
      kind: 'string',
      range: s.at('"fault {kind} at {iova} sid {sid}"'),
      value: 'fault {kind} at {iova} sid {sid}',
      parts: [
        { kind: 'text', value: 'fault ', range: s.at('fault ', 'fault {') },
        { kind: 'hole', expression: s.identifier('kind', '{kind}'), range: s.at('{kind}') },
        { kind: 'text', value: ' at ', range: s.at(' at ', '} at {') },
        { kind: 'hole', expression: s.identifier('iova', '{iova}'), range: s.at('{iova}') },
        { kind: 'text', value: ' sid ', range: s.at(' sid ') },
        { kind: 'hole', expression: s.identifier('sid', '{sid}'), range: s.at('{sid}') },
      ],
    },
  });
  assert.deepEqual(handler.body[1], {
    kind: 'if',
    range: { start: s.at('if write').start, end: text.length - 2 },
    condition: {
      kind: 'binary',
      range: s.at('write && iova >= 0x0300_0000'),
      operator: '&&',
      operatorRange: s.at('&&'),
      left: s.identifier('write', 'if write'),
      right: {
        kind: 'binary',
        range: s.at('iova >= 0x0300_0000'),
        operator: '>=',
        operatorRange: s.at('>='),
        left: s.identifier('iova', 'iova >='),
        right: s.number('0x0300_0000', 0x0300_0000n),
      },
    },
    then: [
      { kind: 'map', range: s.at('map page -> 0x8800_0000 rw'), iova: undefined, page: s.at('page'), pa: s.number('0x8800_0000', 0x8800_0000n), size: undefined, perms: [s.word('rw', '0x8800_0000 rw')], pages: undefined },
      { kind: 'response', range: s.at('retry'), response: 'retry' },
    ],
    otherwise: [
      { kind: 'dump', range: s.at('dump') },
      { kind: 'response', range: s.at('terminate'), response: 'terminate' },
    ],
    elseRange: s.at('else'),
  });
});

test('handler statements: unmap, tlbi, sleep, stall off, every response', () => {
  const text = [
    'handler h on d {',
    '  unmap 0x1000 size 4K',
    '  tlbi all',
    '  tlbi va iova & ~0xfff',
    '  sleep 100',
    '  stall off for 2 * 50',
    '  retry; terminate; abort',
    '  success; invalid; failure',
    '}',
  ].join('\n');
  const s = new Source(text);
  const body = only<HandlerDeclaration>(parseClean(text)).body;
  assert.deepEqual(body.slice(0, 5), [
    { kind: 'unmap', range: s.at('unmap 0x1000 size 4K'), iova: s.number('0x1000', 0x1000n), size: s.number('4K', 4096n), nosync: false },
    { kind: 'tlbi', range: s.at('tlbi all'), scope: 'all', address: undefined },
    {
      kind: 'tlbi',
      range: s.at('tlbi va iova & ~0xfff'),
      scope: 'va',
      address: {
        kind: 'binary',
        range: s.at('iova & ~0xfff'),
        operator: '&',
        operatorRange: s.at('&'),
        left: s.identifier('iova', 'iova &'),
        right: { kind: 'unary', range: s.at('~0xfff'), operator: '~', operand: s.number('0xfff', 0xfffn) },
      },
    },
    { kind: 'sleep', range: s.at('sleep 100'), cycles: s.number('100', 100n, 'sleep 100') },
    {
      kind: 'stall-off',
      range: s.at('stall off for 2 * 50'),
      cycles: { kind: 'binary', range: s.at('2 * 50'), operator: '*', operatorRange: s.at('*'), left: s.number('2', 2n, '2 * 50'), right: s.number('50', 50n, '* 50') },
    },
  ]);
  assert.deepEqual(
    body.slice(5),
    (['retry', 'terminate', 'abort', 'success', 'invalid', 'failure'] as const).map((response) => ({ kind: 'response', range: s.at(response), response })),
  );
});

test('else may start the line after the }, and else if chains nest', () => {
  const text = 'handler h on d {\n  if level == 3 {\n    retry\n  }\n  else if kind == permission {\n    abort\n  } else {\n    terminate\n  }\n}';
  const s = new Source(text);
  const body = only<HandlerDeclaration>(parseClean(text)).body;
  assert.equal(body.length, 1);
  const outer = body[0];
  assert.ok(outer?.kind === 'if');
  assert.equal(show(outer.condition), '(level == 3)');
  assert.deepEqual(outer.elseRange, s.at('else', 'else if'));
  assert.deepEqual(outer.range, { start: s.at('if level').start, end: text.length - 2 });
  assert.equal(outer.otherwise?.length, 1);
  const inner = outer.otherwise?.[0];
  assert.ok(inner?.kind === 'if');
  assert.deepEqual(inner.range, { start: s.at('if kind').start, end: text.length - 2 });
  assert.equal(show(inner.condition), '(kind == permission)');
  assert.deepEqual(inner.then, [{ kind: 'response', range: s.at('abort'), response: 'abort' }]);
  assert.deepEqual(inner.otherwise, [{ kind: 'response', range: s.at('terminate'), response: 'terminate' }]);
  assert.deepEqual(inner.elseRange, s.at('else', '} else {'));
});

test('an if without else leaves otherwise undefined and the next line to the block', () => {
  const text = 'handler h on d {\n  if stalled { retry }\n  dump\n}';
  const s = new Source(text);
  const body = only<HandlerDeclaration>(parseClean(text)).body;
  assert.deepEqual(body, [
    { kind: 'if', range: s.at('if stalled { retry }'), condition: s.identifier('stalled'), then: [{ kind: 'response', range: s.at('retry'), response: 'retry' }], otherwise: undefined, elseRange: undefined },
    { kind: 'dump', range: s.at('dump') },
  ]);
});

test('vfio NAME { masters, settings, map }', () => {
  const text = 'vfio passthrough {\n  masters nic0 nic1\n  fault stall\n  map 0x0 -> 0x8000_0000 size 16M rw\n}';
  const s = new Source(text);
  assert.deepEqual(parseClean(text).declarations, [
    {
      kind: 'vfio',
      range: { start: 0, end: text.length },
      name: s.name('passthrough'),
      settings: [setting(s, 'fault', 'stall')],
      masters: [{ kind: 'masters', range: s.at('masters nic0 nic1'), masters: [s.name('nic0'), s.name('nic1')] }],
      maps: [
        {
          kind: 'map',
          range: s.at('map 0x0 -> 0x8000_0000 size 16M rw'),
          iova: s.number('0x0', 0n),
          page: undefined,
          pa: s.number('0x8000_0000', 0x8000_0000n),
          size: s.number('16M', 16n << 20n),
          perms: [s.word('rw', '16M rw')],
          pages: undefined,
        },
      ],
    },
  ]);
});

test('expect: the token after the first name picks the form', () => {
  const text = 'expect fetch0 completed\nexpect fetch0 pa 0x8000_0000\nexpect faults == 1\nexpect aborted >= 3\nexpect dropped-events != 0; expect raz < 2 + 3\nexpect events <= 4\nexpect retried > 0';
  const s = new Source(text);
  const checks = parseClean(text).declarations.map((d) => (d as ExpectDeclaration).check);
  assert.deepEqual(checks, [
    { kind: 'status', label: s.name('fetch0'), status: s.word('completed') },
    { kind: 'pa', label: s.name('fetch0', 'fetch0 pa'), pa: s.number('0x8000_0000', 0x8000_0000n) },
    { kind: 'counter', counter: s.name('faults'), operator: '==', operatorRange: s.at('=='), value: s.number('1', 1n, '== 1') },
    { kind: 'counter', counter: s.name('aborted'), operator: '>=', operatorRange: s.at('>='), value: s.number('3', 3n, '>= 3') },
    { kind: 'counter', counter: s.name('dropped-events'), operator: '!=', operatorRange: s.at('!='), value: s.number('0', 0n, '!= 0') },
    {
      kind: 'counter',
      counter: s.name('raz'),
      operator: '<',
      operatorRange: s.at('<', 'raz <'),
      value: { kind: 'binary', range: s.at('2 + 3'), operator: '+', operatorRange: s.at('+'), left: s.number('2', 2n, '2 + 3'), right: s.number('3', 3n, '+ 3') },
    },
    { kind: 'counter', counter: s.name('events', 'expect events'), operator: '<=', operatorRange: s.at('<='), value: s.number('4', 4n, '<= 4') },
    { kind: 'counter', counter: s.name('retried'), operator: '>', operatorRange: s.at('>', 'retried >'), value: s.number('0', 0n, '> 0') },
  ]);
  assert.deepEqual(
    parseClean(text).declarations.map((d) => d.range),
    [s.at('expect fetch0 completed'), s.at('expect fetch0 pa 0x8000_0000'), s.at('expect faults == 1'), s.at('expect aborted >= 3'), s.at('expect dropped-events != 0'), s.at('expect raz < 2 + 3'), s.at('expect events <= 4'), s.at('expect retried > 0')],
  );
});

test('keywords are not reserved: the position decides', () => {
  const text = 'master domain { domain domain; stream 1 }\nengine domain.map { read 0x0 4 as expect }\ndomain map { map 0x0 -> 0x0 size 4K rw }\nexpect expect completed\nexpect pa pa 0x0';
  const s = new Source(text);
  const file = parseClean(text);
  assert.deepEqual(
    file.declarations.map((d) => d.kind),
    ['master', 'engine', 'domain', 'expect', 'expect'],
  );
  const master = file.declarations[0] as MasterDeclaration;
  assert.deepEqual(master.name, s.name('domain'));
  assert.deepEqual(master.settings, [{ kind: 'setting', range: s.at('domain domain'), key: s.name('domain', '{ domain'), value: s.word('domain', ' domain;') }]);
  const engine = file.declarations[1] as EngineDeclaration;
  assert.deepEqual(engine.name, { range: s.at('domain.map'), master: s.name('domain', 'domain.map'), engine: s.name('map', 'domain.map') });
  assert.deepEqual((engine.body[0] as Transaction).label, s.name('expect', 'as expect'));
  assert.deepEqual((file.declarations[3] as ExpectDeclaration).check, { kind: 'status', label: s.name('expect', 'expect completed'), status: s.word('completed') });
  assert.deepEqual((file.declarations[4] as ExpectDeclaration).check, { kind: 'pa', label: s.name('pa', 'pa pa'), pa: s.number('0x0', 0n, 'pa pa 0x0') });
});

test('comments and blank lines may sit anywhere between statements', () => {
  const text = '// top\n\nsmmu a { // trailing\n\n  /* before */ version v2 /* after */\n\n}\n\n';
  const s = new Source(text);
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.file.declarations, [{ kind: 'smmu', range: s.span('smmu a', '}'), name: s.name('a', 'smmu a'), settings: [setting(s, 'version', 'v2')] }]);
  assert.deepEqual(result.comments, [s.at('// top'), s.at('// trailing'), s.at('/* before */'), s.at('/* after */')]);
});

test('a newline after a binary operator continues the expression', () => {
  const text = 'handler h on d {\n  if write &&\n     iova >= 0x1000 ||\n     stalled {\n    retry\n  }\n}';
  const s = new Source(text);
  const statement = only<HandlerDeclaration>(parseClean(text)).body[0];
  assert.ok(statement?.kind === 'if');
  assert.equal(show(statement.condition), '((write && (iova >= 0x1000)) || stalled)');
  assert.deepEqual(statement.condition?.range, s.span('write', 'stalled'));
});

// ---------------------------------------------------------------------------------------
// The documentation and the examples

/** The ``` blocks of the language doc. */
function docBlocks(): string[] {
  const doc = readFileSync(repoPath('docs/scenario-language.md'), 'utf8');
  return [...doc.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

test('every scenario block of docs/scenario-language.md parses without syntax errors', () => {
  const blocks = docBlocks();
  // The overview, timing, smmu, domain, pagetable, stage 2, nesting, vm, master, engine, workqueue, handler, vfio, expect and the full example.
  assert.equal(blocks.length, 15);
  for (const block of blocks) {
    // The overview writes bodies and expect checks as `…`: fill them in.
    const text = block.replace(/\{ … \}/g, '{ }').replace(/expect …/g, 'expect faults == 0');
    const result = parseScenario(text);
    assert.deepEqual(result.diagnostics, [], `in the doc block:\n${text}`);
    assert.ok(result.file.declarations.length > 0);
    assert.deepEqual(rangeProblems(result.file, text.length), []);
  }
  const overview = parseScenario(blocks[0]?.replace(/\{ … \}/g, '{ }').replace(/expect …/g, 'expect faults == 0') ?? '');
  assert.deepEqual(
    overview.file.declarations.map((d) => d.kind),
    ['scenario', 'kernel', 'timing', 'smmu', 'domain', 'master', 'engine', 'workqueue', 'handler', 'pagetable', 'vfio', 'vm', 'expect'],
  );
});

test('examples/a530-fault-no-stall.iommu parses with no diagnostics', () => {
  const text = readFileSync(repoPath('examples/a530-fault-no-stall.iommu'), 'utf8');
  const result = parseScenario(text);
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(
    result.file.declarations.map((d) => d.kind),
    ['scenario', 'smmu', 'domain', 'master', 'engine', 'engine', 'handler', 'expect', 'expect'],
  );
  assert.deepEqual(rangeProblems(result.file, text.length), []);
  assert.equal(result.comments.length, 10);
  assert.deepEqual(result.tokens.at(-1)?.range, { start: text.length, end: text.length });
});

test('an empty file, or one with only comments, has no declarations and no errors', () => {
  const empty = parseScenario('');
  assert.deepEqual(
    { file: empty.file, diagnostics: empty.diagnostics, comments: empty.comments, tokens: empty.tokens, expected: empty.expectations.recorded },
    {
      file: { range: { start: 0, end: 0 }, declarations: [] },
      diagnostics: [],
      comments: [],
      tokens: [{ kind: 'end', range: { start: 0, end: 0 }, text: '', firstOnLine: true }],
      // A declaration may start there.
      expected: [{ token: 0, expectation: { kind: 'declaration' } }],
    },
  );
  assert.deepEqual(parseScenario('// nothing\n/* here */').file.declarations, []);
});

test('a 10,000-line scenario parses whole, without a syntax error', () => {
  const example = `${readFileSync(repoPath('examples/a530-fault-no-stall.iommu'), 'utf8')}\n`;
  const copies = Math.ceil(10_000 / (example.split('\n').length - 1));
  const parsed = parseScenario(example.repeat(copies));
  assert.deepEqual(parsed.diagnostics, []);
  assert.equal(parsed.file.declarations.length, copies * parseScenario(example).file.declarations.length);
});

// ---------------------------------------------------------------------------------------
// Expressions

test('binary operators follow C precedence', () => {
  const cases: Array<[string, string]> = [
    ['a || b && c', '(a || (b && c))'],
    ['a && b | c', '(a && (b | c))'],
    ['a | b ^ c', '(a | (b ^ c))'],
    ['a ^ b & c', '(a ^ (b & c))'],
    ['a & b == c', '(a & (b == c))'],
    ['a == b < c', '(a == (b < c))'],
    ['a != b >= c', '(a != (b >= c))'],
    ['a < b << c', '(a < (b << c))'],
    ['a > b >> c', '(a > (b >> c))'],
    ['a << b + c', '(a << (b + c))'],
    ['a + b * c', '(a + (b * c))'],
    ['a - b / c', '(a - (b / c))'],
    ['a - b % c', '(a - (b % c))'],
    ['a * b || c', '((a * b) || c)'],
    ['a <= b && c > d', '((a <= b) && (c > d))'],
    ['(a || b) && c', '((a || b) && c)'],
  ];
  for (const [text, tree] of cases) {
    const { expression, diagnostics } = parseExpression(text);
    assert.deepEqual(diagnostics, [], text);
    assert.equal(show(expression), tree, text);
  }
});

test('binary operators are left-associative at every level', () => {
  for (const op of ['||', '&&', '|', '^', '&', '==', '!=', '<', '<=', '>', '>=', '<<', '>>', '+', '-', '*', '/', '%']) {
    assert.equal(show(parseExpression(`a ${op} b ${op} c`).expression), `((a ${op} b) ${op} c)`, op);
  }
  assert.equal(show(parseExpression('a - b + c').expression), '((a - b) + c)');
  assert.equal(show(parseExpression('a == b != c').expression), '((a == b) != c)');
});

test('unary operators bind tighter than binary ones, postfix tighter still', () => {
  assert.equal(show(parseExpression('-a * b').expression), '((-a) * b)');
  assert.equal(show(parseExpression('!a && b').expression), '((!a) && b)');
  assert.equal(show(parseExpression('~a[1]').expression), '(~a[1])');
  assert.equal(show(parseExpression('- -a').expression), '(-(-a))');
  assert.equal(show(parseExpression('!f(x) == 0').expression), '((!f(x)) == 0)');
  assert.equal(show(parseExpression('a - -1').expression), '(a - (-1))');
  assert.equal(show(parseExpression('STE[sid][0]').expression), 'STE[sid][0]');
  assert.equal(show(parseExpression('translate(iova, sid, ssid + 1)').expression), 'translate(iova, sid, (ssid + 1))');
  assert.equal(show(parseExpression('pte()').expression), 'pte()');
});

test('expression nodes and their ranges', () => {
  const text = 'engine == gpu.cp && read(pa, 8)[0] > 0x10';
  const s = new Source(text);
  const { expression, diagnostics } = parseExpression(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(expression, {
    kind: 'binary',
    range: { start: 0, end: text.length },
    operator: '&&',
    operatorRange: s.at('&&'),
    left: {
      kind: 'binary',
      range: s.at('engine == gpu.cp'),
      operator: '==',
      operatorRange: s.at('=='),
      left: s.identifier('engine'),
      right: { kind: 'qualified', range: s.at('gpu.cp'), master: 'gpu', masterRange: s.at('gpu', 'gpu.cp'), engine: 'cp' },
    },
    right: {
      kind: 'binary',
      range: s.at('read(pa, 8)[0] > 0x10'),
      operator: '>',
      operatorRange: s.at('>'),
      left: {
        kind: 'index',
        range: s.at('read(pa, 8)[0]'),
        target: { kind: 'call', range: s.at('read(pa, 8)'), callee: s.name('read'), args: [s.identifier('pa'), s.number('8', 8n)] },
        index: s.number('0', 0n, '[0]'),
      },
      right: s.number('0x10', 0x10n),
    },
  });
});

test('parentheses belong to the enclosing node, not to the one they wrap', () => {
  const text = '(a + b) * -(c)';
  const s = new Source(text);
  const { expression } = parseExpression(text);
  assert.ok(expression?.kind === 'binary');
  assert.deepEqual(expression.range, { start: 0, end: text.length });
  assert.deepEqual(expression.left.range, s.at('a + b'));
  assert.deepEqual(expression.right, { kind: 'unary', range: s.at('-(c)'), operator: '-', operand: s.identifier('c') });
  assert.deepEqual(parseExpression('((4096))').expression, { kind: 'number', range: { start: 2, end: 6 }, text: '4096', value: 4096n });
});

test('parseExpression: ranges relative to its text, and its errors', () => {
  assert.deepEqual(parseExpression('  iova  '), { expression: { kind: 'identifier', range: { start: 2, end: 6 }, name: 'iova' }, diagnostics: [] });
  const error = (text: string) => parseExpression(text).diagnostics.map((d) => [d.range, d.message, d.code, d.severity]);
  assert.deepEqual(error(''), [[{ start: 0, end: 0 }, 'expected an expression', 'syntax', 'error']]);
  assert.deepEqual(error('a +'), [[{ start: 3, end: 3 }, "expected an expression after '+'", 'syntax', 'error']]);
  assert.deepEqual(error('a )'), [[{ start: 2, end: 3 }, "unexpected ')'", 'syntax', 'error']]);
  assert.deepEqual(error('(a'), [[{ start: 2, end: 2 }, "expected ')' to close '('", 'syntax', 'error']]);
  assert.deepEqual(error('f(a b)'), [[{ start: 4, end: 5 }, "expected ',' or ')' in the arguments of 'f'", 'syntax', 'error']]);
  assert.deepEqual(error('x[1'), [[{ start: 3, end: 3 }, "expected ']' to close '['", 'syntax', 'error']]);
  assert.deepEqual(error('gpu.'), [[{ start: 4, end: 4 }, "expected an engine name after 'gpu.'", 'syntax', 'error']]);
  assert.deepEqual(error('a b'), [[{ start: 2, end: 3 }, "unexpected 'b'", 'syntax', 'error']]);
  // A malformed number: the lexer's error, and no value for the whole expression.
  assert.deepEqual(parseExpression('0x + 1'), {
    expression: undefined,
    diagnostics: [{ severity: 'error', code: 'syntax', range: { start: 0, end: 2 }, message: "malformed number '0x': expected hex digits after '0x'" }],
  });
  const partial = parseExpression('a * ');
  assert.ok(partial.expression?.kind === 'binary');
  assert.equal(partial.expression.right, undefined);
  assert.deepEqual(partial.expression.range, { start: 0, end: 3 });
});

test('parseTemplate: text and {expr} holes, taken literally', () => {
  const text = 'fault at {iova + 0x10} on "{sid}" \\n';
  const s = new Source(text);
  assert.deepEqual(parseTemplate(text), {
    parts: [
      { kind: 'text', value: 'fault at ', range: s.at('fault at ') },
      {
        kind: 'hole',
        range: s.at('{iova + 0x10}'),
        expression: { kind: 'binary', range: s.at('iova + 0x10'), operator: '+', operatorRange: s.at('+'), left: s.identifier('iova'), right: s.number('0x10', 0x10n) },
      },
      { kind: 'text', value: ' on "', range: s.at(' on "') },
      { kind: 'hole', range: s.at('{sid}'), expression: s.identifier('sid') },
      { kind: 'text', value: '" \\n', range: s.at('" \\n') },
    ],
    diagnostics: [],
  });
  assert.deepEqual(parseTemplate(''), { parts: [], diagnostics: [] });
});

test('parseTemplate: an empty hole, extra tokens and an unclosed { are errors', () => {
  const messages = (text: string) => parseTemplate(text).diagnostics.map((d) => [text.slice(d.range.start, d.range.end), d.message]);
  assert.deepEqual(messages('a {} b'), [['{}', "expected an expression inside '{}'"]]);
  assert.deepEqual(messages('{iova sid}'), [['sid', "unexpected 'sid' in '{…}'"]]);
  assert.deepEqual(messages('{)}'), [[')', "unexpected ')' in '{…}'"]]);
  assert.deepEqual(messages('at {iova'), [['{', "'{' is never closed: a hole is written {expression}"]]);
  assert.deepEqual(parseTemplate('at {iova').parts, [{ kind: 'text', value: 'at {iova', range: { start: 0, end: 8 } }]);
  assert.deepEqual(messages('{a @ b}'), [['@', "unexpected character '@'"], ['b', "unexpected 'b' in '{…}'"]]);
});

test('a log string resolves escapes in its text and parses holes in place', () => {
  const text = 'handler h on d {\n  log "say \\"{kind}\\" \\\\ {level * 2}"\n}';
  const s = new Source(text);
  const log = only<HandlerDeclaration>(parseClean(text)).body[0];
  assert.ok(log?.kind === 'log');
  assert.deepEqual(log.message?.value, 'say "{kind}" \\ {level * 2}');
  assert.deepEqual(log.message?.parts, [
    { kind: 'text', value: 'say "', range: s.at('say \\"') },
    { kind: 'hole', range: s.at('{kind}'), expression: s.identifier('kind') },
    { kind: 'text', value: '" \\ ', range: s.at('\\" \\\\ ') },
    {
      kind: 'hole',
      range: s.at('{level * 2}'),
      expression: { kind: 'binary', range: s.at('level * 2'), operator: '*', operatorRange: s.at('*'), left: s.identifier('level'), right: s.number('2', 2n, '* 2') },
    },
  ]);
});
