/** Small SMMUv3 scenarios the v3 spec files share. */

/** One read of stream 0x10 that faults and stalls (CD.S=1), with no fault handler. */
export const v3Stall = [
  'smmu s { version v3; stall-model stall }',
  'domain d {',
  '  fault stall',
  '  report abort',
  '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
  '}',
  'master m { stream 0x10; domain d; can-stall }',
  'engine m.dma { read 0x2000_0000 64 as bad }',
].join('\n');

/**
 * An ATS/PRI device reading at PASID 5 where nothing is mapped: its one read (no submit)
 * is a page request group of its own, sent with Last. No handler.
 */
export const v3Pri = [
  'smmu s { version v3; ssid-bits 8 }',
  'domain dev { map 0x0 -> 0x8000_0000 size 1M rw }',
  'domain mm { }',
  'master nic { stream 0x100; domain dev; pri; pasid 5 -> mm }',
  'engine nic.rx { read 0x4000_0000 64 pasid 5 as rx }',
].join('\n');
