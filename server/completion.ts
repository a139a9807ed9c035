import { Command, CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind, Position } from 'vscode-languageserver';
import { bodyStatements, declarationStatements, phraseWords, StatementSpec, transactionOptions } from '../emulator/language/grammarTable';
import {
  blockSettings,
  BlockKind,
  counterDocs,
  counterNames,
  existsOn,
  faultFields,
  faultKindEventNames,
  faultKinds,
  mapPermissions,
  NameKind,
  SettingSpec,
  sizeText,
  SmmuVersion,
  transactionStatusDocs,
  transactionStatuses,
} from '../emulator/language/schema';
import { Analysis } from './analysis';
import { BodyKind, CompletionContext, completionContext, EnclosingBlock, ExpressionSlot } from './completionContext';
import { keywordDocs } from './keywordDocs';

/** Completion by context: what may be written where the cursor is (see `completionContext`). */
export function completion(analysis: Analysis, position: Position): CompletionItem[] {
  const context = completionContext(analysis.compiled, analysis.text, analysis.offsetAt(position));
  return itemsFor(context, analysis);
}

/** Opens the suggestions again after an item whose next word has completions of its own. */
const suggestAgain: Command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };

function itemsFor(context: CompletionContext, analysis: Analysis): CompletionItem[] {
  switch (context.kind) {
    case 'nothing':
      return [];
    case 'declaration':
      return declarationItems(context.declaredOnce, analysis);
    case 'statement':
      return statementItems(context.block, analysis);
    case 'setting-value':
      return settingValueItems(context.spec, analysis);
    case 'names':
      return namesExcept(context.of, context.exclude, context.then, analysis);
    case 'keywords':
      return context.words.map(keywordItem);
    case 'map-permissions':
      return permissionItems(context.given, context.pages);
    case 'leaf-size':
      return leafSizeItems();
    case 'transaction-option':
      return transactionOptionItems(context.access, context.given, context.version);
    case 'expect-subject':
      return [...labelItems(analysis), ...counterItems()];
    case 'expect-check':
      return expectCheckItems(context.subject, analysis);
    case 'expression':
      return expressionItems(context.slot, analysis);
  }
}

function markdown(value: string): { kind: typeof MarkupKind.Markdown; value: string } {
  return { kind: MarkupKind.Markdown, value };
}

function snippet(label: string, kind: CompletionItemKind, body: string, detail: string, documentation?: string): CompletionItem {
  return { label, kind, detail, insertText: body, insertTextFormat: InsertTextFormat.Snippet, ...(documentation ? { documentation: markdown(documentation) } : {}) };
}

/** `${1|a,b|}`: a snippet choice, or a placeholder when there is nothing to choose from. */
function choice(index: number, values: readonly string[], placeholder: string): string {
  const escaped = values.map((v) => v.replace(/[$}\\,|]/g, (c) => `\\${c}`));
  return escaped.length > 0 ? `\${${index}|${escaped.join(',')}|}` : `\${${index}:${placeholder}}`;
}

// ---------------------------------------------------------------------------------------
// Declarations

/** A word's documentation: the same text hover shows. */
function docOf(word: string): string {
  return keywordDocs[word] ?? '';
}

function declarationBody(keyword: string, analysis: Analysis): string {
  const names = (kind: NameKind) => analysis.compiled.check.symbols.declared(kind).map((s) => s.name);
  switch (keyword) {
    case 'scenario':
      return 'scenario "${1:title}"';
    case 'timing':
      return 'timing {\n\t$0\n}';
    case 'engine':
      return `engine ${choice(1, names('master'), 'master')}.\${2:name} {\n\t$0\n}`;
    case 'handler':
      return `handler \${1:name} on ${choice(2, names('domain'), 'domain')} {\n\t$0\n}`;
    default:
      return `${keyword} \${1:name} {\n\t$0\n}`;
  }
}

function declarationItems(declaredOnce: ReadonlySet<string>, analysis: Analysis): CompletionItem[] {
  return declarationStatements
    .filter(({ words }) => !declaredOnce.has(words))
    .map(({ words: keyword, syntax, doc }) =>
      keyword === 'expect'
        ? { label: keyword, kind: CompletionItemKind.Keyword, detail: syntax, documentation: markdown(doc), insertText: 'expect ', command: suggestAgain }
        : snippet(keyword, CompletionItemKind.Keyword, declarationBody(keyword, analysis), syntax, doc),
    );
}

// ---------------------------------------------------------------------------------------
// Statements of a block

const versionNames: Readonly<Record<SmmuVersion, string>> = { v2: 'SMMUv2', v3: 'SMMUv3' };

/** What completing a statement inserts, where that is more than its words. */
const statementSnippets: Readonly<Record<string, string>> = {
  map: 'map ${1:iova} -> ${2:pa} size ${3:size} ${4:rw}',
  stream: 'stream ${1:0x0}',
  masters: 'masters ',
  read: 'read ${1:address} ${2:size}',
  write: 'write ${1:address} ${2:size}',
  wait: 'wait ${1:cycles}',
  repeat: 'repeat ${1:count} {\n\t$0\n}',
  submit: 'submit ${1:id} {\n\t$0\n}',
  log: 'log "$1"',
  unmap: 'unmap ${1:iova} size ${2:size}',
  tlbi: 'tlbi ',
  sleep: 'sleep ${1:cycles}',
  'stall off for': 'stall off for ${1:cycles}',
  if: 'if ${1:condition} {\n\t$0\n}',
};

/** The statements of the grammar table a block may take: of its SMMU version, none that sleeps in an `irq` handler. */
function statementsToOffer(block: EnclosingBlock): StatementSpec[] {
  return bodyStatements[block.body].filter(
    (spec) => existsOn(spec, block.version) && !(spec.offeredOnlyOnKnownVersion && block.version === undefined) && !(spec.sleeps && block.handlerContext === 'irq'),
  );
}

function statementItem(spec: StatementSpec, block: EnclosingBlock, analysis: Analysis): CompletionItem {
  const word = spec.words;
  let body = statementSnippets[word] ?? word;
  if (word === 'map' && block.body !== 'domain' && block.body !== 'vfio') body = 'map page -> ${1:pa} ${2:rw}';
  if (word === 'pasid') body = `pasid \${1:1} -> ${choice(2, analysis.compiled.check.symbols.declared('domain').map((d) => d.name), 'domain')}`;
  const item = body.includes('$')
    ? snippet(word, CompletionItemKind.Keyword, body, spec.syntax, spec.doc)
    : { label: word, kind: CompletionItemKind.Keyword, detail: spec.syntax, documentation: markdown(spec.doc), ...(body !== word ? { insertText: body } : {}) };
  return word === 'masters' || word === 'tlbi' ? { ...item, command: suggestAgain } : item;
}

/** Settings a block may still take: of its SMMU version, not given yet; `queue` only for a workqueue handler. */
function settingsToOffer(block: EnclosingBlock): SettingSpec[] {
  if (!isBlockKind(block.body)) return [];
  return blockSettings[block.body].filter(
    (spec) =>
      !block.given.has(spec.key) &&
      existsOn(spec, block.version) &&
      !(spec.key === 'queue' && block.handlerContext !== undefined && block.handlerContext !== 'workqueue'),
  );
}

function isBlockKind(body: BodyKind): body is BlockKind {
  return body in blockSettings;
}

function statementItems(block: EnclosingBlock, analysis: Analysis): CompletionItem[] {
  return [...settingsToOffer(block).map((spec) => settingItem(spec, analysis)), ...statementsToOffer(block).map((spec) => statementItem(spec, block, analysis))];
}

// ---------------------------------------------------------------------------------------
// Settings

function settingDocumentation(spec: SettingSpec): string {
  const value = spec.value;
  const lines: string[] = [];
  switch (value.kind) {
    case 'enum':
      lines.push(`\`${spec.key} ${value.values.join(' | ')}\` — default \`${value.default}\``);
      break;
    case 'number':
      if (value.sizes) lines.push(`\`${spec.key} ${value.sizes.join(' | ')}\`${value.default === undefined ? '' : ` — default \`${sizeText(value.sizes, value.default)}\``}`);
      else lines.push(`\`${keyWords(spec)} N\` — ${value.min} to ${value.max}${value.powerOfTwo ? ', a power of two' : ''}${value.default === undefined ? '' : `; default \`${value.default}\``}`);
      break;
    case 'name':
      lines.push(`\`${spec.key} NAME\` — a ${value.of}${value.default ? `; default \`${value.default}\`` : ''}`);
      break;
    case 'flag':
      lines.push(`\`${spec.key}\` — a flag, no value`);
      break;
    case 'text':
      lines.push(`\`${spec.key} "NAME"\` — a name in quotes`);
      break;
  }
  if (spec.detail) lines.push(spec.detail);
  if (spec.only) lines.push(`${versionNames[spec.only]} only.`);
  return lines.join('\n\n');
}

function settingBody(spec: SettingSpec, analysis: Analysis): string | undefined {
  const value = spec.value;
  switch (value.kind) {
    case 'enum':
      return `${spec.key} ${choice(1, value.values, value.default)}`;
    case 'number':
      if (value.sizes) return `${spec.key} ${choice(1, value.sizes, value.default === undefined ? value.sizes[0] ?? '' : sizeText(value.sizes, value.default))}`;
      return value.default === undefined ? `${keyWords(spec)} \${1}` : `${keyWords(spec)} \${1:${value.default}}`;
    case 'name':
      return `${spec.key} ${choice(1, nameItemsFor(spec, value.of, analysis).map((item) => item.label), value.of)}`;
    case 'text':
      return `${spec.key} "\${1:${value.default}}"`;
    case 'flag':
      return undefined;
  }
}

/** The words before a setting's value: `ias`, or `cd at` where the schema writes a preposition. */
function keyWords(spec: SettingSpec): string {
  return spec.preposition ? `${spec.key} ${spec.preposition}` : spec.key;
}

/** The names a `name` setting takes: of its kind, and for `nested` / `stage2` only the stage-2 domains. */
function nameItemsFor(spec: SettingSpec, kind: NameKind, analysis: Analysis): CompletionItem[] {
  const items = nameItems(kind, analysis);
  if (!spec.stage2Name) return items;
  const check = analysis.compiled.check;
  const stage2 = new Set(check.symbols.declared('domain').filter((entry) => check.settings.get(entry.declaration)?.number('stage') === 2n).map((entry) => entry.name));
  return items.filter((item) => stage2.has(item.label));
}

function settingItem(spec: SettingSpec, analysis: Analysis): CompletionItem {
  const body = settingBody(spec, analysis);
  if (body) return snippet(spec.key, CompletionItemKind.Property, body, spec.summary, settingDocumentation(spec));
  return { label: spec.key, kind: CompletionItemKind.Property, detail: spec.summary, documentation: markdown(settingDocumentation(spec)) };
}

/**
 * What the schema's detail says of one value: it is written `value: …. other: …` or
 * `value (bits): …`. Undefined when it does not say.
 */
function valueMeaning(spec: SettingSpec, value: string): string | undefined {
  if (!spec.detail || spec.value.kind !== 'enum') return undefined;
  const values = spec.value.values;
  const starts = [...spec.detail.matchAll(/(?:^|(?<=\. ))([a-z0-9-]+)(?: \([^)]*\))?: /g)].filter((m) => values.includes(m[1] ?? ''));
  const at = starts.findIndex((m) => m[1] === value);
  if (at < 0) return undefined;
  const start = starts[at].index ?? 0;
  const end = starts[at + 1]?.index ?? spec.detail.length;
  return spec.detail.slice(start, end).trim();
}

function settingValueItems(spec: SettingSpec, analysis: Analysis): CompletionItem[] {
  const value = spec.value;
  if (value.kind === 'name') return nameItemsFor(spec, value.of, analysis);
  if (value.kind === 'number' && value.sizes) {
    const sizes = value.sizes;
    const fallback = value.default === undefined ? undefined : sizeText(sizes, value.default);
    return sizes.map((size) => ({
      label: size,
      kind: CompletionItemKind.EnumMember,
      detail: spec.summary,
      documentation: markdown(settingDocumentation(spec)),
      ...(size === fallback ? { labelDetails: { detail: ' (default)' } } : {}),
    }));
  }
  if (value.kind !== 'enum') return [];
  return value.values.map((word) => ({
    label: word,
    kind: CompletionItemKind.EnumMember,
    detail: valueMeaning(spec, word) ?? spec.summary,
    documentation: markdown(`\`${spec.key}\`: ${spec.summary}`),
    // Said right after the value, in brackets: a lone `default` beside it read as one more value to choose.
    ...(word === value.default ? { labelDetails: { detail: ' (default)' } } : {}),
  }));
}

// ---------------------------------------------------------------------------------------
// Names, labels, counters

const nameKinds: Readonly<Record<NameKind, CompletionItemKind>> = {
  smmu: CompletionItemKind.Module,
  vfio: CompletionItemKind.Module,
  workqueue: CompletionItemKind.Module,
  domain: CompletionItemKind.Struct,
  pagetable: CompletionItemKind.Struct,
  master: CompletionItemKind.Class,
  engine: CompletionItemKind.Method,
  handler: CompletionItemKind.Function,
  vm: CompletionItemKind.Module,
};

/** The names of one kind, in file order; the workqueues include the built-in `iopf`. */
function nameItems(kind: NameKind, analysis: Analysis): CompletionItem[] {
  return analysis.compiled.check.symbols.all(kind).map((entry) => ({
    label: entry.name,
    kind: nameKinds[kind],
    detail: entry.nameRange ? `${kind} ${entry.name} (line ${analysis.lines.lineOf(entry.nameRange.start)})` : `${kind} ${entry.name} (built in: 2 workers, unbound)`,
  }));
}

/** The names of a kind but those excluded, with what follows them (`gpu.` for a new engine). */
function namesExcept(kind: NameKind, exclude: ReadonlySet<string>, then: string | undefined, analysis: Analysis): CompletionItem[] {
  return nameItems(kind, analysis)
    .filter((item) => !exclude.has(item.label))
    .map((item) => (then ? { ...item, insertText: `${item.label}${then}` } : item));
}

function labelItems(analysis: Analysis): CompletionItem[] {
  return [...analysis.compiled.check.labels].map(([label, transactions]) => ({
    label,
    kind: CompletionItemKind.Reference,
    detail: transactions.length === 1 ? 'transaction label' : `label of ${transactions.length} transactions`,
    documentation: markdown(
      transactions.map((t) => `\`${analysis.textOf(t.range).replace(/\s+/g, ' ')}\` (line ${analysis.lines.lineOf(t.range.start)})`).join('\n\n'),
    ),
  }));
}

function counterItems(except: ReadonlySet<string> = new Set()): CompletionItem[] {
  return counterNames.filter((c) => !except.has(c)).map((counter) => ({ label: counter, kind: CompletionItemKind.Variable, detail: counterDocs[counter] }));
}

// ---------------------------------------------------------------------------------------
// expect

const comparisons = ['==', '!=', '<', '<=', '>', '>='];

function expectCheckItems(subject: string, analysis: Analysis): CompletionItem[] {
  const items: CompletionItem[] = [];
  if ((counterNames as readonly string[]).includes(subject)) {
    items.push(...comparisons.map((op) => ({ label: op, kind: CompletionItemKind.Operator, detail: `${subject} ${op} N`, insertText: `${op} ` })));
  }
  if (items.length === 0 || analysis.compiled.check.labels.has(subject)) {
    items.push(
      ...transactionStatuses.map((status) => ({ label: status, kind: CompletionItemKind.EnumMember, detail: transactionStatusDocs[status] })),
      keywordItem('pa'),
    );
  }
  return items;
}

// ---------------------------------------------------------------------------------------
// Fixed words

/** What completing a fixed word inserts, where more follows it. */
const keywordInserts: Readonly<Record<string, string>> = { on: 'on ', 'off for': 'off for ' };

/** How a fixed word is written: `if` is offered only after `else`. */
function keywordSyntax(word: string): string | undefined {
  return word === 'if' ? 'else if CONDITION { … }' : phraseWords[word]?.syntax;
}

function keywordItem(word: string): CompletionItem {
  const syntax = keywordSyntax(word);
  const insertText = keywordInserts[word];
  return {
    label: word,
    kind: CompletionItemKind.Keyword,
    ...(syntax ? { detail: syntax, documentation: markdown(docOf(word)) } : {}),
    ...(insertText ? { insertText } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Maps

const permissionCombinations = ['r', 'w', 'x', 'rw', 'rx', 'wx', 'rwx'];
const memoryTypes = ['cached', 'noncached', 'device'];

const isAccessWord = (word: string) => /^[rwx]+$/.test(word);

/** r, w and x in any combination, then the other words; none that would add nothing or contradict what is given. */
function permissionItems(given: readonly string[], pages: boolean): CompletionItem[] {
  const givenSet = new Set(given);
  const access = new Set(given.filter(isAccessWord).flatMap((word) => [...word]));
  const hasMemoryType = memoryTypes.some((m) => givenSet.has(m));
  const words = [...permissionCombinations, ...Object.keys(mapPermissions).filter((p) => !isAccessWord(p))].filter((word) =>
    isAccessWord(word)
      ? [...word].some((c) => !access.has(c)) && !(givenSet.has('noexec') && word.includes('x'))
      : !givenSet.has(word) && !(hasMemoryType && memoryTypes.includes(word)) && !(word === 'noexec' && access.has('x')),
  );
  const items: CompletionItem[] = words.map((word) => ({
    label: word,
    kind: CompletionItemKind.EnumMember,
    detail: isAccessWord(word) ? [...word].map((c) => mapPermissions[c]).join(' + ') : mapPermissions[word],
  }));
  if (pages) items.push(keywordItem('pages'));
  return items;
}

const leafSizes: ReadonlyArray<[string, string]> = [
  ['4K', '4 KiB pages only (level-3 leaves)'],
  ['2M', 'at most 2 MiB blocks (level-2 leaves)'],
  ['1G', 'at most 1 GiB blocks (level-1 leaves): as `iommu_map` would'],
];

function leafSizeItems(): CompletionItem[] {
  return leafSizes.map(([size, detail]) => ({ label: size, kind: CompletionItemKind.Value, detail }));
}

// ---------------------------------------------------------------------------------------
// Transactions

/** What completing a transaction option inserts, where it takes a value. */
const optionSnippets: Readonly<Record<string, string>> = { pasid: 'pasid ${1:1}', value: 'value ${1:0x0}', as: 'as ${1:name}' };

function transactionOptionItems(access: 'read' | 'write', given: ReadonlySet<string>, version: SmmuVersion | undefined): CompletionItem[] {
  return transactionOptions
    .filter((option) => !given.has(option.word) && (option.access === undefined || option.access === access) && existsOn(option, version))
    .map(({ word, syntax }) => {
      const body = optionSnippets[word];
      return body ? snippet(word, CompletionItemKind.Keyword, body, syntax, docOf(word)) : { label: word, kind: CompletionItemKind.Keyword, detail: syntax, documentation: markdown(docOf(word)) };
    });
}

// ---------------------------------------------------------------------------------------
// Expressions

function fieldItems(): CompletionItem[] {
  return Object.entries(faultFields).map(([field, doc]) => ({ label: field, kind: CompletionItemKind.Field, detail: doc }));
}

function kindItems(withEventNames: boolean): CompletionItem[] {
  const items: CompletionItem[] = faultKinds.map((kind) => ({ label: kind, kind: CompletionItemKind.EnumMember, detail: `fault kind (SMMUv3 event ${faultKindEventNames[kind]})` }));
  if (withEventNames) {
    items.push(...faultKinds.map((kind) => ({ label: faultKindEventNames[kind], kind: CompletionItemKind.EnumMember, detail: `SMMUv3 event name of a ${kind} fault` })));
  }
  return items;
}

function engineItems(analysis: Analysis, master?: string): CompletionItem[] {
  return analysis.compiled.check.symbols
    .declared('engine')
    .filter((e) => master === undefined || e.declaration.name?.master.text === master)
    .map((e) => ({
      label: master === undefined ? e.name : (e.declaration.name?.engine.text ?? e.name),
      kind: CompletionItemKind.Method,
      detail: `engine ${e.name} (line ${analysis.lines.lineOf(e.nameRange.start)})`,
    }));
}

function expressionItems(slot: ExpressionSlot, analysis: Analysis): CompletionItem[] {
  switch (slot.kind) {
    case 'engine':
      return slot.inRepeat ? [{ label: 'i', kind: CompletionItemKind.Variable, detail: 'the iteration index of the enclosing repeat, from 0' }] : [];
    case 'engine-of':
      return engineItems(analysis, slot.master);
    case 'compared':
      switch (slot.field) {
        case 'kind':
          return kindItems(true);
        case 'engine':
          return engineItems(analysis);
        default:
          return nameItems(slot.field, analysis);
      }
    case 'handler': {
      const fields = fieldItems();
      // A field hides a counter of the same name (`stalled`), and both hide declared names.
      const taken = new Set<string>([...Object.keys(faultFields), ...counterNames, ...faultKinds]);
      const declared = [...nameItems('master', analysis), ...nameItems('domain', analysis)].filter((item) => !taken.has(item.label));
      const items = [...fields, ...counterItems(new Set(Object.keys(faultFields))), ...kindItems(false), ...declared, ...engineItems(analysis)];
      return slot.withPage ? [keywordItem('page'), ...items] : items;
    }
  }
}
