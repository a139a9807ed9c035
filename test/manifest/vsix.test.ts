import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoPath } from '../helpers/repo';
import { manifest } from './manifest';
import { PackedVsix, packVsix } from './packVsix';

let packedOnce: PackedVsix | undefined;
/** Packing takes seconds: the tests share one .vsix. */
function packed(): PackedVsix {
  packedOnce ??= packVsix(manifest.scripts['package'] ?? '');
  return packedOnce;
}

/** The .vsix's files as the installed extension holds them: `dist/cli.js`, `readme.md`, … */
function installed(): string[] {
  return packed().files.filter((file) => file.startsWith('extension/')).map((file) => file.slice('extension/'.length));
}

/**
 * The relative link and image targets of a markdown text, without their #fragments; code
 * (fenced and inline) is text, not links, and `http:`, `command:` and the like leave the
 * package.
 */
function relativeTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/\]\(([^)\s]+)\)/g), ...prose.matchAll(/<img[^>]+src=["']([^"']+)["']/g)].map((m) => m[1] ?? '');
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#')).map((target) => target.replace(/#.*$/, ''));
}

/** Each relative target of a markdown file, resolved from the folder the installed extension holds it in. */
function unresolved(markdown: string, installedPath: string, files: readonly string[]): string[] {
  return relativeTargets(markdown)
    .map((target) => path.posix.normalize(path.posix.join(path.posix.dirname(installedPath), target)))
    .filter((target) => !files.includes(target));
}

test('the .vsix is under 1 MB and holds no source maps', () => {
  assert.ok(packed().bytes < 1024 * 1024, `${packed().bytes} bytes`);
  assert.deepEqual(installed().filter((file) => file.endsWith('.map')), []);
});

test('the .vsix holds only bundles, grammar, media, the shipped examples and the user documents', () => {
  const files = installed();
  const allowed = /^(dist|syntaxes|media|examples|docs)\/|^(readme\.md|changelog\.md|LICENSE\.txt|package\.json)$/;
  assert.deepEqual(files.filter((file) => !allowed.test(file)), []);
  const bundles = ['dist/extension.js', 'dist/server.js', 'dist/debug-adapter.js', 'dist/cli.js', 'dist/webview/timeline.js', 'media/timeline.css'];
  const documents = ['docs/debugging.md', 'docs/scenario-language.md', 'docs/smmuv3.md', 'docs/screenshot.png', 'readme.md', 'changelog.md', 'LICENSE.txt'];
  for (const required of [...bundles, ...documents]) assert.ok(files.includes(required), required);
  // The webview's sources are bundled into dist/webview/: they and their tsconfig stay out.
  assert.deepEqual(files.filter((file) => file.startsWith('media/') && (file.endsWith('.ts') || file.endsWith('tsconfig.json'))), []);
  // The developers' README and the Details page's source are not packed twice.
  assert.deepEqual(files.filter((file) => file === 'README.md' || file === 'docs/marketplace.md'), []);
});

test('examples/: the .vsix packs exactly the examples the repository ships, not a file a user added', () => {
  const shipped = execFileSync('git', ['ls-files', 'examples'], { cwd: repoPath(), encoding: 'utf8' }).split('\n').filter((file) => file !== '');
  assert.ok(shipped.length > 0, 'git ls-files lists the examples');
  assert.deepEqual(installed().filter((file) => file.startsWith('examples/')).sort(), shipped.sort());
});

test('the Details page is docs/marketplace.md with its screenshot inlined: VS Code draws only https: and data: images there', () => {
  const { details } = packed();
  const screenshot = readFileSync(repoPath('docs', 'screenshot.png')).toString('base64');
  const source = readFileSync(repoPath('docs', 'marketplace.md'), 'utf8');
  assert.ok(source.includes('](docs/screenshot.png)'));
  assert.equal(details, source.replace('](docs/screenshot.png)', `](data:image/png;base64,${screenshot})`));
  // No relative image or link is left: the extension editor has no base URL for them and opens only web links.
  assert.deepEqual(relativeTargets(details), []);
});

test('the files the Details page names by their path in the extension\'s folder are packed, every shipped example among them', () => {
  const { details } = packed();
  const files = installed();
  const paths = [...details.matchAll(/`((?:docs|examples)\/[^`\s]+)`/g)].map((m) => m[1] ?? '');
  for (const expected of ['docs/debugging.md', 'docs/scenario-language.md', 'docs/smmuv3.md', 'examples/a530-fault-no-stall.iommu']) {
    assert.ok(paths.includes(expected), expected);
  }
  assert.deepEqual(paths.filter((named) => !files.includes(named)), []);
  const table = [...details.matchAll(/^\| `([a-z0-9.-]+\.iommu)` \|/gm)].map((m) => `examples/${m[1] ?? ''}`);
  assert.deepEqual(table.sort(), files.filter((file) => file.startsWith('examples/')).sort());
});

test('the packed documents and walkthrough pages link only to files the .vsix holds', () => {
  const files = installed();
  const documents = files.filter((file) => file.endsWith('.md') && file !== 'readme.md' && file !== 'changelog.md');
  assert.ok(documents.includes('docs/debugging.md') && documents.includes('media/walkthrough/debug.md'), documents.join(', '));
  for (const document of documents) {
    assert.deepEqual(unresolved(readFileSync(repoPath(document), 'utf8'), document, files), [], document);
  }
});

test('the Details page speaks to someone who installed the .vsix: its commands, launch attributes and settings, no npm', () => {
  const { details } = packed();
  assert.doesNotMatch(details, /\bnpm\b/);
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((entry) => entry.when === 'false').map((entry) => entry.command));
  const palette = manifest.contributes.commands.filter((c) => !hidden.has(c.command));
  assert.ok(palette.length >= 7, `${palette.length} palette commands`);
  for (const { category, title } of palette) assert.ok(details.includes(`\`${category}: ${title}\``), `${category}: ${title}`);
  const [debuggerContribution] = manifest.contributes.debuggers;
  for (const attribute of Object.keys(debuggerContribution?.configurationAttributes.launch.properties ?? {})) {
    assert.ok(details.includes(`| \`${attribute}\` |`), attribute);
  }
  for (const setting of Object.keys(manifest.contributes.configuration.properties)) assert.ok(details.includes(`| \`${setting}\` |`), setting);
});

test('the Getting Started walkthrough opens the shipped example, debugs it, runs it and shows the views, from packed pages', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.ok(walkthrough);
  assert.equal(walkthrough.id, 'iommu.gettingStarted');
  assert.deepEqual(walkthrough.steps.map((step) => [step.id, step.completionEvents]), [
    ['iommu.gettingStarted.openExample', ['onCommand:iommu.openExample']],
    ['iommu.gettingStarted.debug', ['onCommand:iommu.debugScenario', 'onCommand:workbench.action.debug.start']],
    ['iommu.gettingStarted.run', ['onCommand:iommu.runScenario', 'onCommand:workbench.action.debug.run']],
    ['iommu.gettingStarted.views', ['onView:iommu.stalledTransactions', 'onView:iommu.faults', 'onView:iommu.pageTables', 'onView:iommu.smmu', 'onView:iommu.queues']],
  ]);
  const files = installed();
  // client/commands/openExample.ts opens it from the install folder.
  assert.ok(files.includes('examples/a530-fault-no-stall.iommu'));
  for (const { id, media } of walkthrough.steps) {
    const page = 'markdown' in media ? media.markdown : media.image;
    assert.ok(files.includes(page), `${id}: ${page}`);
  }
  // Every command a step's button runs is the extension's, or focuses one of its views.
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));
  const views = Object.values(manifest.contributes.views).flat().map((view) => `${view.id}.focus`);
  for (const { id, description } of walkthrough.steps) {
    const buttons = [...description.matchAll(/\(command:([^)]+)\)/g)].map((m) => m[1] ?? '');
    assert.equal(buttons.length, 1, id);
    for (const command of buttons) assert.ok(commands.has(command) || views.includes(command), `${id}: ${command}`);
  }
});
