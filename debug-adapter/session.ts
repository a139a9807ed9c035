import { DebugSession, InitializedEvent, TerminatedEvent } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { capabilities } from './capabilities';
import { ErrorId } from './errors';
import { IommuLaunchArguments, LaunchArgumentError, parseLaunchArguments } from './launchArguments';
import { ScenarioReader } from './scenarioReader';

/**
 * The DAP face of the emulator. The same class runs inline in the extension host and
 * standalone on stdio (`main.ts`); what differs between the two is injected.
 */
export class IommuDebugSession extends DebugSession {
  private launchArgs: IommuLaunchArguments | undefined;

  constructor(private readonly readScenario: ScenarioReader) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = capabilities;
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    raw: DebugProtocol.LaunchRequestArguments,
  ): Promise<void> {
    let args: IommuLaunchArguments;
    try {
      args = parseLaunchArguments({ ...raw });
    } catch (error) {
      if (!(error instanceof LaunchArgumentError)) throw error;
      this.sendErrorResponse(response, { id: ErrorId.BadLaunchArguments, format: error.message, showUser: true });
      return;
    }
    try {
      await this.readScenario(args.scenario);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.sendErrorResponse(response, {
        id: ErrorId.UnreadableScenario,
        format: `cannot read scenario ${args.scenario}: ${reason}`,
        showUser: true,
      });
      return;
    }
    this.launchArgs = args;
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    if (this.launchArgs) this.sendEvent(new TerminatedEvent());
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }
}
