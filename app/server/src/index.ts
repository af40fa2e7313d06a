/** The API and dashboard server: `ashao api`, or `startApiServer` in-process. */
export { apiCommand, type ApiGlobalFlags } from "./cli";
export { addApiOptions, type ApiFlags } from "./cli-options";
export * from "./admin-log";
export * from "./buybacks";
export * from "./errors";
export * from "./history";
export * from "./indexer";
export * from "./server";
export * from "./snapshot";
export * from "./store/store";
