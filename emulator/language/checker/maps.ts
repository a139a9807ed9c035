import { Expression, MapStatement } from '../ast';
import { QuickFix } from '../diagnostics';
import { Prot, sizeName } from '../../pgtable/descriptor';
import { Granule } from '../../pgtable/granule';
import { hex } from '../../util/u64';
import { CheckContext } from './context';
import { constantNumber } from './expressions';
import { parsePermissions } from './permissions';
import { listOr } from './settings';
import { selectTtbr, TTBR1, ttbr1RangeBase } from '../../pgtable/ttbrSelect';

/** A `map` of a domain or a vfio container whose every part checked out. */
export interface CheckedMap {
  node: MapStatement;
  iova: bigint;
  pa: bigint;
  size: bigint;
  prot: Prot;
  /** `pages 4K|2M|1G` (16K|32M, 64K|512M): the largest leaf io-pgtable may use. */
  maxLeaf: bigint | undefined;
}

/** The fix that writes `value` in place of `node`: a misaligned address or size made whole pages. */
function rewrite(title: string, node: Expression, value: bigint): QuickFix {
  return { title, edits: [{ range: node.range, newText: hex(value) }] };
}

/** An IOVA or PA must start a page of the granule; the fix rounds it down to the page that holds it. */
function checkAligned(value: bigint, what: string, node: MapStatement['iova'], granule: Granule, context: CheckContext): boolean {
  const page = BigInt(granule.bytes);
  if (value % page === 0n) return true;
  const down = value - (value % page);
  if (node) context.sink.error('map-alignment', node.range, `${what} ${hex(value)} is not ${granule.name}-aligned`, undefined, rewrite(`Align the ${what} down to ${hex(down)}`, node, down));
  return false;
}

/** Whether VA bit 55 selects TTBR1 (Arm ARM D8.2.4). */
export function selectsTtbr1(iova: bigint): boolean {
  return selectTtbr(iova, 48, true).ttbr === TTBR1;
}

/** Which ranges a map may use: TTBR0's, both (a `ttbr1 on` domain), or TTBR0's of a per-process `pagetable`. */
export type MapRanges = 'ttbr0' | 'both' | 'pagetable';

/** The input range a map must fit: TTBR0's [0, 2^ias), or with `ttbr1 on` TTBR1's [2^64 - 2^ias, 2^64) for an IOVA with bit 55 set. */
function checkInputRange(node: MapStatement, iova: bigint, size: bigint, ias: bigint, ranges: MapRanges, context: CheckContext): boolean {
  const ttbr1 = ranges === 'both';
  const at = node.iova?.range ?? node.range;
  const range = `IOVA range ${hex(iova)}–${hex(iova + size - 1n)}`;
  if (ttbr1 && selectsTtbr1(iova)) {
    const base = ttbr1RangeBase(Number(ias));
    if (iova >= base && iova + size <= 1n << 64n) return true;
    context.sink.error('map-range', at, `${range} is not in the TTBR1 range ${hex(base)}–0xffffffffffffffff (the top 2^${ias} bytes: T1SZ = ${64n - ias})`);
    return false;
  }
  if (iova + size <= 1n << ias) return true;
  const inTtbr1 = iova >= ttbr1RangeBase(Number(ias));
  const hint = !inTtbr1 || ttbr1 ? '' : ranges === 'pagetable' ? ': a TTBR1 address, and a pagetable is a TTBR0 table (TTBR1 maps are its domain\'s)' : ": a TTBR1 address, and the domain has no 'ttbr1 on'";
  context.sink.error('map-range', at, `${range} goes beyond the ${ias}-bit input range (ias ${ias})${hint}`);
  return false;
}

/** Checks one map in isolation: constants, alignment to the granule, `pages`, permissions, ias/oas bounds. */
function checkMap(node: MapStatement, ias: bigint, oas: bigint, granule: Granule, ranges: MapRanges, context: CheckContext): CheckedMap | undefined {
  // `map page` outside a handler: the parser has said so.
  if (node.page) return undefined;
  const iova = constantNumber(node.iova, 'the IOVA', context);
  const pa = constantNumber(node.pa, 'the PA', context);
  const size = constantNumber(node.size, 'the size', context);
  const reported = context.sink.diagnostics.length;
  const prot = parsePermissions(node.perms, context.sink);
  const permsOk = context.sink.diagnostics.length === reported;
  let maxLeaf: bigint | undefined;
  if (node.pages) {
    const names = granule.pageSizes.map((s) => sizeName(Number(s)));
    if (granule.pageSizes.includes(node.pages.value)) maxLeaf = node.pages.value;
    else context.sink.error('bad-value', node.pages.range, `'pages' must be ${listOr(names)}${granule.name === '4K' ? '' : ` with the ${granule.name} granule`}, not ${node.pages.text}`);
  }
  if (permsOk && !prot.read && !prot.write && node.perms.length > 0) {
    context.sink.warning('map-no-access', node.range, 'a map without r or w maps nothing: io-pgtable-arm skips it (give r, w or rw)');
  }
  if (node.perms.length === 0 && node.size) {
    context.sink.error('bad-permission', { start: node.size.range.end, end: node.size.range.end }, "the map needs permissions after its size, e.g. 'rw'");
  }
  if (iova === undefined || pa === undefined || size === undefined) return undefined;
  const iovaAligned = checkAligned(iova, 'IOVA', node.iova, granule, context);
  let ok = checkAligned(pa, 'PA', node.pa, granule, context) && iovaAligned;
  const page = BigInt(granule.bytes);
  if (size === 0n || size % page !== 0n) {
    // Rounded up, so the map still covers every byte it was written for (one page at least).
    const whole = size === 0n ? page : size + ((page - (size % page)) % page);
    if (node.size) context.sink.error('map-alignment', node.size.range, `size ${hex(size)} is not a positive multiple of ${granule.name}`, undefined, rewrite(`Round the size up to ${hex(whole)}`, node.size, whole));
    ok = false;
  }
  if (ok && !checkInputRange(node, iova, size, ias, ranges, context)) ok = false;
  if (ok && pa + size > 1n << oas) {
    if (node.pa) context.sink.error('map-range', node.pa.range, `PA range ${hex(pa)}–${hex(pa + size - 1n)} goes beyond the ${oas}-bit output range (oas ${oas})`);
    ok = false;
  }
  return ok ? { node, iova, pa, size, prot, maxLeaf } : undefined;
}

/** Checks the maps of one domain (or container): each on its own, then overlaps between them. */
export function checkMaps(maps: readonly MapStatement[], owner: string, ias: bigint, oas: bigint, granule: Granule, context: CheckContext, ranges: MapRanges = 'ttbr0'): CheckedMap[] {
  const checked = maps.flatMap((node) => checkMap(node, ias, oas, granule, ranges, context) ?? []);
  const byIova = [...checked].sort((a, b) => (a.iova < b.iova ? -1 : a.iova > b.iova ? 1 : 0));
  const overlapping = new Set<CheckedMap>();
  let furthest: CheckedMap | undefined;
  for (const map of byIova) {
    if (furthest && map.iova < furthest.iova + furthest.size) {
      const [first, second] = map.node.range.start < furthest.node.range.start ? [map, furthest] : [furthest, map];
      context.sink.error(
        'map-overlap',
        second.node.range,
        `this map (${hex(second.iova)}–${hex(second.iova + second.size - 1n)}) overlaps the map on line ${context.lines.lineOf(first.node.range.start)} in ${owner} (${hex(first.iova)}–${hex(first.iova + first.size - 1n)})`,
        [{ range: first.node.range, message: 'the map it overlaps' }],
      );
      overlapping.add(second);
    }
    if (!furthest || map.iova + map.size > furthest.iova + furthest.size) furthest = map;
  }
  return checked.filter((map) => !overlapping.has(map));
}
