/** Ids of the error responses this adapter sends; a client can match on them. */
export const enum ErrorId {
  BadLaunchArguments = 1001,
  UnreadableScenario = 1002,
  ScenarioHasErrors = 1003,
  /** A request for something that is not there: an unknown thread, a stale reference, a resume of nothing. */
  BadRequest = 1010,
  /** Arguments of the wrong type, missing, or out of range. */
  BadArguments = 1011,
  /** A request the session cannot answer in its state: before a launch, while running, after the end. */
  WrongState = 1012,
  /** A command this adapter does not implement. */
  UnknownRequest = 1013,
  Internal = 1099,
}

/** A request the adapter refuses: unknown thread, stale variable reference, a resume of nothing … */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly id: ErrorId = ErrorId.BadRequest,
  ) {
    super(message);
  }
}

/**
 * Whether the user should see an error as a message box: only a launch that failed, or a
 * bug. Not a scenario's errors: they are in the Debug Console, each with a link to its
 * line, which VS Code opens for a launch that failed after writing there.
 */
export function showsUser(id: ErrorId): boolean {
  return id === ErrorId.BadLaunchArguments || id === ErrorId.UnreadableScenario || id === ErrorId.Internal;
}
