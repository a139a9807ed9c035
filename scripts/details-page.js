#!/usr/bin/env node
// @ts-check
// Writes the .vsix's Details page (`npm run package` passes it to vsce as --readme-path):
// docs/marketplace.md with each image it shows inlined as a data: URI. VS Code's extension
// editor draws the page in a webview whose Content-Security-Policy allows only https: and
// data: images and which has no base URL, so a relative image, though packed, is broken
// there; and there is no repository to serve it over https.
// Usage: node scripts/details-page.js OUTPUT
'use strict';

const { mkdirSync, readFileSync, writeFileSync } = require('fs');
const path = require('path');

const repoRoot = path.join(__dirname, '..');
const source = path.join(repoRoot, 'docs', 'marketplace.md');
const mediaTypes = { '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };

const output = process.argv[2];
if (!output) {
  console.error('usage: node scripts/details-page.js OUTPUT');
  process.exit(2);
}

/**
 * `![alt](path)` with a path relative to the extension's root (where vsce puts the page)
 * becomes `![alt](data:…;base64,…)`; web addresses and data: URIs stay as they are.
 * @param {string} markdown
 */
function inlineImages(markdown) {
  return markdown.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (image, alt, target) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return image;
    const type = mediaTypes[/** @type {keyof typeof mediaTypes} */ (path.extname(target).toLowerCase())];
    if (type === undefined) throw new Error(`${source}: no media type for the image ${target}`);
    const bytes = readFileSync(path.join(repoRoot, target));
    return `![${alt}](data:${type};base64,${bytes.toString('base64')})`;
  });
}

mkdirSync(path.dirname(path.resolve(repoRoot, output)), { recursive: true });
writeFileSync(path.resolve(repoRoot, output), inlineImages(readFileSync(source, 'utf8')));
