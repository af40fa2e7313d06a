/**
 * `/api/workers/:wallet` against a real validator: the boost now and why at a tier's edge (one
 * base unit short, then at `min_stake` once warmed up; warming stake and unstaking principal
 * shown, neither counting), a wallet with no position (no boost, the first tier next), and the
 * settled earnings equal to the chain's WorkerPaid events for a staker at a tier and a
 * non-staker: each settlement, the totals, paging by cursor and the CSV download; named 400s.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import { Keypair, type PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import { type ApiServer, startApiServer } from "../../app/server/src";
import {
  fetchStakePosition,
  findTreasuryEvents,
  MIN_UNSTAKE_COOLDOWN_SECS,
  requestUnstake,
  settleUsage,
  stake,
  type WorkerEarning,
  type WorkerSummary,
} from "../../app/sdk/src";
import { fundedWallet } from "../utils/economy";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
/** The local economy's tiers: 1,000 $ASHAO for 5%, 10,000 for 15%. */
const TIER_1 = { minStake: (1_000n * ASHAO).toString(), boostBps: 500 };
const TIER_2 = { minStake: (10_000n * ASHAO).toString(), boostBps: 1_500 };

interface AmountAnswer {
  raw: string;
  ui: number;
  decimals: number;
}

type WorkerAnswer = WorkerSummary & {
  slot: number;
  readAt: string;
  earnings: { settlements: number; base: AmountAnswer; boost: AmountAnswer; paid: AmountAnswer };
  settlements: (WorkerEarning & { explorerUrl: string })[];
  nextCursor: string | null;
};

describe("API: /api/workers/:wallet (boost now and why, settled earnings)", function () {
  this.timeout(180_000);
  let economy: LocalEconomy;
  let api: ApiServer;
  let sam: Keypair;
  const nina = Keypair.generate().publicKey;
  /** Every settlement's signature, oldest first. */
  const settled: string[] = [];

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { headers });
  const slotOf = async (signature: string) =>
    (await economy.validator.connection.getSignatureStatus(signature)).value!.slot;
  /** The worker's answer once `ready` holds of it (the snapshot or the indexer caught up). */
  const workerWhen = (
    wallet: PublicKey,
    what: string,
    ready: (answer: WorkerAnswer) => boolean,
    query = "",
  ) =>
    waitFor(
      what,
      async () => {
        const response = await get(`/api/workers/${wallet.toBase58()}${query}`);
        expect(response.status).to.equal(200);
        const answer = (await response.json()) as WorkerAnswer;
        return ready(answer) ? answer : undefined;
      },
      60_000,
    );
  /** The worker's answer once the snapshot has seen `signature`. */
  const workerAfter = async (wallet: PublicKey, signature: string) => {
    const slot = await slotOf(signature);
    return workerWhen(wallet, `the snapshot at slot ${slot}`, (a) => a.slot >= slot);
  };
  /** Moves the chain's clock past the warm-up; the worker's answer once the snapshot reads it. */
  /**
   * Moves the chain's clock past the warm-up of what `signature` staked; the worker's answer
   * once the snapshot holds that stake and reads the clock.
   */
  const afterWarmup = async (wallet: PublicKey, signature: string) => {
    const slot = await slotOf(signature);
    const { connection } = economy.validator;
    const { unixTimestamp } = await advanceClock(connection, MIN_UNSTAKE_COOLDOWN_SECS);
    return workerWhen(
      wallet,
      `the snapshot at slot ${slot} and the chain's clock at ${unixTimestamp}`,
      (a) => a.slot >= slot && a.asOfChainTime >= unixTimestamp,
    );
  };
  const raw = (a: AmountAnswer) => BigInt(a.raw);
  const billing = () => new Wallet(economy.billing);

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    api = await startApiServer({
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      database: `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-workers-")), "events.sqlite")}`,
    });
    await api.ready;
    sam = await fundedWallet(economy, 2_000n * ASHAO);
  });

  after(async () => {
    await api?.close();
    await economy?.stop();
  });

  it("a wallet with no position: no boost, the first tier next and all of its stake to go", async () => {
    const signature = await stake(economy.program, new Wallet(sam), 1n);
    const answer = await workerAfter(nina, signature);
    expect(answer.hasPosition).to.equal(false);
    expect(answer.boost).to.deep.include({
      boostBps: 0,
      tier: null,
      nextTier: TIER_1,
      warmupEndsAt: null,
      boostBpsOnceWarm: 0,
    });
    expect(answer.boost.stakeToNextTier!.raw).to.equal(TIER_1.minStake);
    expect(answer.boost.countedStake.raw).to.equal("0");
    expect(answer.earnings).to.deep.include({ settlements: 0 });
    expect(answer.settlements).to.deep.equal([]);
  });

  it("at a tier's edge: one base unit short earns nothing; at min_stake, once warmed up, the tier", async () => {
    // 1 base unit staked above: 1,000 $ASHAO − 1 in all, warmed up.
    const almost = await stake(economy.program, new Wallet(sam), 1_000n * ASHAO - 2n);
    const short = await afterWarmup(sam.publicKey, almost);
    expect(short.boost).to.deep.include({ boostBps: 0, tier: null, nextTier: TIER_1 });
    expect(short.boost.countedStake.raw).to.equal((1_000n * ASHAO - 1n).toString());
    expect(short.boost.stakeToNextTier!.raw).to.equal("1");
    expect(short.boost.warming.raw).to.equal("0");

    // The last base unit: the tier once it warms up, none before; the next tier is the second.
    const signature = await stake(economy.program, new Wallet(sam), 1n);
    const warming = await workerAfter(sam.publicKey, signature);
    const position = await fetchStakePosition(economy.program, sam.publicKey);
    expect(warming.boost).to.deep.include({
      boostBps: 0,
      tier: null,
      boostBpsOnceWarm: 500,
      nextTier: TIER_2,
      warmupEndsAtUnix: Number(position!.boostWarmupEndsAt),
    });
    expect(warming.boost.warming.raw).to.equal("1");
    expect(warming.boost.staked.raw).to.equal(TIER_1.minStake);
    expect(warming.boost.stakeToNextTier!.raw).to.equal((9_000n * ASHAO).toString());

    const at = await afterWarmup(sam.publicKey, signature);
    expect(at.boost).to.deep.include({ boostBps: 500, tier: TIER_1, nextTier: TIER_2 });
    expect(at.boost.countedStake.raw).to.equal(TIER_1.minStake);
    expect(at.boost.warming.raw).to.equal("0");
    expect(at.boost.warmupEndsAt).to.equal(null);

    // Stake added and then unstaked: the unstaking principal is shown and earns nothing.
    await stake(economy.program, new Wallet(sam), 500n * ASHAO);
    const unstake = await requestUnstake(economy.program, new Wallet(sam), 500n * ASHAO);
    const unstaking = await workerAfter(sam.publicKey, unstake);
    expect(unstaking.boost.unstaking.raw).to.equal((500n * ASHAO).toString());
    expect(unstaking.boost).to.deep.include({ boostBps: 500, tier: TIER_1 });
    expect(unstaking.boost.countedStake.raw).to.equal(TIER_1.minStake);
  });

  it("the earnings equal the chain's WorkerPaid events: a staker at the first tier and a non-staker", async () => {
    const { signature } = await settleUsage(economy.program, billing(), {
      gross: 200n * USDC,
      workers: [
        { worker: sam.publicKey, base: 100n * USDC },
        { worker: nina, base: 50n * USDC },
      ],
    });
    settled.push(signature);
    const tx = await economy.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const events = findTreasuryEvents(economy.program, tx!.meta!.logMessages!, "workerPaid");
    expect(events.map((e) => e.data.boost)).to.deep.equal([5n * USDC, 0n]);
    for (const [wallet, event] of [
      [sam.publicKey, events[0].data],
      [nina, events[1].data],
    ] as const) {
      const answer = await workerWhen(
        wallet,
        "the settlement indexed",
        (a) => a.settlements.length > 0,
      );
      const [row] = answer.settlements;
      expect(row).to.deep.include({
        signature,
        batchId: event.batchId.toString(),
        billing: economy.billing.publicKey.toBase58(),
        boostBps: event.boostBps,
      });
      expect(row.at).to.equal(new Date(Number(event.unixTimestamp) * 1000).toISOString());
      expect([row.base, row.boost, row.paid, row.boostStake].map(raw)).to.deep.equal([
        event.base,
        event.boost,
        event.paid,
        event.boostStake,
      ]);
      expect(answer.earnings.settlements).to.equal(1);
      expect(
        [answer.earnings.base, answer.earnings.boost, answer.earnings.paid].map(raw),
      ).to.deep.equal([event.base, event.boost, event.paid]);
    }
  });

  it("pages the settlements by cursor, newest first, and downloads them all as CSV with their totals", async () => {
    for (let i = 1n; i <= 4n; i++) {
      const { signature } = await settleUsage(economy.program, billing(), {
        gross: 20n * USDC,
        workers: [{ worker: sam.publicKey, base: i * USDC + 1n }],
      });
      settled.push(signature);
    }
    const wallet = sam.publicKey.toBase58();
    await workerWhen(
      sam.publicKey,
      "every settlement indexed",
      (a) => a.earnings.settlements === 5,
    );
    const rows: WorkerAnswer["settlements"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: WorkerAnswer = (await (
        await get(`/api/workers/${wallet}?limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      ).json()) as WorkerAnswer;
      expect(answer.settlements.length).to.be.at.most(2);
      rows.push(...answer.settlements);
      cursor = answer.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).to.equal(3);
    expect(rows.map((r) => r.signature)).to.deep.equal([...settled].reverse());
    // Base 1..4 USDC (+1 base unit) at 5%: the boost is floor(base × 500 / 10,000).
    const bases = [4n, 3n, 2n, 1n].map((n) => n * USDC + 1n);
    expect(rows.slice(0, 4).map((r) => raw(r.boost))).to.deep.equal(
      bases.map((b) => (b * 500n) / 10_000n),
    );
    const answer = (await (await get(`/api/workers/${wallet}`)).json()) as WorkerAnswer;
    const sum = (pick: (r: WorkerEarning) => AmountAnswer) =>
      rows.reduce((s, r) => s + raw(pick(r)), 0n);
    expect(raw(answer.earnings.paid)).to.equal(sum((r) => r.paid));
    expect(raw(answer.earnings.boost)).to.equal(sum((r) => r.boost));
    expect(raw(answer.earnings.base)).to.equal(sum((r) => r.base));

    const csv = await get(`/api/workers/${wallet}/earnings.csv`, { "accept-encoding": "gzip" });
    expect(csv.status).to.equal(200);
    expect(csv.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
    expect(csv.headers.get("content-encoding")).to.equal("gzip");
    expect(csv.headers.get("content-disposition")).to.equal(
      `attachment; filename="ashao-worker-earnings-${wallet}.csv"`,
    );
    const lines = (await csv.text()).split("\r\n").filter((l) => l !== "");
    expect(lines[0]).to.equal(
      "time_utc,batch_id,billing_authority,base_usdc,boost_bps,boost_usdc,paid_usdc," +
        "paid_base_units,boost_stake_ashao,slot,signature",
    );
    expect(lines.length).to.equal(1 + rows.length);
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(",");
      expect(cells[cells.length - 1]).to.equal(rows[i].signature);
      expect(cells[7]).to.equal(rows[i].paid.raw);
      expect(cells[4]).to.equal("500");
    });
    expect(lines[1].split(",")[3]).to.equal("4.000001");
  });

  it("refuses a bad wallet, limit or cursor with a named 400", async () => {
    const wallet = sam.publicKey.toBase58();
    for (const [path, error] of [
      ["/api/workers/not-a-wallet", "InvalidWallet"],
      ["/api/workers/0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", "InvalidWallet"],
      ["/api/workers/nope/earnings.csv", "InvalidWallet"],
      [`/api/workers/${wallet}?limit=0`, "InvalidLimit"],
      [`/api/workers/${wallet}?cursor=yesterday`, "InvalidCursor"],
    ]) {
      const response = await get(path);
      expect(response.status, path).to.equal(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error, path).to.equal(error);
      expect(body.message, path).to.be.a("string").and.not.equal("");
    }
  });
});
