/**
 * The crank suites' shared harness over a local economy: a crank whose JSON log lines are kept,
 * `ashao crank …` run in-process as the bin runs it, the treasury's figures before and after,
 * and the interval passed with the feed caught up.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Writable } from "stream";

import { getMint } from "@solana/spl-token";
import { expect } from "chai";
import pino from "pino";

import { runCli } from "../../app/cli/src/program";
import { type CrankConfig, crankDeps, CrankError, type CrankDeps } from "../../app/crank/src";
import type { LocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import { fetchTreasuryOrThrow, MIN_BUYBACK_INTERVAL_SECS } from "../../app/sdk/src";

/**
 * A crank whose JSON log lines are kept for the test to read; by default it refreshes a stale
 * price through the local publisher, as `ashao localnet`'s crank does.
 */
export function capturedCrank(
  economy: LocalEconomy,
  config: CrankConfig,
  { refreshesPrice = true } = {},
): { deps: CrankDeps; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  const log = pino({ base: null }, sink);
  const deps = refreshesPrice ? economy.crankDeps(config, log) : crankDeps(config, log);
  return { deps, lines };
}

/** The cycle's failure, which must be a `CrankError`. */
export async function failureOf(run: Promise<unknown>): Promise<CrankError> {
  let failure: unknown;
  await run.catch((err: unknown) => (failure = err));
  expect(failure, "the cycle succeeded").to.be.instanceOf(CrankError);
  return failure as CrankError;
}

/** `ashao crank …` in-process, as the bin runs it; resolves to the exit code. */
export const crankCommand = (args: string[], env: NodeJS.ProcessEnv) =>
  runCli(["crank", ...args], env);

/** The crank's keypair file (owner-only) and an environment for `crankCommand`. */
export function crankEnv(economy: LocalEconomy) {
  const dir = mkdtempSync(join(tmpdir(), "ashao-crank-"));
  const keypairFile = join(dir, "crank.json");
  writeFileSync(keypairFile, JSON.stringify(Array.from(economy.crank.secretKey)), {
    mode: 0o600,
  });
  return {
    keypairFile,
    statusFile: join(dir, "status.json"),
    env: {
      ASHAO_RPC_URL: economy.validator.rpcUrl,
      ASHAO_WS_URL: economy.validator.wsUrl,
      ASHAO_CRANK_KEYPAIR: keypairFile,
      ASHAO_CRANK_MAX_ATTEMPTS: "2",
      ASHAO_CRANK_STATUS_FILE: join(dir, "status.json"),
      JUPITER_BASE_URL: economy.jupiter.url,
    } as NodeJS.ProcessEnv,
  };
}

/** The treasury's buyback figures and the $ASHAO supply. */
export async function buybackSnapshot(economy: LocalEconomy) {
  const { connection } = economy.validator;
  const state = await fetchTreasuryOrThrow(economy.program);
  return {
    bucket: state.buybackBucket,
    buybackVault: await tokenBalance(connection, economy.accounts.buybackVault),
    spent: state.totalBuybackUsdcSpent,
    burned: state.totalAshaoBurned,
    buybacks: state.buybackCount,
    supply: (await getMint(connection, economy.ashao.mint, "confirmed")).supply,
  };
}

/** Lets the next buyback start (the localnet interval is 60 s), with the feed caught up. */
export async function passInterval(economy: LocalEconomy): Promise<void> {
  await advanceClock(economy.validator.connection, MIN_BUYBACK_INTERVAL_SECS);
  await economy.priceFeed.publish();
}
