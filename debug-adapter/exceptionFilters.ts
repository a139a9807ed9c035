import { DebugProtocol } from '@vscode/debugprotocol';

export type ExceptionFilterId = 'translation' | 'permission' | 'access-flag' | 'address-size' | 'configuration' | 'stall' | 'terminate' | 'multi' | 'overflow' | 'page-request' | 'stale';

const condition = 'Stop only when this holds, e.g. `iova >= 0x0300_0000` or `engine == gpu.cp` (fault fields, counters)';

/** The exception breakpoints the Breakpoints view offers, in its order. */
export const exceptionFilters: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'translation', label: 'Translation faults', description: 'An invalid descriptor, or an IOVA beyond the input range', default: true, supportsCondition: true, conditionDescription: condition },
  { filter: 'permission', label: 'Permission faults', description: 'A write to a read-only page, an unprivileged access to a privileged one, a fetch from execute-never', default: false, supportsCondition: true, conditionDescription: condition },
  { filter: 'access-flag', label: 'Access-flag faults', description: 'A descriptor with AF=0', default: false, supportsCondition: true, conditionDescription: condition },
  { filter: 'address-size', label: 'Address-size faults', description: 'An output address beyond the output range (oas)', default: false, supportsCondition: true, conditionDescription: condition },
  {
    filter: 'configuration',
    label: 'Configuration errors',
    description: 'The SMMU cannot use what software set up: C_BAD_STREAMID, C_BAD_STE, C_BAD_SUBSTREAMID, C_BAD_CD, F_STREAM_DISABLED (SMMUv3); an unmatched or conflicting stream (SMMUv2 global fault)',
    default: true,
    supportsCondition: true,
    conditionDescription: condition,
  },
  { filter: 'stall', label: 'Stalls', description: 'A transaction stalls: by its fault (waiting for RESUME / CMD_RESUME), or behind another fault (HUPCF=0)', default: true, supportsCondition: true, conditionDescription: condition },
  { filter: 'terminate', label: 'Terminated transactions', description: 'A transaction is aborted, or read as zeros (RAZ/WI)', default: false, supportsCondition: true, conditionDescription: condition },
  { filter: 'multi', label: 'Faults while FSR is busy (MULTI)', description: 'A fault arrives while the context bank still holds one: only FSR.MULTI records it', default: false, supportsCondition: true, conditionDescription: condition },
  { filter: 'overflow', label: 'Event queue overflow', description: 'SMMUv3: the event queue is full and discards a record (PROD.OVFLG toggles)', default: false, supportsCondition: true, conditionDescription: condition },
  { filter: 'page-request', label: 'PRI page requests', description: 'SMMUv3: a device\'s page request reaches the PRI queue (or is discarded when it is full)', default: false, supportsCondition: true, conditionDescription: condition },
  {
    filter: 'stale',
    label: 'Stale TLB accesses',
    description: 'A stale TLB entry translates a transaction to a page Linux unmapped and has not flushed yet (unmap nosync before sync, or the lazy flush queue): a use-after-unmap',
    default: true,
    supportsCondition: true,
    conditionDescription: condition,
  },
];

const filterIds = new Set(exceptionFilters.map((f) => f.filter));

/** The filters on before the client says otherwise: those marked `default`, without conditions. */
export function defaultExceptionFilters<C>(): Map<ExceptionFilterId, C | undefined> {
  return new Map(exceptionFilters.flatMap((f) => (f.default && isExceptionFilterId(f.filter) ? [[f.filter, undefined] as const] : [])));
}

export function isExceptionFilterId(id: string): id is ExceptionFilterId {
  return filterIds.has(id);
}

/** The words a stop shows in CALL STACK: "Paused on translation fault". */
export const filterDescriptions: Record<ExceptionFilterId, string> = {
  translation: 'translation fault',
  permission: 'permission fault',
  'access-flag': 'access-flag fault',
  'address-size': 'address-size fault',
  configuration: 'configuration error',
  stall: 'stall',
  terminate: 'terminated transaction',
  multi: 'fault while FSR was busy (MULTI)',
  overflow: 'event queue overflow',
  'page-request': 'PRI page request',
  stale: 'stale TLB access',
};

/** What the exception widget names the stop: "Translation fault", "Stall". */
export function exceptionTitle(filter: ExceptionFilterId): string {
  const words = filterDescriptions[filter];
  return words.charAt(0).toUpperCase() + words.slice(1);
}
