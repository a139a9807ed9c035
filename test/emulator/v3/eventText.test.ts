import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventRecord } from '../../../emulator/smmu/v3/eventRecord';
import { eventText } from '../../../emulator/smmu/v3/eventq';

const blank: EventRecord = { id: 'F_TRANSLATION', sid: 0x10, ssv: false, ssid: 0, stag: 0, stall: false, pnu: false, ind: false, rnw: true, s2: false, class: 0, inputAddr: 0n };

test('a translation fault names its direction and address, and its STAG when it stalls', () => {
  assert.equal(eventText({ ...blank, stall: true, stag: 3, inputAddr: 0x700_0000n }), 'F_TRANSLATION sid 0x10 stag 0x3 stall read 0x7000000');
  assert.equal(eventText({ ...blank, id: 'F_PERMISSION', ssv: true, ssid: 2, rnw: false, inputAddr: 0x1000n }), 'F_PERMISSION sid 0x10 ssid 2 write 0x1000');
});

test('F_STREAM_DISABLED and the configuration errors carry no address or direction: none is printed', () => {
  // A read's F_STREAM_DISABLED record has RnW=0 and InputAddr=0: they are not its fields.
  assert.equal(eventText({ ...blank, id: 'F_STREAM_DISABLED', rnw: false }), 'F_STREAM_DISABLED sid 0x10');
  assert.equal(eventText({ ...blank, id: 'C_BAD_CD', ssv: true, ssid: 5 }), 'C_BAD_CD sid 0x10 ssid 5');
});
