/**
 * `loop` mode: a cycle every `intervalSecs` until the signal aborts; one failure is not fatal.
 * With `metricsListen`, serves the crank's metrics there while it runs, and reads the crank
 * wallet's SOL after every cycle.
 */
import { delayUnlessAborted } from "../../util/delay";
import { serveMetrics } from "../../util/prometheus";
import type { CrankConfig } from "./config";
import { type CrankDeps, runCrankCycle } from "./cycle";

export async function runCrankLoop(
  deps: CrankDeps,
  config: CrankConfig,
  signal: AbortSignal,
): Promise<void> {
  const server = config.metricsListen
    ? await serveMetrics(deps.metrics.registry, config.metricsListen)
    : undefined;
  if (server) deps.log.info({ url: server.url }, "serving metrics");
  try {
    while (!signal.aborted) {
      try {
        await runCrankCycle(deps, config);
      } catch {
        // runCrankCycle logged and counted it; the next cycle starts from the chain's state.
      }
      await recordWalletBalance(deps, config);
      await delayUnlessAborted(config.intervalSecs * 1000, signal);
    }
  } finally {
    await server?.close();
  }
  deps.log.info("crank loop stopped");
}

async function recordWalletBalance(deps: CrankDeps, config: CrankConfig): Promise<void> {
  try {
    // The crank's connection gives up after --rpc-timeout (crankDeps' timedConnection).
    deps.metrics.recordWalletLamports(
      await deps.connection.getBalance(config.crank.publicKey, "confirmed"),
    );
  } catch (err) {
    // The gauge keeps its last reading; an unreachable RPC node shows in the cycle's outcome.
    deps.log.warn({ err: (err as Error).message }, "could not read the crank wallet's balance");
  }
}
