import { kernelFunction, KernelFunctionName, kernelFunctions } from '../kernel/functions';

/**
 * The kernel's side of the call stack: a kernel frame is drawn at its function's paragraph
 * in a page of its file — the functions of that file on the fault path and what each does
 * in this model (the model does not run the kernel's source line by line, so it shows none).
 */

const WIDTH = 92;

/** `text` wrapped at WIDTH columns, each line indented by `indent`. */
function wrapped(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** A function's heading as the page shows it: `report_iommu_fault()`, or a register write as it is named. */
function heading(name: string): string {
  return name.includes('(') ? name : `${name}()`;
}

interface Page {
  text: string;
  /** 1-based line of each function's heading. */
  lines: Map<string, number>;
}

function pageOf(file: string): Page | undefined {
  const functions = kernelFunctions.filter((f) => f.file === file);
  if (functions.length === 0) return undefined;
  const out = [`// ${file}`, '// Its functions on the fault path, as the IOMMU debugger runs them: what each does in this', "// model. This is not the kernel's source.", ''];
  const lines = new Map<string, number>();
  for (const f of functions) {
    lines.set(f.name, out.length + 1);
    out.push(heading(f.name), ...wrapped(f.does, '    // '), '');
  }
  return { text: out.join('\n'), lines };
}

export type { KernelFunctionName } from '../kernel/functions';

/** The files kernel frames are drawn in, each once. */
export const kernelSourceFiles: readonly string[] = [...new Set(kernelFunctions.map((f) => f.file))];

/** The page a kernel frame's source opens: `file`'s functions on the fault path, or undefined for a file the model does not name. */
export function kernelSourceText(file: string): string | undefined {
  return pageOf(file)?.text;
}

/** Where a kernel frame is drawn: its function's file and the line of its paragraph there. */
export function kernelFrameLocation(name: KernelFunctionName): { file: string; line: number } {
  const f = kernelFunction(name);
  const line = f && pageOf(f.file)?.lines.get(f.name);
  // Every function of the list has a file, and every file a page with its heading.
  if (!f || line === undefined) throw new Error(`kernel function ${name} has no place in its file's page`);
  return { file: f.file, line };
}
