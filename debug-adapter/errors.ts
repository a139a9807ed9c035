/** Ids of the error responses this adapter sends; a client can match on them. */
export const enum ErrorId {
  BadLaunchArguments = 1001,
  UnreadableScenario = 1002,
}
