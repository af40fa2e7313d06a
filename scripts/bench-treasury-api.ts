/**
 * Benchmark (prints figures; not a test): `npm run bench`.
 *
 * On a live local economy (simulator paying revenue and staking, crank buying back):
 *  1. GET /api/treasury from the snapshot vs a naive handler that reads the chain on every
 *     request, each loaded by autocannon in a separate process on loopback: req/s, p50, p99.
 *  2. How far the snapshot lags the chain: for deposits, slots and ms from the transaction's
 *     confirmation to the snapshot showing it.
 *  3. The indexer's catch-up rate after downtime: a fresh indexer over the whole history.
 */
import { execFile } from "child_process";
import { join } from "path";
import { promisify } from "util";

import Fastify from "fastify";

import { startLocalEconomy } from "../app/localnet/economy";
import { fundedTokenAccount } from "../app/localnet/tokens";
import { EventIndexer, openEventStore } from "../app/server/src";
import {
  depositRevenueIx,
  fetchTreasuryOrThrow,
  sendAndConfirm,
  treasuryFigures,
} from "../app/sdk/src";

const DURATION_SECS = Number(process.env.BENCH_SECS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** Deposits made after the load runs: the first ones are lag samples, all are history. */
const DEPOSITS = Number(process.env.BENCH_DEPOSITS ?? 500);
const LAG_SAMPLES = 20;
const AUTOCANNON = join(__dirname, "../node_modules/.bin/autocannon");

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** autocannon in its own process, so the servers here keep their event loop. */
async function load(url: string): Promise<Load> {
  const { stdout: out } = await promisify(execFile)(
    AUTOCANNON,
    ["-j", "-c", String(CONNECTIONS), "-d", String(DURATION_SECS), url],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const result = JSON.parse(out) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function main() {
  const economy = await startLocalEconomy({ simulatorStepMs: 250, crankIntervalSecs: 2 });
  const { connection } = economy.validator;
  const api = economy.api!;

  // The naive handler: the same figures, read from the chain on every request.
  const naive = Fastify();
  naive.get("/api/treasury", async () => {
    const state = await fetchTreasuryOrThrow(economy.program);
    const { context, value } = await connection.getMultipleAccountsInfoAndContext(
      [state.buybackVault, state.rewardsVault, state.stakeVault],
      "confirmed",
    );
    const supply = await connection.getTokenSupply(state.ashaoMint, "confirmed");
    const balance = (i: number) => BigInt(value[i]?.data.readBigUInt64LE(64) ?? 0n);
    return treasuryFigures({
      programId: economy.program.programId,
      state,
      buybackVaultBalance: balance(0),
      rewardsVaultBalance: balance(1),
      ashaoSupply: BigInt(supply.value.amount),
      nonCirculating: [{ name: "stake vault", address: state.stakeVault, balance: balance(2) }],
      slot: context.slot,
      readAt: new Date(),
    });
  });
  const naiveUrl = await naive.listen({ host: "127.0.0.1", port: 0 });

  console.log(
    `load: ${CONNECTIONS} connections for ${DURATION_SECS} s each, loopback, chain changing`,
  );
  const snapshot = await load(`${api.url}/api/treasury`);
  const chain = await load(`${naiveUrl}/api/treasury`);
  const row = (name: string, l: Load) =>
    `  ${name.padEnd(22)} ${l.rps.toFixed(0).padStart(8)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms   errors ${l.errors + l.non2xx}`;
  console.log(row("snapshot (/api/treasury)", snapshot));
  console.log(row("naive (RPC per request)", chain));
  console.log(`  ratio                  ${(snapshot.rps / chain.rps).toFixed(1)}x requests/s`);

  // Snapshot lag: deposit, then watch the snapshot catch up.
  const source = await fundedTokenAccount(
    connection,
    economy.authority,
    economy.usdc,
    economy.authority.publicKey,
    1_000_000_000n,
  );
  const lags: { slots: number; ms: number }[] = [];
  for (let i = 0; i < DEPOSITS; i++) {
    const signature = await sendAndConfirm(
      connection,
      [
        await depositRevenueIx(economy.program, economy.accounts, {
          payer: economy.authority.publicKey,
          source,
          amount: 1_000_000n + BigInt(i),
        }),
      ],
      { keypairs: [economy.authority] },
    );
    if (i >= LAG_SAMPLES) continue;
    const confirmedAt = Date.now();
    const txSlot = (await connection.getSignatureStatus(signature)).value!.slot;
    while (api.snapshot.slot < txSlot) await new Promise((r) => setTimeout(r, 1));
    const rpcSlot = await connection.getSlot("confirmed");
    lags.push({ slots: Math.max(0, rpcSlot - txSlot), ms: Date.now() - confirmedAt });
  }
  const max = (xs: number[]) => Math.max(...xs);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `snapshot lag over ${lags.length} deposits: mean ${mean(lags.map((l) => l.slots)).toFixed(2)} slots ` +
      `(max ${max(lags.map((l) => l.slots))}), mean ${mean(lags.map((l) => l.ms)).toFixed(1)} ms after confirmation (max ${max(lags.map((l) => l.ms))} ms)`,
  );

  // Catch-up: a fresh indexer (as after downtime) over the whole history.
  const store = await openEventStore("sqlite::memory:");
  const indexer = new EventIndexer(connection, economy.program, store);
  const started = process.hrtime.bigint();
  await indexer.catchUp();
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const events = await store.count();
  console.log(
    `indexer catch-up: ${events} events (the whole history) in ${secs.toFixed(2)} s = ${(events / secs).toFixed(0)} events/s`,
  );
  await store.close();
  await naive.close();
  await economy.stop();
  const target = snapshot.rps >= 5_000 && snapshot.p99 < 10;
  console.log(`target (>= 5,000 req/s, p99 < 10 ms): ${target ? "met" : "NOT met"}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
