import { cliFuzzer } from './cliFuzzer';
import { dapFuzzer } from './dapFuzzer';
import { faultLogFuzzer } from './faultLogFuzzer';
import { Fuzzer } from './fuzzTarget';
import { invariantsFuzzer } from './invariantsFuzzer';
import { lspFuzzer } from './lspFuzzer';

/** Every fuzzer, in the order `npm run fuzz` runs them. */
export const fuzzers: readonly Fuzzer[] = [lspFuzzer, invariantsFuzzer, dapFuzzer, cliFuzzer, faultLogFuzzer];
