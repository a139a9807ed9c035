import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import { ReadFault, ReportRegister } from '../emulator/inspect/faultLogs';

/** The register each `name=0x…` field of the kernel's fault lines prints. */
const fieldRegisters: Readonly<Record<string, string>> = {
  fsr: 'FSR',
  fsynr: 'FSYNR0',
  fsynr0: 'FSYNR0',
  cbfrsynra: 'CBFRSYNRA',
  iova: 'FAR',
  gfsr: 'sGFSR',
  gfsynr0: 'sGFSYNR0',
  gfsynr1: 'sGFSYNR1',
  gfsynr2: 'sGFSYNR2',
  ttbr0: 'TTBR0',
};

/** A field's value as the explanation prints it: decimal, with its hex when that differs. */
function fieldValue(value: number | string): string {
  return typeof value === 'number' && value > 9 ? `${value} (0x${value.toString(16)})` : String(value);
}

function registerMarkdown(name: string, register: ReportRegister): string {
  const rows = Object.entries(register.fields).map(([field, value]) => `| ${field} | ${fieldValue(value)} |`);
  return [`**${name}** = \`${register.value}\``, ...(rows.length > 0 ? ['', '| field | value |', '|---|---|', ...rows] : [])].join('\n');
}

/** The token under `character` matching `pattern` (global), with its match. */
function tokenAt(text: string, character: number, pattern: RegExp): RegExpExecArray | undefined {
  for (const match of text.matchAll(pattern)) {
    if (match.index <= character && character <= match.index + match[0].length) return match as RegExpExecArray;
  }
  return undefined;
}

/**
 * On a log document, the value under the mouse decoded: a `fsr=0x402`-style field with the
 * register it prints, or an SMMUv3 event dword with the record's fields that live in it —
 * the report's own decode (docs/fault-logs.md), in markdown.
 */
export function faultLogHover(faults: readonly ReadFault[], position: Position): Hover | null {
  const lineNumber = position.line + 1;
  for (const { report, read } of faults) {
    const read1 = read.lines.find((l) => l.first <= lineNumber && lineNumber <= l.last);
    if (!read1) continue;
    const lineText = read1.text.split('\n')[lineNumber - read1.first] ?? '';
    let name: string | undefined;
    let match: RegExpExecArray | undefined;
    if (read1.line.kind === 'v3-dword') {
      match = tokenAt(lineText, position.character, /0x[0-9a-fA-F]+/g);
      name = `dword ${read.lines.filter((l) => l.line.kind === 'v3-dword').indexOf(read1)}`;
    } else {
      match = tokenAt(lineText, position.character, /([A-Za-z0-9_]+)=(0x[0-9a-fA-F]+)/g);
      name = match ? fieldRegisters[(match[1] ?? '').toLowerCase()] : undefined;
    }
    const register = name === undefined ? undefined : report.registers[name];
    if (!match || name === undefined || !register) return null;
    const range = { start: { line: position.line, character: match.index }, end: { line: position.line, character: match.index + match[0].length } };
    return { contents: { kind: MarkupKind.Markdown, value: registerMarkdown(name, register) }, range };
  }
  return null;
}
