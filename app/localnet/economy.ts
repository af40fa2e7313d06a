/**
 * The whole local economy on the embedded validator, in one process: the validator, the USDC and
 * $ASHAO mints, an initialised treasury with its price guard on the local $ASHAO/USD feed, a
 * seeded test-AMM pool behind the local Jupiter-shaped server, the feed's publisher, the API with
 * the dashboard, the buyback crank on an interval and the simulator of revenue and stakers.
 * `ashao localnet` runs it; the dashboard's browser test can too.
 */
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import pino, { type Logger } from "pino";

import {
  type CrankConfig,
  type CrankDeps,
  crankDeps,
  DEFAULT_MAX_ACCOUNTS_LADDER,
  DEFAULT_TIMEOUTS,
  runCrankLoop,
} from "../crank/src";
import { buildDashboard } from "../dashboard/build";
import {
  createJupiterLocalServer,
  seedLocalVenue,
  TEST_AMM_PROGRAM_ID,
} from "../jupiter-local/src";
import type { JupiterLocalServer, LocalVenue } from "../jupiter-local/src";
import { type ApiServer, startApiServer } from "../server/src";
import { Simulator } from "../simulator/src/simulator";
import {
  ASHAO_TREASURY_PROGRAM_ID as treasuryProgramId,
  fetchTreasuryOrThrow,
  initializeIx,
  MIN_BUYBACK_INTERVAL_SECS,
  MIN_STREAM_PERIOD_SECS,
  MIN_TIMELOCK_SECS,
  MIN_UNSTAKE_COOLDOWN_SECS,
  sendAndConfirm,
  treasuryAccounts,
  type TreasuryAccounts,
  type TreasuryParams,
  treasuryProgram,
  type TreasuryProgram,
} from "../sdk/src";
import { LOCAL_PRICE_GUARD, LocalPriceFeed } from "./price-feed";
import { createAshaoMint, createUsdcMint, fundedTokenAccount, type LocalMint } from "./tokens";
import { type LocalValidator, startValidator } from "./validator";

export interface LocalEconomyOptions {
  /** 0 (default for tests) picks free ports. */
  rpcPort?: number;
  wsPort?: number;
  /** Run the simulator of revenue and stakers (default true). */
  simulate?: boolean;
  simulatorStepMs?: number;
  /** Run the buyback crank in a loop (default true). */
  crank?: boolean;
  crankIntervalSecs?: number;
  /** Serve the API and the dashboard (default true) on this port (0, the default: a free one). */
  api?: boolean;
  apiPort?: number;
  /** The indexer's store (default: in memory). */
  database?: string;
  /** Start the validator with `--allow-program-state-writes` (scale harnesses seed positions). */
  allowProgramStateWrites?: boolean;
  /** One line per stage of the start-up and per notable event. */
  progress?: (line: string) => void;
}

export interface LocalEconomy {
  validator: LocalValidator;
  program: TreasuryProgram;
  accounts: TreasuryAccounts;
  /** The treasury's authority: the programs' upgrade authority, the only key that may initialise. */
  authority: Keypair;
  crank: Keypair;
  /** The network's billing service: a billing authority holding USDC to settle usage. */
  billing: Keypair;
  usdc: LocalMint;
  ashao: LocalMint;
  venue: LocalVenue;
  /** The $ASHAO/USD feed the price guard reads: the pool's price, following the chain's slots. */
  priceFeed: LocalPriceFeed;
  jupiter: JupiterLocalServer;
  simulator?: Simulator;
  api?: ApiServer;
  /** The crank's configuration on this economy (whether or not its loop runs). */
  crankConfig: CrankConfig;
  /** A crank on this economy, refreshing the price through `priceFeed` when it is too old. */
  crankDeps(config?: CrankConfig, log?: Logger): CrankDeps;
  /**
   * Stops everything started, in reverse order (the validator last), within about 4 s whatever
   * is already gone; safe to call twice.
   */
  stop(): Promise<void>;
}

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
/**
 * How long the validator's clients (simulator, API, crank, venue, price publisher) have to stop,
 * together; the validator then has its own grace (app/localnet/validator.ts). A part past it is
 * left behind (the process is ending) and the sequence goes on.
 */
const CLIENTS_STOP_BUDGET_MS = 2_000;
const VALIDATOR = "the validator";

/**
 * Localnet parameters: the program's floors where they exist (an hour's stream and cooldown, a
 * buyback a minute, a timelock of the cooldown plus the day's reaction window: 25 hours), so
 * the economy moves fast enough to watch; buybacks held to the local feed within 1% slippage.
 */
export function localnetParams(crank: PublicKey, billing: PublicKey): TreasuryParams {
  return {
    streamPeriodSecs: MIN_STREAM_PERIOD_SECS,
    unstakeCooldownSecs: MIN_UNSTAKE_COOLDOWN_SECS,
    boostTiers: [
      { minStake: 1_000n * ASHAO, boostBps: 500 },
      { minStake: 10_000n * ASHAO, boostBps: 1_500 },
    ],
    maxBuybackUsdc: 250n * USDC,
    minBuybackIntervalSecs: MIN_BUYBACK_INTERVAL_SECS,
    maxSlippageBps: 100,
    swapProgram: TEST_AMM_PROGRAM_ID,
    cranks: [crank],
    priceGuard: LOCAL_PRICE_GUARD,
    timelockSecs: MIN_TIMELOCK_SECS,
    billingAuthorities: [billing],
  };
}

export async function startLocalEconomy(options: LocalEconomyOptions = {}): Promise<LocalEconomy> {
  const progress = options.progress ?? (() => undefined);
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const deadline = Date.now() + CLIENTS_STOP_BUDGET_MS;
    for (const { name, stop: stopOne } of stops.reverse()) {
      progress(`stopping ${name}`);
      // The validator stops itself within its grace; the others are bounded together, so a part
      // whose peer is already gone cannot hold up the rest.
      const limitMs = name === VALIDATOR ? undefined : Math.max(deadline - Date.now(), 0);
      const stopping = stopOne().then(
        () => "stopped",
        (err: unknown) => `failed: ${String(err).split("\n")[0]}`,
      );
      const outcome =
        limitMs === undefined
          ? await stopping
          : await Promise.race([
              stopping,
              new Promise<string>((resolve) =>
                setTimeout(
                  resolve,
                  limitMs,
                  `did not stop within ${limitMs} ms: left behind`,
                ).unref(),
              ),
            ]);
      if (outcome !== "stopped") progress(`stopping ${name}: ${outcome}`);
    }
  };

  try {
    progress("starting the local validator");
    const validator = await startValidator({
      rpcPort: options.rpcPort || undefined,
      wsPort: options.wsPort || (options.rpcPort ? options.rpcPort + 1 : undefined),
      allowProgramStateWrites: options.allowProgramStateWrites,
    });
    stops.push({ name: VALIDATOR, stop: () => validator.stop() });
    const connection = validator.connection;

    // Only the upgrade authority may initialise the treasury; it also creates the mints, seeds
    // the pool and funds the simulator.
    const authority = validator.upgradeAuthority;
    const crank = Keypair.generate();
    const billing = Keypair.generate();
    for (const keypair of [authority, crank, billing]) {
      const signature = await connection.requestAirdrop(
        keypair.publicKey,
        1_000 * LAMPORTS_PER_SOL,
      );
      await connection.confirmTransaction(
        { signature, ...(await connection.getLatestBlockhash("confirmed")) },
        "confirmed",
      );
    }

    progress("creating the USDC (6 decimals) and $ASHAO (9 decimals) mints");
    const usdc = await createUsdcMint(connection, authority);
    const ashao = await createAshaoMint(connection, authority);

    progress("initialising the treasury");
    const program = treasuryProgram(connection);
    await sendAndConfirm(
      connection,
      [
        await initializeIx(program, {
          authority: authority.publicKey,
          usdcMint: usdc.mint,
          ashaoMint: ashao.mint,
          ashaoTokenProgram: ashao.tokenProgram,
          params: localnetParams(crank.publicKey, billing.publicKey),
        }),
      ],
      { keypairs: [authority] },
    );
    const accounts = treasuryAccounts(program.programId, await fetchTreasuryOrThrow(program));
    await fundedTokenAccount(connection, authority, usdc, billing.publicKey, 1_000_000n * USDC);

    progress("seeding the USDC/$ASHAO pool of the test AMM (1,000,000 USDC : 50,000,000 $ASHAO)");
    const venue = await seedLocalVenue({
      connection,
      payer: authority,
      mintA: usdc.mint,
      mintB: ashao.mint,
      amountA: 1_000_000n * USDC,
      amountB: 50_000_000n * ASHAO,
    });
    progress("publishing the $ASHAO/USD price (the pool's) for the price guard");
    const priceFeed = new LocalPriceFeed({
      connection,
      venue,
      usdcMint: usdc.mint,
      writeAuthority: authority.publicKey,
      onError: (err) => progress(`price publisher: ${String(err)}`),
    });
    await priceFeed.publish();
    priceFeed.startFollowing();
    stops.push({ name: "the price publisher", stop: () => priceFeed.stopFollowing() });

    progress("starting the Jupiter-compatible venue server");
    const jupiter = await createJupiterLocalServer({ connection, pools: [venue], port: 0 });
    stops.push({ name: "the venue server", stop: () => jupiter.close() });

    const crankConfig = localCrankConfig(
      validator,
      crank,
      jupiter.url,
      priceFeed,
      options.crankIntervalSecs,
    );
    const localCrankDeps = (config = crankConfig, log?: Logger): CrankDeps => ({
      ...crankDeps(config, log),
      priceUpdater: priceFeed,
    });
    if (options.crank ?? true) {
      progress(`starting the buyback crank (a cycle every ${crankConfig.intervalSecs} s)`);
      const log = pino(
        { base: { component: "crank" } },
        pino.destination({ dest: 1, sync: false }),
      );
      const abort = new AbortController();
      const running = runCrankLoop(localCrankDeps(crankConfig, log), crankConfig, abort.signal);
      stops.push({
        name: "the crank",
        stop: async () => {
          abort.abort();
          await running;
        },
      });
    }

    let api: ApiServer | undefined;
    if (options.api ?? true) {
      progress("building the dashboard and starting the API (snapshot, indexer)");
      api = await startApiServer({
        rpcUrl: validator.rpcUrl,
        wsUrl: validator.wsUrl,
        // The local validator's URLs carry no key: the page may use them.
        publicRpcUrl: validator.rpcUrl,
        publicWsUrl: validator.wsUrl,
        port: options.apiPort ?? 0,
        database: options.database,
        staticDir: await buildDashboard(),
      });
      const server = api;
      stops.push({ name: "the API", stop: () => server.close() });
      await server.ready;
    }

    let simulator: Simulator | undefined;
    if (options.simulate ?? true) {
      progress("funding the simulated revenue source, workers and stakers");
      simulator = new Simulator({
        connection,
        program,
        accounts,
        usdc,
        ashao,
        funder: authority,
        billing,
        stepMs: options.simulatorStepMs,
        log: progress,
      });
      await simulator.setUp();
      const abort = new AbortController();
      const running = simulator.run(abort.signal);
      stops.push({
        name: "the simulator",
        stop: async () => {
          abort.abort();
          await running;
        },
      });
    }

    return {
      validator,
      program,
      accounts,
      authority,
      crank,
      billing,
      usdc,
      ashao,
      venue,
      priceFeed,
      jupiter,
      simulator,
      api,
      crankConfig,
      crankDeps: localCrankDeps,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The crank on this economy: the local venue as Jupiter, the local feed's account, the localnet
 * treasury's limits; a cycle every 15 s, so a buyback follows soon after each 60 s interval.
 */
function localCrankConfig(
  validator: LocalValidator,
  crank: Keypair,
  jupiterBaseUrl: string,
  priceFeed: LocalPriceFeed,
  intervalSecs = 15,
): CrankConfig {
  return {
    rpcUrl: validator.rpcUrl,
    wsUrl: validator.wsUrl,
    programId: treasuryProgramId,
    crank,
    jupiterBaseUrl,
    slippageBps: 50,
    maxPriceImpactBps: 100,
    minBuybackUsdc: 1n * USDC,
    priorityFeeMicroLamports: 1_000,
    computeUnitLimit: 400_000,
    intervalSecs,
    maxAttempts: 3,
    maxTransactionBytes: 1232,
    maxAccountsLadder: DEFAULT_MAX_ACCOUNTS_LADDER,
    priceUpdate: priceFeed.address,
    ...DEFAULT_TIMEOUTS,
    dryRun: false,
  };
}
