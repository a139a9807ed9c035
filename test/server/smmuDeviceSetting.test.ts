import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CodeAction, CodeActionRequest, CompletionItemKind, InsertTextFormat, MarkupContent } from 'vscode-languageserver-protocol/node';
import { settingSpec } from '../../emulator/language/schema';
import { Analysis } from '../../server/analysis';
import { completion } from '../../server/completion';
import { hover } from '../../server/hover';
import { semanticTokens, semanticTokensLegend } from '../../server/semanticTokens';
import { OpenScenario, scenarioUri } from './helpers';

/* The smmu setting `device "NAME"` in the editor: completion, hover, highlighting, the quick fix. */

const text = `smmu s { version v3; device "arm-smmu-v3.0.auto"; base 0x0905_0000 }
domain d { map 0x1000 -> 0x2000 size 4K rw }
master m { stream 0x1; domain d }
`;

const summary =
  'The SMMU\'s device name, dev_name(): every kernel line of the SMMU names it (`device "arm-smmu-v3.0.auto"` prints as `arm-smmu-v3 arm-smmu-v3.0.auto:`).';
const detail =
  'Linux names the SMMU\'s platform device where it finds it. From a device tree: `<unit-address>.<node-name>` (of_device_make_bus_id), `15000000.iommu` for `iommu@15000000`, or `15000000.apps-smmu` for a downstream `apps-smmu@15000000`. From ACPI (IORT): `<driver>.<N>.auto`, `arm-smmu-v3.0.auto` or `arm-smmu.0.auto`, the N that PLATFORM_DEVID_AUTO hands out. Default: the `base` in hex followed by `.iommu`; with both, `device` names the SMMU and `base` stays its MMIO base.';

function hoverOn(source: string, needle: string, delta: number): { value: string; range: unknown } | undefined {
  const analysis = new Analysis(scenarioUri, 1, source);
  const result = hover(analysis, analysis.positionAt(source.indexOf(needle) + delta));
  return result ? { value: (result.contents as MarkupContent).value, range: result.range } : undefined;
}

function lspRange(source: string, needle: string): unknown {
  const analysis = new Analysis(scenarioUri, 1, source);
  const start = source.indexOf(needle);
  return analysis.lspRange({ start, end: start + needle.length });
}

test('completion in an smmu block offers `device` with the default name as a snippet in quotes', () => {
  const source = 'smmu s {\n  \n}';
  const analysis = new Analysis(scenarioUri, 1, source);
  const items = completion(analysis, analysis.positionAt(source.indexOf('\n}')));
  const device = items.filter((item) => item.label === 'device');
  assert.equal(device.length, 1);
  assert.deepEqual(
    { kind: device[0]?.kind, detail: device[0]?.detail, insertText: device[0]?.insertText, insertTextFormat: device[0]?.insertTextFormat, documentation: device[0]?.documentation },
    {
      kind: CompletionItemKind.Property,
      detail: summary,
      insertText: 'device "${1:15000000.iommu}"',
      insertTextFormat: InsertTextFormat.Snippet,
      documentation: { kind: 'markdown', value: `\`device "NAME"\` — a name in quotes\n\n${detail}` },
    },
  );
  assert.equal(settingSpec('smmu', 'device')?.summary, summary);
});

test('after `device` completion offers no value: the name is the user\'s', () => {
  const source = 'smmu s { device  }';
  const analysis = new Analysis(scenarioUri, 1, source);
  assert.deepEqual(completion(analysis, analysis.positionAt(source.indexOf('  }') + 1)), []);
});

test('hover on the key and on the quoted name: the summary and where Linux gets the name', () => {
  const expected = `**device** — ${summary}\n\n${detail}`;
  assert.deepEqual(hoverOn(text, 'device', 2), { value: expected, range: lspRange(text, 'device') });
  assert.deepEqual(hoverOn(text, '"arm-smmu-v3.0.auto"', 5), { value: expected, range: lspRange(text, '"arm-smmu-v3.0.auto"') });
});

test('hover on `base` says that `device` names the SMMU when written', () => {
  const value = hoverOn(text, 'base', 1)?.value ?? '';
  assert.match(value, /^\*\*base\*\* — The SMMU's MMIO base: unless `device` names it, the kernel names the device after it /);
});

test('highlighting: the key a property, the name a string', () => {
  const analysis = new Analysis(scenarioUri, 1, text);
  const data = semanticTokens(analysis).data;
  const found: Array<[string, string]> = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [deltaLine, deltaCharacter, length, type] = data.slice(i, i + 4) as [number, number, number, number];
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaCharacter : deltaCharacter;
    if (line === 0) found.push([(text.split('\n')[0] ?? '').slice(character, character + length), semanticTokensLegend.tokenTypes[type] ?? '?']);
  }
  const at = found.findIndex(([word]) => word === 'device');
  assert.deepEqual(found.slice(at, at + 2), [
    ['device', 'property'],
    ['"arm-smmu-v3.0.auto"', 'string'],
  ]);
});

let doc: OpenScenario;
before(async () => {
  doc = await OpenScenario.open(text);
});
after(() => doc.close());

test('a bare name: the quick fix puts it in quotes', async () => {
  const bare = text.replace('"arm-smmu-v3.0.auto"', 'arm-smmu-v3.0.auto');
  const { diagnostics } = await doc.change(bare);
  assert.deepEqual(
    diagnostics.map((d) => d.message),
    [`'device' takes a name in quotes: device "arm-smmu-v3.0.auto"`],
  );
  const range = { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } };
  const actions = ((await doc.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: scenarioUri }, range, context: { diagnostics } })) ?? []).filter(
    (a): a is CodeAction => 'kind' in a,
  );
  assert.deepEqual(
    actions.map((a) => ({ title: a.title, edits: a.edit?.changes?.[scenarioUri] })),
    [
      {
        title: 'Put the name in quotes',
        edits: [
          { range: { start: doc.position('arm-smmu-v3.0.auto'), end: doc.position('arm-smmu-v3.0.auto') }, newText: '"' },
          { range: { start: doc.position('arm-smmu-v3.0.auto', 18), end: doc.position('arm-smmu-v3.0.auto', 18) }, newText: '"' },
        ],
      },
    ],
  );
});
