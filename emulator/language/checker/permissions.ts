import { Word } from '../ast';
import { DiagnosticSink } from '../diagnostics';
import { Prot } from '../../pgtable/descriptor';
import { mapPermissions } from '../schema';

const memoryTypes = ['cached', 'noncached', 'device'] as const;

/** Reads a map's permission words (`rw`, `priv`, `noaf` …) into io-pgtable's prot. */
export function parsePermissions(words: readonly Word[], sink: DiagnosticSink | undefined): Prot {
  const prot: Prot = { read: false, write: false, noexec: false, priv: false, noaf: false, memory: 'cached' };
  let exec: Word | undefined;
  let memory: Word | undefined;
  for (const word of words) {
    const text = word.text;
    if (/^[rwx]+$/.test(text) && new Set(text).size === text.length) {
      prot.read ||= text.includes('r');
      prot.write ||= text.includes('w');
      if (text.includes('x')) exec = word;
      continue;
    }
    if ((memoryTypes as readonly string[]).includes(text)) {
      if (memory && memory.text !== text) {
        sink?.error('bad-permission', word.range, `'${text}' contradicts '${memory.text}': a mapping has one memory type`);
      }
      memory = word;
      prot.memory = text as Prot['memory'];
      continue;
    }
    switch (text) {
      case 'noexec':
        prot.noexec = true;
        break;
      case 'priv':
        prot.priv = true;
        break;
      case 'noaf':
        prot.noaf = true;
        break;
      default:
        sink?.error('bad-permission', word.range, `unknown permission '${text}'; expected r, w, x (any of them, as in 'rw') or ${Object.keys(mapPermissions).filter((k) => k.length > 1).join(', ')}`);
    }
  }
  if (exec && prot.noexec) sink?.error('bad-permission', exec.range, `'x' contradicts 'noexec'`);
  return prot;
}
