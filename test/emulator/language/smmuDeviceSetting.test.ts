import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SmmuDeclaration } from '../../../emulator/language/ast';
import { Diagnostic } from '../../../emulator/language/diagnostics';
import { Range } from '../../../emulator/language/source';
import { compileScenario } from '../../../emulator/scenario/compile';
import { rangeIn as at } from '../helpers/textRange';

/*
 * The smmu setting `device "NAME"`: the dev_name() every kernel line of the SMMU prints. It
 * is the language's one quoted setting value; each way of writing it wrong has its own error.
 */

function error(code: string, range: Range, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', code, range, message, ...extra };
}

/** An SMMU of each version, the second with `device`, traffic for both. */
function scenario(smmus: string): string {
  return `${smmus}
domain d { smmu first; map 0x1000 -> 0x2000 size 4K rw }
master m { smmu first; stream 0x1; domain d }
engine m.e { read 0x1000 4 }
`;
}

describe('device "NAME" parses as a string', () => {
  test('the setting keeps the string, its value without the quotes, and its range', () => {
    const text = scenario('smmu first { version v3; device "arm-smmu-v3.0.auto" }');
    const compiled = compileScenario(text);
    assert.deepEqual(compiled.diagnostics, []);
    const smmu = compiled.file.declarations[0] as SmmuDeclaration;
    const setting = smmu.settings.find((s) => s.key.text === 'device');
    const quoted = at(text, '"arm-smmu-v3.0.auto"');
    assert.deepEqual(setting?.value, {
      kind: 'string',
      range: quoted,
      value: 'arm-smmu-v3.0.auto',
      parts: [{ kind: 'text', value: 'arm-smmu-v3.0.auto', range: { start: quoted.start + 1, end: quoted.end - 1 } }],
    });
  });
});

describe('device "NAME" elaborates into SmmuModel.device', () => {
  function devices(smmus: string): string[] {
    const model = compileScenario(scenario(smmus)).model;
    assert.ok(model, 'the scenario compiles');
    return model.smmus.map((s) => s.device);
  }

  test('written: the name as written, whatever the base', () => {
    assert.deepEqual(devices('smmu first { version v3; device "arm-smmu-v3.0.auto"; base 0x0905_0000 }\nsmmu second { device "15000000.apps-smmu" }'), [
      'arm-smmu-v3.0.auto',
      '15000000.apps-smmu',
    ]);
  });

  test('not written: the base in hex and .iommu, the default base 16 MiB apart from one SMMU to the next', () => {
    assert.deepEqual(devices('smmu first { base 0xd_0000_0000 }\nsmmu second { }\nsmmu third { device "qcom-iommu-ctx.1c48000.iommu-ctx" }'), [
      'd00000000.iommu',
      '16000000.iommu',
      'qcom-iommu-ctx.1c48000.iommu-ctx',
    ]);
  });
});

describe('device "NAME": each error, exactly', () => {
  function diagnostics(text: string): Diagnostic[] {
    return compileScenario(text).diagnostics;
  }

  test('unquoted: the whole bare name, with the quotes as its fix', () => {
    const text = scenario('smmu first { device arm-smmu.0.auto }');
    const bare = at(text, 'arm-smmu.0.auto');
    assert.deepEqual(diagnostics(text), [
      error('syntax', bare, `'device' takes a name in quotes: device "arm-smmu.0.auto"`, {
        fix: {
          title: 'Put the name in quotes',
          edits: [
            { range: { start: bare.start, end: bare.start }, newText: '"' },
            { range: { start: bare.end, end: bare.end }, newText: '"' },
          ],
        },
      }),
    ]);
  });

  test('missing: zero-width after the key, with the default as an example', () => {
    const text = scenario('smmu first { device }');
    const end = at(text, 'device').end;
    assert.deepEqual(diagnostics(text), [error('syntax', { start: end, end }, `'device' takes a name in quotes: device "15000000.iommu"`)]);
  });

  test('empty', () => {
    const text = scenario('smmu first { device "" }');
    assert.deepEqual(diagnostics(text), [error('bad-value', at(text, '""'), "'device' cannot be empty")]);
  });

  test('a space, a tab, a control character: the kernel prints the name as one word', () => {
    const space = scenario('smmu first { device "arm smmu" }');
    assert.deepEqual(diagnostics(space), [error('bad-value', at(space, '"arm smmu"'), "'device' cannot hold white space (a space): the kernel prints the name as one word")]);
    const tab = scenario('smmu first { device "arm\tsmmu" }');
    assert.deepEqual(diagnostics(tab), [error('bad-value', at(tab, '"arm\tsmmu"'), "'device' cannot hold white space (U+0009): the kernel prints the name as one word")]);
    const bell = scenario('smmu first { device "arm\u0007smmu" }');
    assert.deepEqual(diagnostics(bell), [error('bad-value', at(bell, '"arm\u0007smmu"'), "'device' cannot hold a control character (U+0007): the kernel prints the name as one word")]);
  });

  test('an unclosed string: only the lexer\'s error (what it holds runs to the end of the line)', () => {
    const text = scenario('smmu first {\n  device "arm-smmu.0.auto\n}');
    assert.deepEqual(diagnostics(text), [error('syntax', at(text, '"'), 'this string is never closed (a string ends at the end of its line)')]);
  });

  test('a string where a number or a word belongs is still the parser\'s error', () => {
    const text = scenario('smmu first { version "v3" }');
    assert.deepEqual(diagnostics(text), [error('syntax', at(text, '"v3"'), `'version' takes a number or a word, not the string "v3"`)]);
  });

  test('two SMMUs of one name: at the second\'s `device`, the first\'s as related', () => {
    const text = scenario('smmu first { device "arm-smmu.0.auto" }\nsmmu second { device "arm-smmu.0.auto" }');
    assert.deepEqual(diagnostics(text), [
      error('duplicate-device', at(text, '"arm-smmu.0.auto"', 'second { device "arm-smmu.0.auto"'), `smmu 'second' has the device name "arm-smmu.0.auto" of smmu 'first' (line 1): the kernel names each device once`, {
        related: [{ range: at(text, '"arm-smmu.0.auto"', 'first { device "arm-smmu.0.auto"'), message: `smmu 'first' is "arm-smmu.0.auto"` }],
      }),
    ]);
  });

  test('a `device` that repeats the name another SMMU\'s base gives it: at the `device`, the base as related', () => {
    const text = scenario('smmu first { base 0x1600_0000 }\nsmmu second { device "16000000.iommu" }');
    assert.deepEqual(diagnostics(text), [
      error('duplicate-device', at(text, '"16000000.iommu"'), `smmu 'second' has the device name "16000000.iommu" of smmu 'first' (line 1): the kernel names each device once`, {
        related: [{ range: at(text, '0x1600_0000'), message: `smmu 'first' is "16000000.iommu"` }],
      }),
    ]);
  });

  test('a base that lands on the default base of an earlier SMMU: at the base, the earlier SMMU\'s name as related', () => {
    const text = scenario('smmu first { }\nsmmu second { base 0x1500_0000 }');
    assert.deepEqual(diagnostics(text), [
      error('duplicate-device', at(text, '0x1500_0000'), `smmu 'second' has the device name "15000000.iommu" of smmu 'first' (line 1): the kernel names each device once`, {
        related: [{ range: at(text, 'first', 'smmu first {'), message: `smmu 'first' is "15000000.iommu"` }],
      }),
    ]);
  });

  test('a `device` written wrong is not compared: the name meant is not known', () => {
    const text = scenario('smmu first { device "" }\nsmmu second { device "" }');
    assert.deepEqual(
      diagnostics(text).map((d) => d.code),
      ['bad-value', 'bad-value'],
    );
  });
});
