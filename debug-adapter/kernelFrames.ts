import * as path from 'path';
import { DebugProtocol } from '@vscode/debugprotocol';
import { kernelFrameLocation, KernelFunctionName, kernelSourceFiles, kernelSourceText } from '../emulator/inspect/kernelSources';
import { ErrorId, RequestError } from './errors';

/** What the call stack says a kernel frame's source is: VS Code folds a run of them as "N more: Linux kernel". */
export const kernelOrigin = 'Linux kernel';

/** A kernel file's sourceReference: its place in the model's list of files, the same in every session. */
function referenceOf(file: string): number {
  return kernelSourceFiles.indexOf(file) + 1;
}

/**
 * A kernel function on the stack: drawn in its file, at its paragraph of the page the
 * `source` request returns, de-emphasized so VS Code folds the kernel's frames under the
 * scenario's own.
 */
export function kernelStackFrame(id: number, name: KernelFunctionName): DebugProtocol.StackFrame {
  const at = kernelFrameLocation(name);
  const source: DebugProtocol.Source = { name: path.posix.basename(at.file), path: at.file, sourceReference: referenceOf(at.file), origin: kernelOrigin, presentationHint: 'deemphasize' };
  // No column: a kernel frame is at a function, not at a place in a line.
  return { id, name, source, line: at.line, column: 0, presentationHint: 'subtle' };
}

/** `source`: the page of a kernel file a frame named. */
export function kernelSource(sourceReference: number): DebugProtocol.SourceResponse['body'] {
  const file = kernelSourceFiles[sourceReference - 1];
  const content = file === undefined ? undefined : kernelSourceText(file);
  if (content === undefined) throw new RequestError(`there is no source ${sourceReference}: the IOMMU debugger's sources are the scenario (by path) and the kernel files its frames name`, ErrorId.BadArguments);
  return { content, mimeType: 'text/x-c' };
}
