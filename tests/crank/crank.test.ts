/**
 * The crank against the local economy: the treasury, the seeded test-AMM pool and the
 * Jupiter-shaped venue, reached through the real @jup-ag/api client. End to end, dry run, the
 * price-impact limit, the byte budget, and the faults: the venue down, the RPC failing mid-cycle,
 * a lost transaction whose blockhash expires. After each, nothing is lost and the next run works.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Writable } from "stream";

import { getMint } from "@solana/spl-token";
import { expect } from "chai";
import pino from "pino";

import {
  type CrankConfig,
  crankCommand,
  crankDeps,
  CrankError,
  type CrankDeps,
  runCrankCycle,
} from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock, freePort } from "../../app/localnet/validator";
import {
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  sendAndConfirm,
  updateConfigIx,
} from "../../app/sdk/src";
import { payRevenue } from "../utils/economy";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";

const USDC = 1_000_000n;

/** A crank whose JSON log lines are kept for the test to read. */
function capturedCrank(config: CrankConfig): { deps: CrankDeps; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { deps: crankDeps(config, pino({ base: null }, sink)), lines };
}

describe("crank: buyback and burn through the Jupiter-shaped venue", () => {
  let economy: LocalEconomy;
  let base: CrankConfig;

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false });
    // No interval, so every test may buy back; the crank's interval skip has its own test.
    base = { ...economy.crankConfig, intervalSecs: 1 };
  });

  after(async () => {
    await economy?.stop();
  });

  async function snapshot() {
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

  /** Lets the next buyback start: the localnet interval is 20 s. */
  const passInterval = () => advanceClock(economy.validator.connection, 30);

  it("buys back and burns: supply, bucket and totals move by exactly the event's amounts", async () => {
    await payRevenue(economy, 1_000n * USDC);
    const before = await snapshot();
    const { deps } = capturedCrank(base);
    const started = Date.now();
    const result = await runCrankCycle(deps, base);
    const ms = Date.now() - started;
    expect(result.status).to.equal("bought");
    if (result.status !== "bought") return;

    const tx = await economy.validator.connection.getTransaction(result.signature!, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [event] = findTreasuryEvents(economy.program, tx!.meta!.logMessages!, "buybackExecuted");
    const after = await snapshot();
    expect(event.data.crank.equals(economy.crank.publicKey)).to.equal(true);
    expect(after.supply).to.equal(before.supply - event.data.ashaoBurned);
    expect(after.bucket).to.equal(before.bucket - event.data.usdcSpent);
    expect(after.buybackVault).to.equal(after.bucket);
    expect(after.spent).to.equal(event.data.totalBuybackUsdcSpent);
    expect(after.burned).to.equal(event.data.totalAshaoBurned);
    expect(event.data.usdcSpent).to.equal(result.usdcAmount);
    expect(event.data.ashaoBurned >= result.minAshaoOut).to.equal(true);
    expect(result.bytes).to.be.at.most(1232);
    expect(deps.metrics.current.bought).to.equal(1);
    console.log(
      `      one cycle: ${ms} ms, ${result.bytes} bytes, ${result.accounts} accounts, ` +
        `${event.data.usdcSpent} USDC units -> ${event.data.ashaoBurned} $ASHAO units burned`,
    );
  });

  it("skips inside the interval, and while the bucket is below the minimum", async () => {
    const { deps } = capturedCrank(base);
    const inside = await runCrankCycle(deps, base);
    expect(inside).to.deep.include({ status: "skipped" });
    expect(inside.status === "skipped" && inside.reason).to.match(/^interval/);

    await passInterval();
    const bucket = (await snapshot()).bucket;
    const high = await runCrankCycle(deps, { ...base, minBuybackUsdc: bucket + 1n });
    expect(high.status === "skipped" && high.reason).to.match(/below the minimum/);
  });

  it("--dry-run quotes, builds and simulates but moves nothing", async () => {
    await passInterval();
    const before = await snapshot();
    const { deps, lines } = capturedCrank(base);
    const result = await runCrankCycle(deps, { ...base, dryRun: true });
    expect(result.status).to.equal("dry-run");
    expect(lines.map((l) => l.msg)).to.include("simulated");
    expect(await snapshot()).to.deep.equal(before);
  });

  it("refuses a quote over the price-impact limit by name and moves nothing", async () => {
    const before = await snapshot();
    const { deps } = capturedCrank(base);
    let failure: unknown;
    await runCrankCycle(deps, { ...base, maxPriceImpactBps: 1 }).catch((err) => (failure = err));
    expect(failure).to.be.instanceOf(CrankError);
    expect((failure as CrankError).reason).to.equal("price-impact");
    expect(deps.metrics.current.failed).to.deep.equal({ "price-impact": 1 });
    expect(await snapshot()).to.deep.equal(before);
  });

  it("re-quotes with fewer accounts while the transaction is over its byte budget", async () => {
    await passInterval();
    const before = await snapshot();
    const { deps, lines } = capturedCrank(base);
    let failure: unknown;
    await runCrankCycle(deps, { ...base, maxTransactionBytes: 300 }).catch((e) => (failure = e));
    expect((failure as CrankError).reason).to.equal("transaction-too-large");
    const tried = lines.filter((l) => /re-quoting/.test(String(l.msg))).map((l) => l.maxAccounts);
    // The venue's route needs 10 accounts: every rung down to 16 was tried, then no route.
    expect(tried).to.deep.equal([50, 40, 32, 24, 16]);
    expect(await snapshot()).to.deep.equal(before);
  });

  it("the venue down: exit code 3, a clear log line, nothing lost; the next run buys", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ashao-crank-"));
    const keypairFile = join(dir, "crank.json");
    writeFileSync(keypairFile, JSON.stringify(Array.from(economy.crank.secretKey)));
    const statusFile = join(dir, "status.json");
    const env = {
      ASHAO_RPC_URL: economy.validator.rpcUrl,
      ASHAO_WS_URL: economy.validator.wsUrl,
      ASHAO_CRANK_KEYPAIR: keypairFile,
      ASHAO_CRANK_MAX_ATTEMPTS: "2",
      ASHAO_CRANK_STATUS_FILE: statusFile,
    };
    const before = await snapshot();
    const closedPort = await freePort();
    const down = await crankCommand(
      ["once", "--jupiter-url", `http://127.0.0.1:${closedPort}`],
      env,
    );
    expect(down).to.equal(3);
    expect(await snapshot()).to.deep.equal(before);

    const up = await crankCommand(["once", "--jupiter-url", economy.jupiter.url], env);
    expect(up).to.equal(0);
    const after = await snapshot();
    expect(after.buybacks).to.equal(before.buybacks + 1n);
    expect(after.supply < before.supply).to.equal(true);

    const venue = ["--jupiter-url", economy.jupiter.url];
    expect(await crankCommand(["once", ...venue, "--slippage-bps", "lots"], env)).to.equal(2);
    expect(await crankCommand(["sometimes"], env)).to.equal(2);
  });

  describe("with the RPC behind a faulty link", () => {
    let proxy: RpcFaultProxy;

    before(async () => {
      proxy = new RpcFaultProxy(economy.validator.rpcUrl);
      await proxy.start();
      await payRevenue(economy, 1_000n * USDC);
    });

    after(async () => proxy?.stop());

    it("sendTransaction failing before the node (503): the same transaction is sent again, lands once", async () => {
      await passInterval();
      const before = await snapshot();
      const config = { ...base, rpcUrl: proxy.url };
      const { deps } = capturedCrank(config);
      proxy.failNext("sendTransaction", "unavailable");
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      expect(result.status === "bought" && result.attempts).to.equal(1);
      const after = await snapshot();
      expect(after.buybacks).to.equal(before.buybacks + 1n);
      expect(after.bucket).to.equal(after.buybackVault);
    });

    it("the reply to sendTransaction lost after the node took it: found landed, never bought twice", async () => {
      // No interval: only the crank itself stands between a lost reply and a second buy.
      const { program, accounts, authority } = economy;
      await sendAndConfirm(
        economy.validator.connection,
        [
          await updateConfigIx(program, accounts, {
            authority: authority.publicKey,
            params: { minBuybackIntervalSecs: 0 },
          }),
        ],
        { keypairs: [authority] },
      );
      const before = await snapshot();
      const config = { ...base, rpcUrl: proxy.url };
      const { deps } = capturedCrank(config);
      proxy.failNext("sendTransaction", "lose-reply");
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      expect(result.status === "bought" && result.attempts).to.equal(1);
      const after = await snapshot();
      expect(after.buybacks).to.equal(before.buybacks + 1n);
      expect(after.supply < before.supply).to.equal(true);
    });

    it("a lost transaction whose blockhash expires: seen not to land, then bought with a new one", async () => {
      await payRevenue(economy, 1_000n * USDC);
      await passInterval();
      const before = await snapshot();
      const config = { ...base, rpcUrl: proxy.url };
      const { deps, lines } = capturedCrank(config);
      // Every send (and resend) is lost until the clock has moved past the blockhash.
      for (let i = 0; i < 1_000; i++) proxy.failNext("sendTransaction", "drop");
      proxy.once("fault", () => {
        void advanceClock(economy.validator.connection, 120).then(() =>
          proxy.clearFaults("sendTransaction"),
        );
      });
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      expect(lines.some((l) => l.reason === "expired" && l.retrying === true)).to.equal(true);
      const after = await snapshot();
      expect(after.buybacks).to.equal(before.buybacks + 1n);
      expect(after.supply < before.supply).to.equal(true);
    });
  });
});
