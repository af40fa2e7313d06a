/**
 * A ready-to-run crank: its connection, program, Jupiter client, logger, metrics and, with
 * `--hermes-url`, the poster of fresh Pyth prices.
 */
import pino, { type Logger } from "pino";

import { timedConnection, treasuryProgram } from "../../sdk/src";
import type { CrankConfig } from "./config";
import type { CrankDeps } from "./cycle";
import { jupiterSwapApi } from "./jupiter";
import { CrankMetrics } from "./metrics";
import { hermesPriceUpdater } from "./pyth";

export function crankDeps(config: CrankConfig, log?: Logger): CrankDeps {
  const connection = timedConnection(config.rpcUrl, {
    commitment: "confirmed",
    wsEndpoint: config.wsUrl,
    timeoutMs: config.rpcTimeoutMs,
  });
  const logger =
    log ?? pino({ base: { component: "crank", crank: config.crank.publicKey.toBase58() } });
  return {
    connection,
    program: treasuryProgram(connection, undefined, { programId: config.programId }),
    swapApi: jupiterSwapApi(config.jupiterBaseUrl, config.jupiterApiKey, config.jupiterTimeoutMs),
    log: logger,
    metrics: new CrankMetrics(config.statusFile),
    priceUpdater: config.hermesUrl
      ? hermesPriceUpdater({
          connection,
          payer: config.crank,
          hermesUrl: config.hermesUrl,
          timeoutMs: config.hermesTimeoutMs,
          priorityFeeMicroLamports: config.priorityFeeMicroLamports,
          log: logger,
        })
      : undefined,
  };
}
