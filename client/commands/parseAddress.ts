/** `0x0700_0000`, `0x7000000`, `117440512`: what an IOVA may be typed as; the adapter's form, or undefined. */
export function parseAddress(text: string): string | undefined {
  const trimmed = text.trim().replace(/_/g, '');
  return /^(0x[0-9a-f]+|\d+)$/i.test(trimmed) ? trimmed : undefined;
}
