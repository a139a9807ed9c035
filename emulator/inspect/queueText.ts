import { commandText, decodeCommand } from '../smmu/v3/commands';
import { decodeEvent } from '../smmu/v3/eventRecord';
import { eventText } from '../smmu/v3/eventq';
import { pageRequestText } from '../smmu/v3/pri';
import { decodePageRequest } from '../smmu/v3/priEntry';

export type QueueName = 'event' | 'pri' | 'command';

/** An entry of a queue in one line: `F_TRANSLATION sid 0x10 stag 0x0 stall read 0x7000000`. */
export function entryText(queue: QueueName, dwords: readonly bigint[]): string {
  try {
    switch (queue) {
      case 'event':
        return eventText(decodeEvent(dwords));
      case 'pri':
        return pageRequestText(decodePageRequest(dwords));
      case 'command':
        return commandText(decodeCommand(dwords));
    }
  } catch (error) {
    // Software may have written anything there: say so rather than fail the view.
    return `not decodable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
