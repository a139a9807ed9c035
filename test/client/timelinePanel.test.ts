import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, createNonce, timelineHtml } from '../../client/timeline/html';
import { parseWebviewMessage } from '../../client/timeline/webviewMessage';
import { whatToShow } from '../../client/timeline/whatToShow';

const resources = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'bm9uY2Uxbm9uY2Uybm9uY2U=',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/timeline.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/timeline.css',
};

describe('the timeline page', () => {
  test('its policy allows nothing but the nonce\'s script and the extension\'s own styles and images', () => {
    assert.equal(
      contentSecurityPolicy(resources.cspSource, resources.nonce),
      "default-src 'none'; script-src 'nonce-bm9uY2Uxbm9uY2Uybm9uY2U='; style-src https://file+.vscode-resource.vscode-cdn.net; img-src https://file+.vscode-resource.vscode-cdn.net",
    );
    const html = timelineHtml(resources);
    const policies = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)].map((m) => m[1]);
    assert.deepEqual(policies, [contentSecurityPolicy(resources.cspSource, resources.nonce)]);
  });

  test('one script, carrying the nonce, loaded from the bundle; one stylesheet; no inline code or style', () => {
    const html = timelineHtml(resources);
    assert.deepEqual([...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]), [`<script nonce="${resources.nonce}" src="${resources.scriptUri}">`]);
    assert.deepEqual([...html.matchAll(/<link[^>]*>/g)].map((m) => m[0]), [`<link rel="stylesheet" href="${resources.styleUri}">`]);
    assert.doesNotMatch(html, /<style|style="|\son[a-z]+=/);
    assert.doesNotMatch(html, /https?:\/\/(?!file\+\.vscode-resource)/);
  });

  test('the elements the script fills are there', () => {
    const html = timelineHtml(resources);
    for (const id of ['status', 'note', 'timeline', 'range']) assert.match(html, new RegExp(` id="${id}"`), id);
  });

  test('the toolbar: a button for each move, its key in its title', () => {
    const buttons = [...timelineHtml(resources).matchAll(/<button type="button" id="([^"]+)" title="([^"]+)">([^<]+)<\/button>/g)].map((m) => [m[1], m[3], m[2]]);
    assert.deepEqual(buttons, [
      ['prev-fault', '◀ Fault', 'Go to the previous fault ([)'],
      ['next-fault', 'Fault ▶', 'Go to the next fault (])'],
      ['zoom-out', '−', 'Zoom out (-; Ctrl+wheel zooms around the pointer)'],
      ['zoom-in', '+', 'Zoom in (+)'],
      ['pan-earlier', '←', 'Earlier cycles (←; wheel or drag to pan)'],
      ['pan-later', '→', 'Later cycles (→)'],
      ['fit', 'Fit', 'Fit the whole run (Home)'],
    ]);
  });

  test('URIs are escaped into their attributes', () => {
    const html = timelineHtml({ ...resources, scriptUri: 'https://x/a"b&c<d>.js' });
    assert.ok(html.includes('src="https://x/a&quot;b&amp;c&lt;d&gt;.js"'));
  });

  test('a nonce is 128 random bits in base64, fresh every time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
  });
});

test('messages from the webview are checked before the host acts on them', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'reveal', line: 21, extra: true }), { type: 'reveal', line: 21 });
  assert.equal(parseWebviewMessage({ type: 'reveal', line: 0 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'reveal', line: 2.5 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'reveal', line: '21' }), undefined);
  assert.equal(parseWebviewMessage({ type: 'open', line: 21 }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'window', from: 51_610, to: 52_510 }), { type: 'window', from: 51_610, to: 52_510 });
  assert.deepEqual(parseWebviewMessage({ type: 'window', from: 0, to: 0 }), { type: 'window', from: 0, to: 0 });
  assert.equal(parseWebviewMessage({ type: 'window', from: 10, to: 9 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'window', from: -1, to: 9 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'window', from: 0.5, to: 9 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'window', from: '0', to: 9 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'window', from: 0 }), undefined);
  assert.equal(parseWebviewMessage(null), undefined);
  assert.equal(parseWebviewMessage('ready'), undefined);
});

test('what the panel shows: a fresh timeline only from a stopped session, else why not', () => {
  const session = { id: 's1', stopped: true };
  assert.deepEqual(whatToShow(session, false), { fetch: session });
  assert.deepEqual(whatToShow({ id: 's1', stopped: false }, false), { state: 'running' });
  assert.deepEqual(whatToShow(undefined, true), { state: 'ended' });
  assert.deepEqual(whatToShow(undefined, false), { state: 'none' });
});
