/** `loop` mode: a cycle every `intervalSecs` until the signal aborts; one failure is not fatal. */
import { delayUnlessAborted } from "../../util/delay";
import type { CrankConfig } from "./config";
import { type CrankDeps, runCrankCycle } from "./cycle";

export async function runCrankLoop(
  deps: CrankDeps,
  config: CrankConfig,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await runCrankCycle(deps, config);
    } catch {
      // runCrankCycle logged and counted it; the next cycle starts from the chain's state.
    }
    await delayUnlessAborted(config.intervalSecs * 1000, signal);
  }
  deps.log.info("crank loop stopped");
}
