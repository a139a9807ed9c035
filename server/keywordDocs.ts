import { bodyStatements, declarationStatements, firstWord, phraseWords, StatementSpec } from '../emulator/language/grammarTable';

/**
 * What the language's keywords mean on the hardware and in Linux, for hover and
 * completion: the words of the grammar table (emulator/language/grammarTable.ts). Settings,
 * their values, fields, counters and map permissions are documented in the schema.
 */
function statementDocs(): Array<[string, string]> {
  const statements: StatementSpec[] = [...declarationStatements, ...Object.values(bodyStatements).flat()];
  // A statement of several words (`stall off for`) is documented under all of them and under its first word.
  return statements.flatMap((spec): Array<[string, string]> => (spec.words === firstWord(spec) ? [[spec.words, spec.doc]] : [[spec.words, spec.doc], [firstWord(spec), spec.doc]]));
}

export const keywordDocs: Readonly<Record<string, string>> = Object.fromEntries([...statementDocs(), ...Object.entries(phraseWords).map(([word, { doc }]): [string, string] => [word, doc])]);
