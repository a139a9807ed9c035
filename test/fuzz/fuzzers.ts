import { Fuzzer } from './fuzzTarget';

/** Every fuzzer, in the order `npm run fuzz` runs them. */
export const fuzzers: readonly Fuzzer[] = [];
