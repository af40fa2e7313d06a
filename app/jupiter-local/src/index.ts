/**
 * `jupiter-local`: a Jupiter Swap API v6 stand-in over the test AMM, for localnet only
 * (TEST INFRASTRUCTURE ONLY). See README.md.
 */
export * from "./instructions";
export * from "./math";
export * from "./pool";
export * from "./seed";
export * from "./server";
