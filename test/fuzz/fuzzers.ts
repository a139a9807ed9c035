import { cliFuzzer } from './cliFuzzer';
import { Fuzzer } from './fuzzTarget';
import { invariantsFuzzer } from './invariantsFuzzer';

/** Every fuzzer, in the order `npm run fuzz` runs them. */
export const fuzzers: readonly Fuzzer[] = [invariantsFuzzer, cliFuzzer];
