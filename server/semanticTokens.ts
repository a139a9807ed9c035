import { SemanticTokens, SemanticTokensBuilder, SemanticTokensLegend } from 'vscode-languageserver';
import {
  Declaration,
  EngineItem,
  Expression,
  HandlerStatement,
  MapStatement,
  Name,
  Setting,
  StringLiteral,
} from '../emulator/language/ast';
import { engineItemsOf } from '../emulator/language/engineItems';
import { nodesOf } from '../emulator/language/expressionTree';
import { tokenize } from '../emulator/language/lexer';
import { handlerName } from '../emulator/language/checker/expressions';
import { BlockKind, NameKind, settingSpec } from '../emulator/language/schema';
import { Range } from '../emulator/language/source';
import { Token } from '../emulator/language/tokens';
import { Analysis } from './analysis';

/**
 * Semantic colouring, by role rather than by spelling (keywords are not reserved: a master
 * may be called `domain`).
 *
 * | role | type | modifiers |
 * |---|---|---|
 * | declaration keywords, statement words (`map`, `size`, `as`, `on`, `else`, `priv` …) | keyword | |
 * | setting keys (`fault`, `can-stall`) | property | |
 * | enum values of settings (`v2`, `stall`, `on`), map permissions (`rw`, `noaf`), statuses in `expect` | enumMember | |
 * | smmu / domain / master / engine / handler / workqueue / vfio names | namespace / type / class / method / function / event / struct | `declaration` where declared |
 * | the built-in `iopf` workqueue | event | `defaultLibrary` |
 * | transaction labels | variable | `declaration` at `as NAME` |
 * | fault fields in handler expressions and log holes (`iova`, `write`) | property | `readonly` |
 * | counters (`faults`, and in `expect`), the repeat index `i` | variable | `readonly` |
 * | fault kinds (`translation`, `F_PERMISSION`) | enumMember | |
 * | numbers, strings (split around `{…}` holes, whose insides are classified), comments | number, string, comment | |
 * | `->` and the expression operators | operator | |
 *
 * Braces, parentheses, `.`, `,` and `;` are left to the grammar. Tokens come in document
 * order, each once; a comment that spans lines is one token per line.
 */
export const tokenTypes = [
  'namespace',
  'type',
  'class',
  'method',
  'function',
  'event',
  'struct',
  'variable',
  'property',
  'enumMember',
  'keyword',
  'number',
  'string',
  'comment',
  'operator',
] as const;
export type TokenType = (typeof tokenTypes)[number];

export const tokenModifiers = ['declaration', 'readonly', 'defaultLibrary'] as const;
export type TokenModifier = (typeof tokenModifiers)[number];

export const semanticTokensLegend: SemanticTokensLegend = { tokenTypes: [...tokenTypes], tokenModifiers: [...tokenModifiers] };

/** The token type of each kind of declared name. */
export const nameTokenTypes: Readonly<Record<NameKind, TokenType>> = {
  smmu: 'namespace',
  domain: 'type',
  pagetable: 'type',
  master: 'class',
  engine: 'method',
  handler: 'function',
  workqueue: 'event',
  vfio: 'struct',
  vm: 'namespace',
};

interface Role {
  type: TokenType;
  modifiers: readonly TokenModifier[];
}

const operators: ReadonlySet<string> = new Set(['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '&', '|', '^', '~', '!']);

type Scope = 'constant' | 'engine' | 'handler';

export function semanticTokens(analysis: Analysis): SemanticTokens {
  const roles = new Roles(analysis);
  roles.walk();
  return emit(analysis, roles);
}

function role(type: TokenType, ...modifiers: TokenModifier[]): Role {
  return { type, modifiers };
}

/** What the syntax tree and the checker say each name-like token is. */
class Roles {
  /** By start offset; `null`: a token of an expression that gets no colour (an unknown name). */
  readonly marks = new Map<number, Role | null>();
  /** Statements whose words not otherwise marked are keywords (`map … size … pages`). */
  readonly statements: Range[] = [];
  /** Log messages, by the start of their string token: their holes are classified. */
  readonly templates = new Map<number, StringLiteral>();
  private readonly tokenIndex = new Map<number, number>();

  constructor(private readonly analysis: Analysis) {
    analysis.compiled.tokens.forEach((token, i) => this.tokenIndex.set(token.range.start, i));
  }

  private mark(range: Range | undefined, value: Role | null): void {
    if (range) this.marks.set(range.start, value);
  }

  private keyword(node: { range: Range }): void {
    this.mark(node.range, role('keyword'));
  }

  private statement(node: { range: Range }): void {
    this.statements.push(node.range);
  }

  walk(): void {
    for (const declaration of this.analysis.compiled.file.declarations) this.declaration(declaration);
    // The checker's references are the authority on what a name refers to.
    for (const reference of this.analysis.compiled.check.symbols.references) {
      const type = nameTokenTypes[reference.kind];
      const dot = reference.name.indexOf('.');
      if (reference.kind === 'engine' && dot >= 0) {
        // `gpu.cp` in an expression: the engine half; its master half is a master reference of its own.
        this.mark({ start: reference.range.end - (reference.name.length - dot - 1), end: reference.range.end }, role(type));
      } else {
        const builtin = reference.target !== undefined && reference.target.declaration === undefined;
        this.mark(reference.range, builtin ? role(type, 'defaultLibrary') : role(type));
      }
    }
    this.statements.sort((a, b) => a.start - b.start);
  }

  private declared(name: Name | undefined, kind: NameKind): void {
    this.mark(name?.range, role(nameTokenTypes[kind], 'declaration'));
  }

  private settings(settings: readonly Setting[], block: BlockKind): void {
    for (const setting of settings) {
      this.mark(setting.key.range, role('property'));
      const written = settingSpec(block, setting.key.text);
      // `cd at IPA`: the word between the key and the value.
      const after = written?.preposition ? this.tokenAfter(setting.key.range) : undefined;
      if (after?.kind === 'identifier' && after.text === written?.preposition) this.keyword(after);
      const value = setting.value;
      if (value?.kind !== 'word') continue;
      const spec = written?.value;
      if (spec?.kind === 'enum') this.mark(value.range, role('enumMember'));
      else if (spec?.kind === 'name') this.mark(value.range, role(nameTokenTypes[spec.of]));
      else this.mark(value.range, null);
    }
  }

  private declaration(declaration: Declaration): void {
    this.keyword(declaration);
    switch (declaration.kind) {
      case 'scenario':
        this.statement(declaration);
        return;
      case 'kernel':
        if (declaration.version) this.mark(declaration.version.range, role('number'));
        return;
      case 'timing':
        this.settings(declaration.settings, 'timing');
        return;
      case 'smmu':
      case 'workqueue':
      case 'vm':
        this.declared(declaration.name, declaration.kind);
        this.settings(declaration.settings, declaration.kind);
        return;
      case 'domain':
        this.declared(declaration.name, 'domain');
        this.settings(declaration.settings, 'domain');
        for (const map of declaration.maps) this.map(map, 'constant');
        return;
      case 'master':
        this.declared(declaration.name, 'master');
        this.settings(declaration.settings, 'master');
        for (const stream of declaration.streams) this.statement(stream);
        for (const binding of declaration.pasids) {
          this.statement(binding);
          this.mark(binding.domain?.range, role(nameTokenTypes.domain));
        }
        return;
      case 'engine':
        if (declaration.name) {
          this.mark(declaration.name.master.range, role(nameTokenTypes.master));
          this.declared(declaration.name.engine, 'engine');
        }
        this.settings(declaration.settings, 'engine');
        for (const stream of declaration.streams) this.statement(stream);
        this.engineItems(declaration.body);
        return;
      case 'handler':
      case 'pagetable': {
        this.declared(declaration.name, declaration.kind);
        const name = declaration.name;
        const after = name ? this.tokenAfter(name.range) : undefined;
        if (after?.kind === 'identifier' && after.text === 'on' && (!declaration.domain || after.range.start < declaration.domain.range.start)) this.keyword(after);
        this.mark(declaration.domain?.range, role(nameTokenTypes.domain));
        this.settings(declaration.settings, declaration.kind);
        if (declaration.kind === 'handler') this.handlerStatements(declaration.body);
        else for (const map of declaration.maps) this.map(map, 'constant');
        return;
      }
      case 'vfio':
        this.declared(declaration.name, 'vfio');
        this.settings(declaration.settings, 'vfio');
        for (const list of declaration.masters) {
          this.statement(list);
          for (const master of list.masters) this.mark(master.range, role(nameTokenTypes.master));
        }
        for (const map of declaration.maps) this.map(map, 'constant');
        return;
      case 'expect': {
        this.statement(declaration);
        const check = declaration.check;
        if (!check) return;
        if (check.kind === 'counter') {
          this.mark(check.counter.range, role('variable', 'readonly'));
          this.expression(check.value, 'constant');
          return;
        }
        this.mark(check.label.range, role('variable'));
        if (check.kind === 'status') this.mark(check.status?.range, role('enumMember'));
        else this.expression(check.pa, 'constant');
        return;
      }
    }
  }

  private tokenAfter(range: Range): Token | undefined {
    const index = this.tokenIndex.get(range.start);
    return index === undefined ? undefined : this.analysis.compiled.tokens[index + 1];
  }

  private map(map: MapStatement, scope: Scope): void {
    this.statement(map);
    this.expression(map.iova, scope);
    this.expression(map.pa, scope);
    this.expression(map.size, scope);
    for (const perm of map.perms) this.mark(perm.range, role('enumMember'));
  }

  private engineItems(items: readonly EngineItem[]): void {
    for (const { item } of engineItemsOf(items)) {
      switch (item.kind) {
        case 'transaction':
          this.statement(item);
          this.expression(item.address, 'engine');
          this.expression(item.size, 'engine');
          for (const option of item.options) {
            if (option.kind === 'pasid' || option.kind === 'value') this.expression(option.value, 'engine');
          }
          this.mark(item.label?.range, role('variable', 'declaration'));
          break;
        case 'wait':
          this.statement(item);
          this.expression(item.cycles, 'engine');
          break;
        case 'repeat':
          this.keyword(item);
          this.expression(item.count, 'engine');
          break;
        case 'submit': {
          this.keyword(item);
          this.expression(item.id, 'engine');
          const before = item.pagetable ? this.tokenIndex.get(item.pagetable.range.start) : undefined;
          const word = before === undefined ? undefined : this.analysis.compiled.tokens[before - 1];
          if (word?.kind === 'identifier' && word.text === 'pagetable') this.keyword(word);
          this.mark(item.pagetable?.range, role(nameTokenTypes.pagetable));
          break;
        }
      }
    }
  }

  private handlerStatements(statements: readonly HandlerStatement[]): void {
    for (const statement of statements) {
      switch (statement.kind) {
        case 'log':
          this.statement(statement);
          if (statement.message) {
            this.templates.set(statement.message.range.start, statement.message);
            for (const part of statement.message.parts) if (part.kind === 'hole') this.expression(part.expression, 'handler');
          }
          break;
        case 'map':
          this.map(statement, 'handler');
          break;
        case 'unmap':
          this.statement(statement);
          this.expression(statement.iova, 'handler');
          this.expression(statement.size, 'handler');
          break;
        case 'tlbi':
          this.statement(statement);
          this.expression(statement.address, 'handler');
          break;
        case 'sleep':
        case 'stall-off':
          this.statement(statement);
          this.expression(statement.cycles, 'handler');
          break;
        case 'if':
          this.keyword(statement);
          this.expression(statement.condition, 'handler');
          this.handlerStatements(statement.then);
          if (statement.elseRange) this.mark(statement.elseRange, role('keyword'));
          if (statement.otherwise) this.handlerStatements(statement.otherwise);
          break;
        case 'dump':
        case 'sync':
        case 'response':
          this.statement(statement);
          break;
      }
    }
  }

  /** Names in an expression, as the checker resolves them in its scope. */
  private expression(expression: Expression | undefined, scope: Scope): void {
    if (!expression) return;
    for (const node of nodesOf(expression)) {
      if (node.kind === 'identifier') {
        this.mark(node.range, this.identifier(node.name, scope));
      } else if (node.kind === 'qualified') {
        const engineStart = node.range.end - node.engine.length;
        this.mark(node.masterRange, role(nameTokenTypes.master));
        this.mark({ start: engineStart, end: node.range.end }, role(nameTokenTypes.engine));
      } else if (node.kind === 'call') {
        this.mark(node.callee.range, null);
      }
    }
  }

  /** What the checker makes of the name. */
  private identifier(name: string, scope: Scope): Role | null {
    if (scope === 'engine') return name === 'i' ? role('variable', 'readonly') : null;
    if (scope !== 'handler') return null;
    const meaning = handlerName(name, this.analysis.compiled.check.symbols);
    if (!meaning) return null;
    switch (meaning.kind) {
      case 'field':
        return role('property', 'readonly');
      case 'counter':
        return role('variable', 'readonly');
      case 'fault-kind':
        return role('enumMember');
      case 'master':
      case 'domain':
        return role(nameTokenTypes[meaning.kind]);
    }
  }
}

/** Encodes the tokens and comments in document order. */
function emit(analysis: Analysis, roles: Roles): SemanticTokens {
  const builder = new SemanticTokensBuilder();
  const push = (start: number, end: number, value: Role): void => {
    if (end <= start) return;
    const position = analysis.positionAt(start);
    let modifiers = 0;
    for (const modifier of value.modifiers) modifiers |= 1 << tokenModifiers.indexOf(modifier);
    builder.push(position.line, position.character, end - start, tokenTypes.indexOf(value.type), modifiers);
  };
  const lineEnds = lineEndsOf(analysis.text);
  const pushComment = (range: Range): void => {
    // One token a line: clients need not support tokens that span lines.
    let start = range.start;
    for (let line = analysis.positionAt(range.start).line; start < range.end; line++) {
      const end = Math.min(range.end, lineEnds[line] ?? range.end);
      push(start, end, role('comment'));
      start = analysis.offsetAt({ line: line + 1, character: 0 });
      if (start <= end) break;
    }
  };

  let statement = 0;
  const inStatement = (offset: number): boolean => {
    while (statement < roles.statements.length && (roles.statements[statement]?.end ?? 0) <= offset) statement++;
    const range = roles.statements[statement];
    return range !== undefined && range.start <= offset;
  };
  const pushToken = (token: Token, inHole: boolean): void => {
    switch (token.kind) {
      case 'number':
        push(token.range.start, token.range.end, role('number'));
        return;
      case 'punctuator':
        if (operators.has(token.text)) push(token.range.start, token.range.end, role('operator'));
        return;
      case 'identifier': {
        const mark = roles.marks.get(token.range.start);
        if (mark) push(token.range.start, token.range.end, mark);
        else if (mark === undefined && !inHole && inStatement(token.range.start)) push(token.range.start, token.range.end, role('keyword'));
        return;
      }
      case 'string': {
        const template = roles.templates.get(token.range.start);
        let from = token.range.start;
        for (const part of template?.parts ?? []) {
          if (part.kind !== 'hole') continue;
          push(from, part.range.start + 1, role('string'));
          for (const inner of tokenize(analysis.text, part.range.start + 1, part.range.end - 1).tokens) pushToken(inner, true);
          from = part.range.end - 1;
        }
        push(from, token.range.end, role('string'));
        return;
      }
      default:
        return;
    }
  };

  const tokens = analysis.compiled.tokens;
  const comments = analysis.compiled.comments;
  let c = 0;
  for (const token of tokens) {
    while (c < comments.length && (comments[c]?.start ?? Infinity) < token.range.start) pushComment(comments[c++] as Range);
    pushToken(token, false);
  }
  while (c < comments.length) pushComment(comments[c++] as Range);
  return builder.build();
}

/** The offset where each line's content ends (before its line break). */
function lineEndsOf(text: string): number[] {
  const ends: number[] = [];
  const pattern = /\r\n|\r|\n/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) ends.push(match.index);
  ends.push(text.length);
  return ends;
}
