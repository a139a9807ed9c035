import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hover, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { dmesg, logUri } from './faultLogFixture';
import { OpenScenario } from './helpers';

let log: OpenScenario;

before(async () => {
  log = await OpenScenario.open(dmesg, 'log', logUri);
});

after(() => log.close());

async function hoverAt(needle: string, delta = 0, occurrence = 0): Promise<Hover | null> {
  return log.connection.sendRequest(HoverRequest.type, { textDocument: { uri: logUri }, position: log.position(needle, delta, occurrence) });
}

async function hoverText(needle: string, delta = 0, occurrence = 0): Promise<string> {
  const hover = await hoverAt(needle, delta, occurrence);
  assert.ok(hover, `no hover on '${needle}'`);
  return (hover.contents as MarkupContent).value;
}

test('fsr=0x402: FSR with every field, over the whole field', async () => {
  const hover = await hoverAt('fsr=0x402', 6);
  assert.ok(hover);
  assert.deepEqual(hover.range, log.range('fsr=0x402'));
  assert.equal(
    (hover.contents as MarkupContent).value,
    [
      '**FSR** = `0x402`',
      '',
      '| field | value |',
      '|---|---|',
      '| TF | 1 |',
      '| AFF | 0 |',
      '| PF | 0 |',
      '| EF | 0 |',
      '| TLBMCF | 0 |',
      '| TLBLKF | 0 |',
      '| ASF | 0 |',
      '| UUT | 0 |',
      '| FORMAT | 2 |',
      '| SS | 0 |',
      '| MULTI | 0 |',
    ].join('\n'),
  );
});

test('fsynr=: FSYNR0 decoded (a write, level 1, S1CBNDX 6)', async () => {
  const text = await hoverText('fsynr=0x60011', 1);
  assert.ok(text.startsWith('**FSYNR0** = `0x60011`\n'), text);
  for (const row of ['| PLVL | 1 |', '| WNR | 1 |', '| PNU | 0 |', '| IND | 0 |', '| S1CBNDX | 6 |']) assert.ok(text.includes(`\n${row}`), `${row} in\n${text}`);
});

test('iova= is FAR and cbfrsynra= is CBFRSYNRA', async () => {
  assert.ok((await hoverText('iova=0xd65504710')).startsWith('**FAR** = `0xd65504710`\n\n| field | value |\n|---|---|\n| FADDR | 0xd65504710 |'));
  assert.equal(await hoverText('cbfrsynra=0x0', 11), '**CBFRSYNRA** = `0x0`\n\n| field | value |\n|---|---|\n| SID | 0 |');
});

test('an SMMUv3 dword line: the record\'s fields in that dword', async () => {
  const hover = await hoverAt('0x0000020280000007', 4);
  assert.ok(hover);
  assert.deepEqual(hover.range, log.range('0x0000020280000007'));
  assert.equal(
    (hover.contents as MarkupContent).value,
    ['**dword 1** = `0x20280000007`', '', '| field | value |', '|---|---|', '| STAG | 7 |', '| Stall | 1 |', '| PnU | 1 |', '| InD | 0 |', '| RnW | 0 |', '| S2 | 0 |', '| CLASS | 2 |'].join('\n'),
  );
  assert.ok((await hoverText('0x0000004200005813')).startsWith('**dword 0** = `0x4200005813`\n'));
});

test('no hover off a register value: a timestamp, cb=6, a line of no report', async () => {
  assert.equal(await hoverAt('12.345678'), null);
  assert.equal(await hoverAt('cb=6', 3), null);
  assert.equal(await hoverAt('0x410fd034', 2), null);
});
