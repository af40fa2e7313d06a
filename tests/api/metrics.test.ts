/**
 * The metrics an on-call operator pages on, against the local economy: the API's treasury
 * figures equal the chain's (a vault short of what it owes reads negative), the oracle's and the
 * last buyback's ages follow the chain's clock, the RPC node's slot moves on a timer, the
 * indexer's lag is told in seconds; `--metrics-listen` moves `/metrics` off the public port; the
 * crank loop serves its own (cycles by outcome, the last failure's reason, its wallet's SOL);
 * every metric the alert rules and the Grafana dashboard name is exported by one of them.
 */
import { readFileSync } from "fs";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import type { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import pino from "pino";

import { type CrankConfig, runCrankCycle, runCrankLoop } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock, freePort, setAccount } from "../../app/localnet/validator";
import {
  decodePriceUpdateV2,
  fetchTreasuryOrThrow,
  pythPriceFeedAccount,
  stake,
} from "../../app/sdk/src";
import { type ApiServer, startApiServer } from "../../app/server/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { type Sample, samplesOf, scrape, valueOf } from "../utils/prometheus";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
const REPO = join(__dirname, "../..");
const silent = pino({ level: "silent" });

describe("metrics an on-call operator pages on (API and crank)", function () {
  this.timeout(180_000);
  let economy: LocalEconomy;
  let proxy: RpcFaultProxy;
  let api: ApiServer;
  let staker: Keypair;
  /** Every metric the API and the crank declared, for the last test. */
  const exported = new Set<string>();

  const apiMetrics = () => scrape(api.metricsUrl!, exported);
  /** A scrape once `ready` holds of it. */
  const apiMetricsWhen = (
    what: string,
    ready: (samples: Sample[]) => boolean,
    timeoutMs?: number,
  ) =>
    waitFor(
      what,
      async () => {
        const samples = await apiMetrics();
        return ready(samples) ? samples : undefined;
      },
      timeoutMs,
    );
  const chainFigures = async () => {
    const { connection } = economy.validator;
    const usdcProgram = economy.usdc.tokenProgram;
    return {
      state: await fetchTreasuryOrThrow(economy.program),
      buybackVault: await tokenBalance(connection, economy.accounts.buybackVault, usdcProgram),
      rewardsVault: await tokenBalance(connection, economy.accounts.rewardsVault, usdcProgram),
    };
  };

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    // The API reads through a proxy that can fail its calls; notifications come directly.
    proxy = new RpcFaultProxy(economy.validator.rpcUrl);
    await proxy.start();
    api = await startApiServer({
      rpcUrl: proxy.url,
      wsUrl: economy.validator.wsUrl,
      metricsListen: { host: "127.0.0.1", port: 0 },
    });
    staker = await fundedWallet(economy, 5_000n * ASHAO);
  });

  after(async () => {
    await api?.close();
    await proxy?.stop();
    await economy?.stop();
  });

  it("serves the bucket, the stake, rewards owed and each vault's surplus as the chain holds them", async () => {
    await payRevenue(economy, 1_000n * USDC);
    await stake(economy.program, new Wallet(staker), 2_000n * ASHAO);
    await advanceClock(economy.validator.connection, 61);
    const bought = await runCrankCycle(economy.crankDeps(undefined, silent), economy.crankConfig);
    expect(bought.status).to.equal("bought");
    await payRevenue(economy, 301n * USDC + 1n);

    const { state, buybackVault, rewardsVault } = await chainFigures();
    const usdc = (units: bigint) => Number(units) / 1e6;
    const owed = state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed;
    const samples = await apiMetricsWhen(
      "the metrics at the chain's figures",
      (s) =>
        valueOf(s, "ashao_buyback_bucket_usdc") === usdc(state.buybackBucket) &&
        valueOf(s, "ashao_rewards_owed_usdc") === usdc(owed),
    );
    expect(valueOf(samples, "ashao_staked_ashao")).to.equal(Number(state.totalStaked) / 1e9);
    expect(valueOf(samples, "ashao_unstaking_ashao")).to.equal(0);
    expect(valueOf(samples, "ashao_stakers")).to.equal(state.stakerCount);
    expect(valueOf(samples, "ashao_treasury_paused")).to.equal(0);
    expect(valueOf(samples, "ashao_buyback_min_interval_seconds")).to.equal(60);
    const vault = (name: string, vaultName: string) => valueOf(samples, name, { vault: vaultName });
    expect(vault("ashao_vault_balance_usdc", "buyback")).to.equal(usdc(buybackVault));
    expect(vault("ashao_vault_owed_usdc", "buyback")).to.equal(usdc(state.buybackBucket));
    expect(vault("ashao_vault_surplus_usdc", "buyback")).to.equal(
      usdc(buybackVault - state.buybackBucket),
    );
    expect(vault("ashao_vault_balance_usdc", "rewards")).to.equal(usdc(rewardsVault));
    expect(vault("ashao_vault_surplus_usdc", "rewards")).to.equal(usdc(rewardsVault - owed));
    // Node's process metrics beside them.
    expect(valueOf(samples, "process_resident_memory_bytes")).to.be.greaterThan(0);
    expect(samplesOf(samples, "nodejs_eventloop_lag_p99_seconds")).to.have.length(1);
  });

  it("a vault holding less than it owes reads as a negative surplus", async () => {
    const { connection } = economy.validator;
    const { rewardsVault } = economy.accounts;
    const original = (await connection.getAccountInfo(rewardsVault, "confirmed"))!;
    const { state } = await chainFigures();
    const owed = state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed;
    // The token account's amount (u64 at byte 64) set 5 USDC below what the vault owes.
    const data = Buffer.from(original.data);
    data.writeBigUInt64LE(owed - 5n * USDC, 64);
    await setAccount(connection, rewardsVault, { ...original, data });
    try {
      const samples = await apiMetricsWhen(
        "the rewards vault's surplus to go negative",
        (s) => (valueOf(s, "ashao_vault_surplus_usdc", { vault: "rewards" }) ?? 0) < 0,
      );
      expect(valueOf(samples, "ashao_vault_surplus_usdc", { vault: "rewards" })).to.equal(-5);
    } finally {
      await setAccount(connection, rewardsVault, original);
    }
    await apiMetricsWhen(
      "the rewards vault's surplus back at 0",
      (s) => valueOf(s, "ashao_vault_surplus_usdc", { vault: "rewards" }) === 0,
    );
  });

  it("the oracle price's and the last buyback's ages follow the chain's clock", async () => {
    // The local publisher stops, so the price ages as a feed nobody updates would.
    await economy.priceFeed.stopFollowing();
    const { connection } = economy.validator;
    const { state } = await chainFigures();
    const before = await apiMetrics();
    const chainBefore = valueOf(before, "ashao_chain_time_seconds")!;
    await advanceClock(connection, 600);
    const samples = await apiMetricsWhen(
      "the chain's clock 600 s on",
      (s) => valueOf(s, "ashao_chain_time_seconds")! >= chainBefore + 600,
    );
    const chainTime = valueOf(samples, "ashao_chain_time_seconds")!;
    const oracle = decodePriceUpdateV2(
      (await connection.getAccountInfo(pythPriceFeedAccount(economy.priceFeed.feedId)))!.data,
    )!;
    expect(valueOf(samples, "ashao_oracle_price_age_seconds")).to.equal(
      chainTime - Number(oracle.publishTime),
    );
    expect(valueOf(samples, "ashao_oracle_max_age_seconds")).to.equal(
      state.priceGuard.kind === "pythPull" ? state.priceGuard.maxAgeSecs : -1,
    );
    // Stale, as AshaoOracleStale sees it.
    expect(valueOf(samples, "ashao_oracle_price_age_seconds")).to.be.greaterThan(
      valueOf(samples, "ashao_oracle_max_age_seconds")!,
    );
    expect(valueOf(samples, "ashao_last_buyback_age_seconds")).to.equal(
      chainTime - Number(state.lastBuybackTs),
    );
    expect(valueOf(samples, "ashao_last_buyback_age_seconds")).to.be.at.least(600);
    economy.priceFeed.startFollowing();
  });

  it("reads the RPC node's slot on a timer, with no /healthz asked", async () => {
    const first = await apiMetricsWhen(
      "an RPC slot",
      (s) => valueOf(s, "ashao_rpc_slot") !== undefined,
    );
    const slot = valueOf(first, "ashao_rpc_slot")!;
    const later = await apiMetricsWhen(
      "the RPC slot to move",
      (s) => valueOf(s, "ashao_rpc_slot")! > slot,
      15_000,
    );
    expect(valueOf(later, "ashao_rpc_up")).to.equal(1);
    expect(samplesOf(later, "ashao_api_requests_total", { route: "/healthz" })).to.deep.equal([]);
  });

  it("tells the indexer's lag in seconds while it cannot read, and 0 once it caught up", async () => {
    for (let i = 0; i < 1_000; i++) proxy.failNext("getSignaturesForAddress", "unavailable");
    const events = valueOf(await apiMetrics(), "ashao_indexer_events")!;
    await payRevenue(economy, 7n * USDC);
    const behind = await apiMetricsWhen(
      "the indexer 2 s behind",
      (s) => valueOf(s, "ashao_indexer_lag_seconds")! >= 2,
    );
    expect(valueOf(behind, "ashao_indexer_lag_slots")).to.be.greaterThan(0);
    expect(valueOf(behind, "ashao_indexer_events")).to.equal(events);
    proxy.clearFaults("getSignaturesForAddress");
    const caughtUp = await apiMetricsWhen(
      "the indexer caught up",
      (s) =>
        valueOf(s, "ashao_indexer_lag_seconds") === 0 &&
        valueOf(s, "ashao_indexer_events")! > events,
    );
    expect(valueOf(caughtUp, "ashao_indexer_lag_slots")).to.equal(0);
  });

  it("--metrics-listen moves /metrics off the public port and out of the OpenAPI document", async () => {
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).to.equal(404);
    expect(((await response.json()) as { error: string }).error).to.equal("NotFound");
    const doc = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).to.not.include("/metrics");
    expect(api.metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(valueOf(await apiMetrics(), "ashao_snapshot_slot")).to.be.greaterThan(0);
  });

  describe("the crank loop's metrics", () => {
    /** Runs the loop with `config` until `until` holds of a scrape of its metrics. */
    async function runLoopUntil(
      config: CrankConfig,
      what: string,
      until: (samples: Sample[]) => boolean,
    ): Promise<Sample[]> {
      const abort = new AbortController();
      const running = runCrankLoop(economy.crankDeps(config, silent), config, abort.signal);
      const url = `http://127.0.0.1:${config.metricsListen!.port}/metrics`;
      try {
        return await waitFor(
          what,
          async () => {
            const samples = await scrape(url, exported).catch(() => undefined);
            return samples && until(samples) ? samples : undefined;
          },
          30_000,
        );
      } finally {
        abort.abort();
        await running;
        // Stopped with the loop.
        await fetch(url).then(
          () => expect.fail("the metrics server outlived the loop"),
          () => undefined,
        );
      }
    }

    it("counts a buyback, its USDC and $ASHAO, and reads the wallet's SOL", async () => {
      const config: CrankConfig = {
        ...economy.crankConfig,
        intervalSecs: 1,
        metricsListen: { host: "127.0.0.1", port: await freePort() },
      };
      await payRevenue(economy, 200n * USDC);
      await advanceClock(economy.validator.connection, 61);
      const before = await fetchTreasuryOrThrow(economy.program);
      const samples = await runLoopUntil(
        config,
        "a buyback counted and the wallet read",
        (s) =>
          valueOf(s, "ashao_crank_cycles_total", { outcome: "bought" }) === 1 &&
          valueOf(s, "ashao_crank_wallet_lamports") !== undefined,
      );
      const after = await fetchTreasuryOrThrow(economy.program);
      expect(after.buybackCount).to.equal(before.buybackCount + 1n);
      expect(valueOf(samples, "ashao_crank_buybacks_total")).to.equal(1);
      expect(valueOf(samples, "ashao_crank_usdc_spent_total")).to.equal(
        Number(after.totalBuybackUsdcSpent - before.totalBuybackUsdcSpent) / 1e6,
      );
      expect(valueOf(samples, "ashao_crank_ashao_burned_total")).to.equal(
        Number(after.totalAshaoBurned - before.totalAshaoBurned) / 1e9,
      );
      expect(valueOf(samples, "ashao_crank_last_cycle_failed", { reason: "none" })).to.equal(0);
      expect(samplesOf(samples, "ashao_crank_last_cycle_failed")).to.have.length(1);
      expect(valueOf(samples, "ashao_crank_wallet_lamports")).to.equal(
        await economy.validator.connection.getBalance(economy.crank.publicKey, "confirmed"),
      );
      expect(valueOf(samples, "ashao_crank_cycle_duration_seconds_count")).to.be.at.least(1);
      expect(valueOf(samples, "process_cpu_seconds_total")).to.be.greaterThan(0);
    });

    it("says a failing cycle failed and why, by the named reason", async () => {
      const closed = await freePort();
      const config: CrankConfig = {
        ...economy.crankConfig,
        jupiterBaseUrl: `http://127.0.0.1:${closed}`,
        maxAttempts: 1,
        intervalSecs: 1,
        metricsListen: { host: "127.0.0.1", port: await freePort() },
      };
      await payRevenue(economy, 200n * USDC);
      await advanceClock(economy.validator.connection, 61);
      const samples = await runLoopUntil(config, "a failed cycle", (s) =>
        Boolean(valueOf(s, "ashao_crank_cycles_total", { outcome: "failed" })),
      );
      expect(samplesOf(samples, "ashao_crank_last_cycle_failed")).to.deep.equal([
        {
          name: "ashao_crank_last_cycle_failed",
          labels: { reason: "venue-unreachable" },
          value: 1,
        },
      ]);
      expect(
        valueOf(samples, "ashao_crank_failures_total", { reason: "venue-unreachable" }),
      ).to.be.at.least(1);
    });
  });

  describe("the alert rules and the Grafana dashboard", () => {
    it("exports every metric the alert rules and the Grafana dashboard name", () => {
      const named = new Set<string>();
      for (const file of ["ops/prometheus/alerts.yml", "ops/grafana/ashao-treasury.json"]) {
        const text = readFileSync(join(REPO, file), "utf8");
        for (const [name] of text.matchAll(/\b(ashao|process|nodejs)_[a-z0-9_]+/g)) named.add(name);
      }
      // A histogram's series carry suffixes its declared name does not.
      const unexported = [...named].filter(
        (name) => !exported.has(name.replace(/_(bucket|count|sum)$/, "")),
      );
      expect(named.size).to.be.greaterThan(20);
      expect(unexported).to.deep.equal([]);
    });
  });
});
