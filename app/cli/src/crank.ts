/**
 * `ashao crank once|loop`: the crank's cluster and key from the global flags, resolved as
 * solana-cli does, with the crank's own environment variables as fallbacks (`ASHAO_CRANK_KEYPAIR`,
 * `ASHAO_RPC_TIMEOUT_SECS`), then its settings (app/crank/src/settings.ts).
 */
import { resolveCluster } from "../../util/solana-config";
import { ASHAO_TREASURY_PROGRAM_ID } from "../../sdk/src";
import {
  CRANK_KEYPAIR_ENV,
  CRANK_SETTINGS,
  type CrankFlags,
  type CrankSetting,
  runCrank,
} from "../../crank/src";
import { camelCase } from "./admin-flags";
import type { GlobalOptions } from "./options";
import { parseAddress } from "./parse";

export async function runCrankCommand(
  mode: "once" | "loop",
  opts: Record<string, unknown>,
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const settings = await resolveCluster(globals, env, CRANK_KEYPAIR_ENV);
  const programText = globals.programId ?? (env.ASHAO_PROGRAM_ID || undefined);
  const flags: CrankFlags = { "dry-run": opts.dryRun === true };
  for (const setting of Object.keys(CRANK_SETTINGS) as CrankSetting[]) {
    const value = opts[camelCase(setting)];
    if (typeof value === "string") flags[setting] = value;
  }
  return runCrank(
    mode,
    flags,
    {
      rpcUrl: settings.rpcUrl,
      wsUrl: settings.wsUrl,
      keypairPath: settings.keypairPath,
      programId: programText
        ? parseAddress("--program-id", programText)
        : ASHAO_TREASURY_PROGRAM_ID,
      rpcTimeoutSecs: globals.rpcTimeout,
    },
    env,
  );
}
