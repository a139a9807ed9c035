/**
 * What a log line says once the text around the kernel's message is gone: the dmesg
 * timestamp, a journalctl / syslog prefix, a vendor's `[pid:…,cpu…,…]` tag, a hex-dump
 * viewer's `0x… |   1263.468579:   ` columns, a printk level `<3>`. Each is stripped only
 * where it starts the line, and repeatedly (a journal line can carry a dmesg timestamp too).
 */

const PREFIXES: readonly RegExp[] = [
  /^\s*0x[0-9a-fA-F]+\s+\|\s+\d+\.\d+:\s+/, // hex-dump viewer: address | seconds:
  /^\s*<\d>/, // printk level as /dev/kmsg or early consoles show it
  /^\s*\[\s*\d+\.\d+\]\s?/, // dmesg: [   12.345678]
  /^\s*[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(\.\d+)? \S+ kernel: /, // syslog / journalctl: Mar 03 10:00:00 host kernel:
  /^\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \S+ kernel: /, // journalctl -o short-iso
  /^\s*\[pid:\d+,cpu\d+,[^\]]*\]/, // vendor tag: [pid:134,cpu0,irq/13-arm-smmu]
];

/** The kernel's message in `line`, without the prefixes around it and without a trailing CR. */
export function messageOf(line: string): string {
  let text = line.replace(/\r$/, '');
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const prefix of PREFIXES) {
      const next = text.replace(prefix, '');
      if (next !== text) {
        text = next;
        stripped = true;
      }
    }
  }
  return text;
}
