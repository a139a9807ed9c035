import { VEVENT_HEADER, encodeVeventHeader } from './veventRecords';
import { ERRNO, IOMMU_VEVENTQ_FLAG_LOST_EVENTS } from './uapi';

/**
 * A vEVENTQ (IOMMUFD_OBJ_VEVENTQ, drivers/iommu/iommufd/eventq.c and driver.c, since 6.15):
 * the vIOMMU's events for user space, at most `depth` of them queued. Plain data for the
 * machine's snapshots.
 *
 * Overflow as the kernel delivers it (iommufd_viommu_report_event, iommufd_vevent_handler):
 * an event reported while `numEvents == depth` is not queued; instead the queue's one
 * lost_events_header goes to the tail, with the sequence number the lost event would have
 * had. Every report takes a sequence number (0..INT_MAX, then 0), lost or not; the header
 * stays only while it is last — the next report, queued or lost, takes it off the tail first,
 * so the reader sees the gap in the numbers of the events around it instead. Reading the
 * header delivers it (flags LOST_EVENTS, no data) and it leaves the list; it never counts
 * towards `depth`.
 */

const INT_MAX = 0x7fff_ffff;

export type Vevent = { lost: false; sequence: number; data: Uint8Array } | { lost: true; sequence: number };

export interface Veventq {
  type: number;
  depth: number;
  numEvents: number;
  /** The sequence number the next report takes. */
  sequence: number;
  /** The deliver list, oldest first; a `lost` entry is the lost_events_header, only ever last. */
  deliver: Vevent[];
}

/** IOMMU_VEVENTQ_ALLOC's checks the model needs: depth 0 is -EINVAL. */
export function newVeventq(type: number, depth: number): Veventq | { error: number } {
  if (!Number.isInteger(depth) || depth <= 0) return { error: -ERRNO.EINVAL };
  return { type, depth, numEvents: 0, sequence: 0, deliver: [] };
}

/** iommufd_viommu_report_event: 'queued', or 'lost' (the header at the tail); the kernel returns 0 either way. */
export function reportVevent(q: Veventq, data: Uint8Array): 'queued' | 'lost' {
  const lost = q.numEvents === q.depth;
  if (!lost) q.numEvents++;
  if (q.deliver.at(-1)?.lost) q.deliver.pop();
  const sequence = q.sequence;
  q.deliver.push(lost ? { lost: true, sequence } : { lost: false, sequence, data: data.slice() });
  q.sequence = (q.sequence + 1) & INT_MAX;
  return lost ? 'lost' : 'queued';
}

/**
 * read(2) of `count` bytes (iommufd_veventq_fops_read): whole vEVENTs, oldest first, each a
 * header and its data; the lost-events header alone. One that does not fit stops the read
 * and stays first. Returns the bytes done (0 when nothing fits or nothing is queued).
 */
export function readVeventq(q: Veventq, count: number): { result: number; bytes: Uint8Array; events: Vevent[] } {
  const headerSize = VEVENT_HEADER.size;
  const parts: Uint8Array[] = [];
  const events: Vevent[] = [];
  let done = 0;
  while (q.deliver.length > 0) {
    const event = q.deliver[0];
    if (done >= count || headerSize > count - done) break;
    if (!event.lost && headerSize + event.data.length > count - done) break;
    q.deliver.shift();
    parts.push(encodeVeventHeader({ flags: event.lost ? IOMMU_VEVENTQ_FLAG_LOST_EVENTS : 0, sequence: event.sequence }));
    done += headerSize;
    if (!event.lost) {
      parts.push(event.data);
      done += event.data.length;
      q.numEvents--;
    }
    events.push(event);
  }
  const bytes = new Uint8Array(done);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { result: done, bytes, events };
}

/** The queue for a debugger: `2/2 events, next sequence 3` and each vEVENT, the lost-events header as such. */
export function describeVeventq(q: Veventq): string[] {
  return [
    `${q.numEvents}/${q.depth} events, next sequence ${q.sequence}`,
    ...q.deliver.map((e) => (e.lost ? `sequence ${e.sequence}: LOST_EVENTS header` : `sequence ${e.sequence}: ${e.data.length} bytes`)),
  ];
}
