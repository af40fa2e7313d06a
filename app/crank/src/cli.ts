/**
 * `ashao crank once|loop [--dry-run] [--<setting> value ...]`: the buyback-and-burn crank. Its
 * settings come from flags, else the environment (`.env.example`); the cluster and the key from
 * the global flags. Exit codes follow the shared table (app/util/exit-codes.ts): 0 bought or
 * nothing to do, 2 bad settings, 3 the RPC node, the swap API or Hermes did not answer (or a
 * sent buyback's fate is unknown), 4 refused by a check or the program (`FAILURE_EXIT`).
 */
import { EXIT, type ExitCode } from "../../util/exit-codes";
import { type CrankCluster, crankConfigFrom } from "./config";
import { crankDeps } from "./crank";
import { runCrankCycle } from "./cycle";
import { CrankConfigError, CrankError, FAILURE_EXIT } from "./errors";
import { runCrankLoop } from "./loop";
import type { CrankFlags } from "./settings";

export async function runCrank(
  mode: "once" | "loop",
  flags: CrankFlags,
  cluster: CrankCluster,
  env: NodeJS.ProcessEnv,
): Promise<ExitCode> {
  let config;
  try {
    config = crankConfigFrom(flags, cluster, env);
  } catch (err) {
    if (!(err instanceof CrankConfigError)) throw err;
    console.error(`error: ${err.message} (ashao crank --help lists the settings)`);
    return EXIT.usage;
  }
  const deps = crankDeps(config);
  if (mode === "loop") {
    const stop = new AbortController();
    const abort = () => stop.abort();
    process.once("SIGINT", abort);
    process.once("SIGTERM", abort);
    await runCrankLoop(deps, config, stop.signal);
    return EXIT.ok;
  }
  try {
    await runCrankCycle(deps, config);
    return EXIT.ok;
  } catch (err) {
    // runCrankCycle logged it, with its reason.
    return err instanceof CrankError ? FAILURE_EXIT[err.reason] : EXIT.internal;
  }
}
