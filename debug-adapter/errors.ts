/** Ids of the error responses this adapter sends; a client can match on them. */
export const enum ErrorId {
  BadLaunchArguments = 1001,
  UnreadableScenario = 1002,
  ScenarioHasErrors = 1003,
  BadRequest = 1010,
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
