/** The buyback-and-burn crank: `ashao crank once|loop`, or in-process via `runCrankCycle`. */
export * from "./allow-list";
export * from "./config";
export * from "./crank";
export * from "./cycle";
export * from "./errors";
export * from "./loop";
export * from "./metrics";
export * from "./price";
export * from "./pyth";
export * from "./settings";
export * from "./transaction";
export { runCrank } from "./cli";
