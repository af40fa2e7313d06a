/**
 * `ashao crank once|loop [--dry-run] [flags]`: the buyback-and-burn crank. Flags override the
 * environment (see `.env.example`); exit codes: 0 bought or nothing to do, 1 the cycle failed,
 * 2 bad configuration, 3 the RPC node, Jupiter or Hermes could not be reached, 4 the price guard
 * would refuse the buyback (the oracle's price unusable, or the quote below its floor).
 */
import { parseArgs } from "node:util";

import { type CrankFlags, CRANK_SETTINGS, crankConfigFrom } from "./config";
import { crankDeps } from "./crank";
import { runCrankCycle } from "./cycle";
import { CrankConfigError, CrankError, PRICE_GUARD_FAILURES } from "./errors";
import { runCrankLoop } from "./loop";

export const CRANK_USAGE = `usage: ashao crank once|loop [--dry-run] [--<setting> value ...]

  once      one buyback cycle, then exit
  loop      a cycle every --interval-secs until SIGINT/SIGTERM
  --dry-run quote, build and simulate; never send

settings (flag / environment variable):
${Object.entries(CRANK_SETTINGS)
  .map(([flag, env]) => `  --${flag.padEnd(22)} ${env}`)
  .join("\n")}

exit codes: 0 ok or nothing to do, 1 cycle failed, 2 bad configuration,
  3 RPC, Jupiter or Hermes unreachable, 4 the price guard would refuse (oracle-*, quote-below-oracle)`;

export const EXIT = { ok: 0, failed: 1, config: 2, unreachable: 3, priceGuard: 4 } as const;

const UNREACHABLE: ReadonlySet<string> = new Set([
  "rpc-unreachable",
  "venue-unreachable",
  "hermes-unreachable",
]);

function parseCrankArgs(argv: string[]): { mode: string; flags: CrankFlags } {
  const options = Object.fromEntries(
    Object.keys(CRANK_SETTINGS).map((flag) => [flag, { type: "string" as const }]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { ...options, "dry-run": { type: "boolean" } },
    });
  } catch (err) {
    throw new CrankConfigError((err as Error).message);
  }
  const [mode, ...extra] = parsed.positionals;
  if (mode !== "once" && mode !== "loop") {
    throw new CrankConfigError(`expected "once" or "loop" (got ${mode ?? "nothing"})`);
  }
  if (extra.length > 0) throw new CrankConfigError(`unexpected argument ${extra[0]}`);
  return { mode, flags: parsed.values as CrankFlags };
}

/** Runs the crank as the command line asks; resolves to the process exit code. */
export async function crankCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let mode: string;
  let config;
  try {
    const args = parseCrankArgs(argv);
    mode = args.mode;
    config = crankConfigFrom(args.flags, env);
  } catch (err) {
    if (!(err instanceof CrankConfigError)) throw err;
    console.error(`error: ${err.message} (ashao crank --help lists the settings)`);
    return EXIT.config;
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
    if (err instanceof CrankError) {
      if (UNREACHABLE.has(err.reason)) return EXIT.unreachable;
      return PRICE_GUARD_FAILURES.has(err.reason) ? EXIT.priceGuard : EXIT.failed;
    }
    deps.log.error({ err }, "crank failed");
    return EXIT.failed;
  }
}

if (require.main === module) {
  crankCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(EXIT.failed);
    },
  );
}
