/** A handler that answers retry without mapping what faults, on each SMMU version. */
export const retryLoops = [
  {
    version: 'SMMUv2',
    text: [
      'smmu s { version v2 }',
      'domain d {',
      '  fault stall',
      '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
      '}',
      'master m { stream 0x1; domain d; can-stall }',
      'engine m.dma { read 0x2000_0000 64 as stuck }',
      'handler h on d { context thread; log "retrying {iova}"; retry }',
    ].join('\n'),
  },
  {
    version: 'SMMUv3',
    text: [
      'smmu s { version v3; stall-model stall }',
      'domain d {',
      '  fault stall',
      '  report abort',
      '  map 0x1000_0000 -> 0x8000_0000 size 2M rw',
      '}',
      'master m { stream 0x10; domain d; can-stall }',
      'engine m.dma { read 0x2000_0000 64 as stuck }',
      'handler h on d { log "retrying {iova}"; retry }',
    ].join('\n'),
  },
];
