import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddress } from '../../client/commands/parseAddress';

test('addresses typed into Translate Address', () => {
  assert.equal(parseAddress(' 0x0700_0000 '), '0x07000000');
  assert.equal(parseAddress('4096'), '4096');
  assert.equal(parseAddress('0xZZ'), undefined);
  assert.equal(parseAddress('gpu_dom'), undefined);
  assert.equal(parseAddress(''), undefined);
});
