/**
 * What `reproduce` gives for one report: a scenario whose run prints the report's line
 * again, or why the scenario language cannot say it yet. Never a scenario that prints
 * something else.
 */
export type Reproduction = { scenario: string } | { cannot: string };

/** Scenario text is assembled from lines; a `//` comment says each choice. */
export function line(text: string, why?: string): string {
  return why === undefined ? text : `${text}   // ${why}`;
}
