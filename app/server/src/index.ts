/** The API and dashboard server: `ashao api`, or `startApiServer` in-process. */
export { apiCommand, API_USAGE } from "./cli";
export * from "./admin-log";
export * from "./buybacks";
export * from "./errors";
export * from "./history";
export * from "./indexer";
export * from "./server";
export * from "./snapshot";
export * from "./store/store";
