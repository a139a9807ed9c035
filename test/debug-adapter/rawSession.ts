import { DebugProtocol } from '@vscode/debugprotocol';
import { DapAdapter, DapWire, OutgoingRequest, processAdapter } from '../fuzz/dapWire';
import { TIMEOUT } from './helpers';

/** What VS Code's `initialize` sends. */
export const initialize = { adapterID: 'iommu', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true };

/**
 * The standalone adapter on a bare wire, for what DebugClient hides: whole error responses
 * (with their ids), arguments of any shape, and requests sent in one write.
 */
export class RawDap {
  private readonly adapter: DapAdapter = processAdapter();

  private get wire(): DapWire {
    return this.adapter.wire;
  }

  /** Sends requests in one write; their responses, in order. */
  async batch(requests: readonly OutgoingRequest[]): Promise<DebugProtocol.Response[]> {
    const seqs = this.wire.send(requests);
    const responses = (): DebugProtocol.Response[] => seqs.flatMap((seq) => this.wire.received.filter((m): m is DebugProtocol.Response => m.type === 'response' && (m as DebugProtocol.Response).request_seq === seq));
    if (!(await this.wire.until(() => responses().length === seqs.length, TIMEOUT))) throw new Error(`no response to ${requests.map((r) => r.command).join(', ')} within ${TIMEOUT} ms`);
    return responses();
  }

  async request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const [response] = await this.batch([{ command, arguments: args }]);
    if (!response) throw new Error(`no response to ${command}`);
    return response;
  }

  /** Every message so far, in the order it came. */
  received(): readonly (DebugProtocol.Response | DebugProtocol.Event)[] {
    return this.wire.received;
  }

  /** Every event so far, in order. */
  events(): DebugProtocol.Event[] {
    return this.wire.received.filter((m): m is DebugProtocol.Event => m.type === 'event');
  }

  /** Waits for the first event of a type (recorded already, or to come). */
  async event(name: string, timeout = TIMEOUT): Promise<DebugProtocol.Event> {
    // Looked for from where the last look stopped: a run may send tens of thousands of messages.
    let looked = 0;
    let found: DebugProtocol.Event | undefined;
    const find = (): boolean => {
      const received = this.wire.received;
      for (; !found && looked < received.length; looked++) {
        const message = received[looked];
        if (message?.type === 'event' && (message as DebugProtocol.Event).event === name) found = message as DebugProtocol.Event;
      }
      return found !== undefined;
    };
    if (!(await this.wire.until(find, timeout)) || !found) throw new Error(`no '${name}' event within ${timeout} ms`);
    return found;
  }

  /** Initializes, launches `scenario` and starts it; resolves at its first stop (a fault, with the default filters). */
  async stoppedOnFault(scenario: string): Promise<void> {
    await this.request('initialize', initialize);
    const launched = await this.request('launch', { scenario });
    if (!launched.success) throw new Error(`launch failed: ${launched.message}`);
    const started = await this.request('configurationDone');
    if (!started.success) throw new Error(`configurationDone failed: ${started.message}`);
    await this.event('stopped');
  }

  /** Whether the process is still there, and what it wrote on stderr. */
  get health(): { gone: string | undefined; stderr: string } {
    return { gone: this.adapter.gone, stderr: this.adapter.stderr };
  }

  close(): void {
    this.adapter.close();
  }
}

/** An error response's id and message. */
export function refusalOf(response: DebugProtocol.Response): { success: boolean; id: number | undefined; message: string | undefined } {
  return { success: response.success, id: (response.body as { error?: DebugProtocol.Message } | undefined)?.error?.id, message: response.message };
}
