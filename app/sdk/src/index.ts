/** The $ASHAO treasury SDK: the one TypeScript layer the crank, API, CLI and tests use. */
export * from "./constants";
export * from "./pda";
export * from "./params";
export * from "./program";
export * from "./accounts";
export * from "./instructions";
export * from "./actions";
export * from "./rewards";
export * from "./boost";
export * from "./buyback";
export * from "./clock";
export * from "./errors";
export * from "./events";
export * from "./figures";
export * from "./jupiter";
export * from "./send";
export * from "./websocket";
