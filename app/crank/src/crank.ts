/** A ready-to-run crank: its connection, program, Jupiter client, logger and metrics. */
import { Connection } from "@solana/web3.js";
import pino, { type Logger } from "pino";

import { treasuryProgram } from "../../sdk/src";
import type { CrankConfig } from "./config";
import type { CrankDeps } from "./cycle";
import { jupiterSwapApi } from "./jupiter";
import { CrankMetrics } from "./metrics";

export function crankDeps(config: CrankConfig, log?: Logger): CrankDeps {
  const connection = new Connection(config.rpcUrl, {
    commitment: "confirmed",
    wsEndpoint: config.wsUrl,
  });
  return {
    connection,
    program: treasuryProgram(connection, undefined, { programId: config.programId }),
    swapApi: jupiterSwapApi(config.jupiterBaseUrl, config.jupiterApiKey),
    log: log ?? pino({ base: { component: "crank", crank: config.crank.publicKey.toBase58() } }),
    metrics: new CrankMetrics(config.statusFile),
  };
}
