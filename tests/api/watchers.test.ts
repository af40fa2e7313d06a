/**
 * The API for stakers and treasury watchers against the local economy: the trailing yield read
 * off the reward index (what a staker in for the whole window earned per $ASHAO, a window that
 * leaves older revenue out, the APR at the oracle's price); a staker's history paged by cursor
 * and as a CSV download, only their own actions; every buyback paged with explorer links; the
 * supply after a burn; solvency with a plain transfer's surplus; the policy's program, upgrade
 * authority and split; named 400s for the new inputs; the dashboard's files served from memory;
 * and every answer valid against the OpenAPI document the server serves.
 */
import { Wallet } from "@anchor-lang/core";
import { createTransferCheckedInstruction, getMint } from "@solana/spl-token";
import type { Keypair } from "@solana/web3.js";
import Ajv2020 from "ajv/dist/2020";
import { expect } from "chai";
import pino from "pino";

import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { fundedTokenAccount } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import {
  accrue,
  claim,
  closePosition,
  decodePriceUpdateV2,
  fetchStakePosition,
  fetchTreasuryOrThrow,
  oracleUsdcPerAshao,
  pendingRewards,
  programDataPda,
  pythPriceFeedAccount,
  requestUnstake,
  sendAndConfirm,
  stake,
  STAKER_HISTORY_CSV_HEADER,
  stakerHistoryCsv,
  type StakerHistoryEntry,
  USDC_DECIMALS,
  withdraw,
  YEAR_SECS,
  type YieldReport,
  type SupplyReport,
  type SolvencyReport,
  type PolicyReport,
} from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
const DAY = 86_400;

interface TreasuryAnswer {
  slot: number;
  chainTime: number;
  totalSupply: { raw: string };
  ashaoBurned: { raw: string };
  yield: YieldReport;
  supply: SupplyReport;
  solvency: SolvencyReport;
  policy: PolicyReport;
}

type Entry = StakerHistoryEntry & { explorerUrl: string };

describe("API for stakers and watchers: yield, history, buybacks, supply, solvency, policy, OpenAPI", function () {
  this.timeout(180_000);
  let economy: LocalEconomy;
  let alice: Keypair;
  let bob: Keypair;
  let url: string;

  const get = (path: string) => fetch(`${url}${path}`);
  const getJson = async <T>(path: string) => (await (await get(path)).json()) as T;
  const slotOf = async (signature: string) =>
    (await economy.validator.connection.getSignatureStatus(signature)).value!.slot;
  /** `/api/treasury` once the snapshot has seen `signature`'s slot. */
  const treasuryAfter = async (signature: string) => {
    const slot = await slotOf(signature);
    return waitFor(`the snapshot at slot ${slot}`, async () => {
      const answer = await getJson<TreasuryAnswer>("/api/treasury");
      return answer.slot >= slot ? answer : undefined;
    });
  };
  /** Every page of a staker's history, following `nextCursor`. */
  async function wholeHistory(wallet: string, limit: number): Promise<Entry[]> {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await getJson<{ entries: Entry[]; nextCursor: string | null }>(
        `/api/stakers/${wallet}/history?${query}`,
      );
      expect(page.entries.length).to.be.at.most(limit);
      entries.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    return entries;
  }

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false });
    url = economy.api!.url;
    alice = await fundedWallet(economy, 5_000n * ASHAO);
    bob = await fundedWallet(economy, 5_000n * ASHAO);
  });

  after(async () => {
    await economy?.stop();
  });

  it("yield: USDC released per $ASHAO staked, equal to what a staker in all along earned, annualised, at the oracle's price", async () => {
    await stake(economy.program, new Wallet(alice), 2_000n * ASHAO);
    await payRevenue(economy, 1_000n * USDC);
    await advanceClock(economy.validator.connection, 2 * 3_600);
    await stake(economy.program, new Wallet(bob), 2_000n * ASHAO);
    await payRevenue(economy, 1_000n * USDC);
    await advanceClock(economy.validator.connection, 2 * 3_600);
    const last = await claim(economy.program, new Wallet(alice));
    const answer = await treasuryAfter(last);
    const { trailing7d, trailing30d } = answer.yield;

    // 500 USDC to Alice's 2,000 $ASHAO, then 500 to 4,000: 0.25 + 0.125 USDC per $ASHAO.
    expect(trailing7d.perAshao).to.deep.equal({
      raw: "375000000000000000",
      ui: 0.375,
      decimals: 18,
    });
    expect(trailing7d.released.raw).to.equal((1_000n * USDC).toString());
    // Alice was staked throughout: what she earned per $ASHAO is the figure.
    const position = (await fetchStakePosition(economy.program, alice.publicKey))!;
    const state = await fetchTreasuryOrThrow(economy.program);
    const earned = position.totalClaimed + pendingRewards(state, position, answer.chainTime);
    expect(earned).to.equal(750n * USDC);
    // The treasury is younger than a week: the window covers its life, 4 hours, too little for
    // a rate anyone could earn: no annual figure and no APR until it holds a day.
    expect(trailing7d.coveredSecs).to.be.within(4 * 3_600, 5 * 3_600);
    expect(trailing7d.minCoveredSecs).to.equal(DAY);
    expect(trailing7d.annualPerAshao).to.equal(null);
    expect(trailing7d.apr).to.equal(null);
    expect(trailing30d.perAshao.raw).to.equal(trailing7d.perAshao.raw);
    expect(trailing30d.minCoveredSecs).to.equal(8 * DAY);
    expect(trailing30d.apr).to.equal(null);

    // The price it will be valued at: the oracle's, read from the feed's account.
    const feed = await economy.validator.connection.getAccountInfo(
      pythPriceFeedAccount(economy.priceFeed.feedId),
    );
    const price = oracleUsdcPerAshao(decodePriceUpdateV2(feed!.data)!, USDC_DECIMALS);
    expect(answer.yield.price?.source).to.equal("oracle");
    expect(answer.yield.price?.usdcPerAshao.raw).to.equal(price.toString());
    // Both deposits streamed out (4 h > the 1 h stream): nothing is releasing now.
    expect(answer.yield.current.releasingPerDay.raw).to.equal("0");
    expect(answer.yield.current.streamEndsAt).to.equal(null);
    expect(answer.yield.method).to.match(/reward index.*annualised over 365 days.*oracle/);
  });

  it("yield: a trailing 7-day window leaves out revenue released before it; 30 days keeps it", async () => {
    await advanceClock(economy.validator.connection, 8 * DAY);
    await payRevenue(economy, 800n * USDC);
    await advanceClock(economy.validator.connection, 2 * 3_600);
    const last = await claim(economy.program, new Wallet(bob));
    const { yield: y } = await treasuryAfter(last);
    // 400 USDC to 4,000 $ASHAO in the last week: 0.1 per $ASHAO; the month also holds 0.375.
    expect(y.trailing7d.perAshao.raw).to.equal("100000000000000000");
    expect(y.trailing7d.coveredSecs).to.equal(7 * DAY);
    expect(y.trailing7d.released.raw).to.equal((400n * USDC).toString());
    expect(y.trailing30d.perAshao.raw).to.equal("475000000000000000");
    expect(y.trailing30d.released.raw).to.equal((1_400n * USDC).toString());

    // A week of data: the 7-day rate, annualised over the week, at the oracle's price.
    const annual7d = (100_000_000_000_000_000n * BigInt(YEAR_SECS)) / BigInt(7 * DAY);
    expect(y.trailing7d.annualPerAshao!.raw).to.equal(annual7d.toString());
    const price = Number(y.price!.usdcPerAshao.raw) / 1e6;
    expect(y.trailing7d.apr).to.be.closeTo(Number(annual7d) / 1e18 / price, 1e-6);
    // Eight days and more: the 30-day rate, from its own data (the whole life), unlike the 7-day.
    const covered30d = BigInt(y.trailing30d.coveredSecs);
    expect(covered30d > BigInt(8 * DAY)).to.equal(true);
    expect(y.trailing30d.annualPerAshao!.raw).to.equal(
      ((475_000_000_000_000_000n * BigInt(YEAR_SECS)) / covered30d).toString(),
    );
    expect(y.trailing30d.apr).to.not.equal(y.trailing7d.apr);
  });

  it("yield: what the stream releases now, in all and per $ASHAO staked, and when it runs dry", async () => {
    const { yield: y } = await treasuryAfter(await payRevenue(economy, 480n * USDC));
    const state = await fetchTreasuryOrThrow(economy.program);
    // As at the moment the figures were computed.
    const asOf = BigInt(Date.parse(y.asOf) / 1000);
    const left = state.streamEndTs - asOf;
    expect(left > 0n).to.equal(true);
    const remaining = accrue(state, asOf).stream.streamRemaining;
    expect(y.current.releasingPerDay.raw).to.equal(((remaining * 86_400n) / left).toString());
    expect(y.current.perAshaoPerDay!.raw).to.equal(
      ((remaining * 86_400n * ASHAO * 10n ** 12n) / (left * state.totalStaked)).toString(),
    );
    expect(y.current.streamEndsAt).to.equal(
      new Date(Number(state.streamEndTs) * 1000).toISOString(),
    );
  });

  it("a staker's history: their own actions, newest first, paged by cursor, and a CSV download", async () => {
    const wallet = new Wallet(alice);
    const signatures = [
      await requestUnstake(economy.program, wallet, 500n * ASHAO),
      await stake(economy.program, wallet, 100n * ASHAO),
    ];
    await advanceClock(economy.validator.connection, 3_601);
    signatures.push(await withdraw(economy.program, wallet));
    const address = alice.publicKey.toBase58();
    await waitFor("the withdrawal in the history", async () => {
      const { entries } = await getJson<{ entries: Entry[] }>(`/api/stakers/${address}/history`);
      return entries[0]?.signature === signatures[2] ? true : undefined;
    });

    const entries = await wholeHistory(address, 2);
    expect(entries.map((e) => e.action)).to.deep.equal([
      "withdrawal",
      "stake",
      "unstakeRequest",
      "claim",
      "stake",
    ]);
    expect(entries.slice(0, 3).map((e) => e.signature)).to.deep.equal([...signatures].reverse());
    expect(entries[0].amount).to.deep.equal({
      raw: (500n * ASHAO).toString(),
      ui: 500,
      decimals: 9,
    });
    expect(entries[0].token).to.equal("$ASHAO");
    expect(entries[2].availableAt).to.be.a("string");
    // Each request and withdrawal carries the position's requests still waiting after it.
    expect(entries[2].unstakeRequests).to.deep.equal([
      {
        amount: { raw: (500n * ASHAO).toString(), ui: 500, decimals: 9 },
        availableAt: entries[2].availableAt,
      },
    ]);
    expect(entries[0].unstakeRequests).to.deep.equal([]);
    expect(entries[1].unstakeRequests).to.equal(null);
    expect(entries[3].token).to.equal("USDC");
    expect(entries[3].amount!.raw).to.equal((750n * USDC).toString());
    expect(entries[4].positionStaked!.raw).to.equal((2_000n * ASHAO).toString());
    expect(entries[0].explorerUrl).to.equal(
      `https://explorer.solana.com/tx/${signatures[2]}?cluster=custom&customUrl=${encodeURIComponent(economy.validator.rpcUrl)}`,
    );
    // Bob's actions are his own.
    const bobs = await wholeHistory(bob.publicKey.toBase58(), 50);
    expect(bobs.map((e) => e.action)).to.deep.equal(["claim", "stake"]);

    const csv = await get(`/api/stakers/${address}/history.csv`);
    expect(csv.status).to.equal(200);
    expect(csv.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).to.equal(
      `attachment; filename="ashao-history-${address}.csv"`,
    );
    const text = await csv.text();
    expect(text.split("\r\n")[0]).to.equal(STAKER_HISTORY_CSV_HEADER.join(","));
    expect(text).to.equal(stakerHistoryCsv(entries));
    expect(text.split("\r\n")[4].split(",").slice(1, 5)).to.deep.equal([
      "claim",
      "750",
      "USDC",
      "750000000",
    ]);

    // A wallet that never staked has an empty history; closing shows as the last action.
    const empty = await getJson<{ entries: Entry[]; nextCursor: null }>(
      `/api/stakers/${economy.crank.publicKey.toBase58()}/history`,
    );
    expect(empty).to.deep.include({ entries: [], nextCursor: null });
    const charlie = await fundedWallet(economy, 10n * ASHAO);
    await stake(economy.program, new Wallet(charlie), 10n * ASHAO);
    await requestUnstake(economy.program, new Wallet(charlie), 10n * ASHAO);
    await advanceClock(economy.validator.connection, 3_601);
    await withdraw(economy.program, new Wallet(charlie));
    const closed = await closePosition(economy.program, new Wallet(charlie));
    const charlies = await waitFor("the close in the history", async () => {
      const page = await getJson<{ entries: Entry[] }>(
        `/api/stakers/${charlie.publicKey.toBase58()}/history`,
      );
      return page.entries[0]?.signature === closed ? page.entries : undefined;
    });
    expect(charlies.map((e) => [e.action, e.amount])).to.deep.include(["close", null]);
    // The snapshot drops the closed position (found by its address among its rows).
    await waitFor("the closed position gone from the snapshot", async () => {
      const staker = await getJson<{ exists: boolean }>(
        `/api/stakers/${charlie.publicKey.toBase58()}`,
      );
      return staker.exists ? undefined : true;
    });
  });

  it("every buyback, newest first, paged by cursor, each linking its signature to the explorer", async () => {
    const config = { ...economy.crankConfig, intervalSecs: 1 };
    const signatures: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await runCrankCycle(
        economy.crankDeps(config, pino({ level: "silent" })),
        config,
      );
      if (result.status !== "bought") throw new Error(`no buyback: ${JSON.stringify(result)}`);
      signatures.push(result.signature!);
      await advanceClock(economy.validator.connection, 61);
    }
    await waitFor("three buybacks in /api/buybacks", async () => {
      const { buybacks } = await getJson<{ buybacks: unknown[] }>("/api/buybacks");
      return buybacks.length === 3 ? true : undefined;
    });
    const seen: { signature: string; explorerUrl: string }[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/buybacks?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await getJson<{
        buybacks: { signature: string; explorerUrl: string }[];
        nextCursor: string | null;
      }>(path);
      seen.push(...page.buybacks);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((b) => b.signature)).to.deep.equal([...signatures].reverse());
    for (const b of seen) {
      expect(b.explorerUrl).to.equal(
        `https://explorer.solana.com/tx/${b.signature}?cluster=custom&customUrl=${encodeURIComponent(economy.validator.rpcUrl)}`,
      );
    }
    // The earlier address answers the same.
    expect(await getJson("/api/treasury/buybacks?limit=2")).to.deep.equal(
      await getJson("/api/buybacks?limit=2"),
    );
  });

  it("supply: burned as an amount and a share of the supply before buybacks; what is excluded, with addresses", async () => {
    const last = await payRevenue(economy, 1n * USDC);
    const answer = await treasuryAfter(last);
    const { supply } = answer;
    const mint = await getMint(economy.validator.connection, economy.ashao.mint, "confirmed");
    const state = await fetchTreasuryOrThrow(economy.program);
    expect(supply.mint).to.equal(economy.ashao.mint.toBase58());
    expect(supply.total.raw).to.equal(mint.supply.toString());
    expect(supply.burned.raw).to.equal(state.totalAshaoBurned.toString());
    expect(state.totalAshaoBurned > 0n).to.equal(true);
    const initial = mint.supply + state.totalAshaoBurned;
    expect(supply.initial.raw).to.equal(initial.toString());
    expect(supply.burnedPercent).to.be.closeTo(
      (Number(state.totalAshaoBurned) / Number(initial)) * 100,
      0.0001,
    );
    expect(supply.excluded).to.deep.equal([
      {
        name: "stake vault (staked and unstaking)",
        address: economy.accounts.stakeVault.toBase58(),
        amount: {
          raw: (state.totalStaked + state.totalUnstaking).toString(),
          ui: Number(state.totalStaked + state.totalUnstaking) / 1e9,
          decimals: 9,
        },
      },
    ]);
    expect(BigInt(supply.circulating.raw)).to.equal(
      mint.supply - state.totalStaked - state.totalUnstaking,
    );
  });

  it("solvency: each vault against what it owes, a plain transfer's surplus shown, the line names the addresses", async () => {
    const { connection } = economy.validator;
    const source = await fundedTokenAccount(
      connection,
      economy.authority,
      economy.usdc,
      economy.authority.publicKey,
      7n * USDC,
    );
    const transfer = await sendAndConfirm(
      connection,
      [
        createTransferCheckedInstruction(
          source,
          economy.usdc.mint,
          economy.accounts.buybackVault,
          economy.authority.publicKey,
          7n * USDC,
          6,
        ),
      ],
      { keypairs: [economy.authority] },
    );
    const { solvency } = await waitFor("the surplus in the snapshot", async () => {
      const answer = await treasuryAfter(transfer);
      return answer.solvency.buyback.surplus.raw !== "0" ? answer : undefined;
    });
    const state = await fetchTreasuryOrThrow(economy.program);
    expect(solvency.solvent).to.equal(true);
    expect(solvency.buyback.owes.raw).to.equal(state.buybackBucket.toString());
    expect(solvency.buyback.surplus.raw).to.equal((7n * USDC).toString());
    expect(BigInt(solvency.buyback.holds.raw)).to.equal(state.buybackBucket + 7n * USDC);
    expect(solvency.rewards.owes.raw).to.equal(
      (state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed).toString(),
    );
    expect(solvency.identities.every((i) => i.holds)).to.equal(true);
    expect(solvency.line).to.include(economy.accounts.buybackVault.toBase58());
    expect(solvency.line).to.include(economy.accounts.rewardsVault.toBase58());
    expect(solvency.line).to.match(/holds [\d,.]+ USDC ≥ bucket/);
  });

  it("policy: the program, its upgrade authority read from the ProgramData, the split fixed at 50/50", async () => {
    const { policy } = await getJson<TreasuryAnswer>("/api/treasury");
    expect(policy.programId).to.equal(economy.program.programId.toBase58());
    expect(policy.programData).to.equal(
      programDataPda(economy.program.programId).address.toBase58(),
    );
    expect(policy.upgradeAuthority).to.equal(
      economy.validator.upgradeAuthority.publicKey.toBase58(),
    );
    // The local economy's authority is the upgrade authority, one ordinary key: said so.
    expect(policy.authority).to.equal(policy.upgradeAuthority);
    expect(policy.authorityHolder).to.equal("singleKey");
    expect(policy.upgradeAuthorityHolder).to.equal("singleKey");
    expect(policy.split).to.deep.equal({
      buybackBps: 5_000,
      stakersBps: 5_000,
      oddUnitTo: "buyback",
      fixedInProgram: true,
    });
    expect(policy.params.cranks).to.deep.equal([economy.crank.publicKey.toBase58()]);
    expect(policy.params.maxBuybackUsdc).to.equal((250n * USDC).toString());
    expect(policy.paused).to.equal(false);
  });

  it("refuses the new inputs by name", async () => {
    const wallet = alice.publicKey.toBase58();
    const cases: [string, string][] = [
      ["/api/buybacks?limit=0", "InvalidLimit"],
      ["/api/buybacks?limit=501", "InvalidLimit"],
      ["/api/buybacks?limit=ten", "InvalidLimit"],
      ["/api/buybacks?cursor=last", "InvalidCursor"],
      ["/api/buybacks?before=tomorrow", "InvalidTime"],
      [`/api/stakers/${wallet}/history?cursor=1-`, "InvalidCursor"],
      [`/api/stakers/${wallet}/history?limit=-1`, "InvalidLimit"],
      ["/api/stakers/0OIl/history", "InvalidWallet"],
      ["/api/stakers/0OIl/history.csv", "InvalidWallet"],
      ["/api/treasury/history?range=1y", "InvalidRange"],
      ["/api/treasury/admin-log?limit=1000", "InvalidLimit"],
    ];
    for (const [path, error] of cases) {
      const response = await get(path);
      expect(response.status, path).to.equal(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error, path).to.equal(error);
      expect(body.message, path).to.match(/^\w+ .+ \(got .*\)$/);
    }
  });

  it("history ranges: 24h, 7d, 30d and all, each with a fitting interval", async () => {
    for (const [range, interval] of [
      ["24h", "5m"],
      ["7d", "1h"],
      ["30d", "6h"],
      ["all", "1h"],
    ]) {
      const body = await getJson<{
        range: string;
        interval: string;
        points: unknown[];
        from: string;
        to: string;
      }>(`/api/treasury/history?range=${range}`);
      expect([body.range, body.interval], range).to.deep.equal([range, interval]);
      expect(body.points.length, range).to.be.within(1, 300);
    }
    const all = await getJson<{ points: { cumulativeRevenue: string }[] }>(
      "/api/treasury/history?range=all",
    );
    const state = await fetchTreasuryOrThrow(economy.program);
    expect(all.points[all.points.length - 1].cumulativeRevenue).to.equal(
      state.totalRevenue.toString(),
    );
  });

  it("serves the dashboard's files by exact name from memory, with ETags; nothing else on disk", async () => {
    const index = await get("/");
    expect(index.status).to.equal(200);
    expect(index.headers.get("content-type")).to.equal("text/html; charset=utf-8");
    expect(await index.text()).to.include("<title>$ASHAO treasury</title>");
    const script = await get("/app.js");
    expect(script.headers.get("content-type")).to.equal("text/javascript; charset=utf-8");
    const etag = script.headers.get("etag")!;
    const again = await fetch(`${url}/app.js`, { headers: { "if-none-match": etag } });
    expect(again.status).to.equal(304);
    expect((await get("/styles.css")).headers.get("content-type")).to.equal(
      "text/css; charset=utf-8",
    );
    // The bundle's source map is neither built nor served.
    expect((await get("/app.js.map")).status).to.equal(404);
    for (const path of [
      "/package.json",
      "/%2e%2e/package.json",
      "/..%2fpackage.json",
      "//app.js/..",
      "/dist",
    ]) {
      const response = await get(path);
      expect(response.status, path).to.equal(404);
      expect(((await response.json()) as { error: string }).error, path).to.equal("NotFound");
    }
  });

  it("serves an OpenAPI 3.1 document of every route, and every answer is valid against it", async () => {
    const doc = await getJson<{
      openapi: string;
      paths: Record<
        string,
        { get: { responses: Record<string, unknown>; parameters?: { name: string }[] } }
      >;
    }>("/api/openapi.json");
    expect(doc.openapi).to.equal("3.1.0");
    expect(Object.keys(doc.paths).sort()).to.deep.equal(
      [
        "/api/treasury",
        "/api/treasury/history",
        "/api/buybacks",
        "/api/treasury/buybacks",
        "/api/treasury/admin-log",
        "/api/stakers/{wallet}",
        "/api/stakers/{wallet}/history",
        "/api/stakers/{wallet}/history.csv",
        "/api/workers/{wallet}",
        "/api/workers/{wallet}/earnings.csv",
        "/api/config",
        "/healthz",
        "/metrics",
      ].sort(),
    );
    expect(doc.paths["/api/buybacks"].get.parameters?.map((p) => p.name)).to.have.members([
      "limit",
      "cursor",
      "before",
    ]);

    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(doc, "openapi");
    const pointer = (path: string, status: number) =>
      `openapi#/paths/${path.replace(/~/g, "~0").replace(/\//g, "~1")}/get/responses/${status}/content/application~1json/schema`;
    const wallet = alice.publicKey.toBase58();
    const answers: [string, string, number][] = [
      ["/api/treasury", "/api/treasury", 200],
      ["/api/treasury/history", "/api/treasury/history?range=7d", 200],
      ["/api/buybacks", "/api/buybacks", 200],
      ["/api/treasury/admin-log", "/api/treasury/admin-log", 200],
      ["/api/stakers/{wallet}", `/api/stakers/${wallet}`, 200],
      ["/api/stakers/{wallet}/history", `/api/stakers/${wallet}/history`, 200],
      ["/api/workers/{wallet}", `/api/workers/${wallet}`, 200],
      ["/api/workers/{wallet}", "/api/workers/nope", 400],
      ["/api/config", "/api/config", 200],
      ["/healthz", "/healthz", 200],
      ["/api/buybacks", "/api/buybacks?limit=0", 400],
      ["/api/stakers/{wallet}", "/api/stakers/nope", 400],
    ];
    for (const [path, request, status] of answers) {
      const response = await get(request);
      expect(response.status, request).to.equal(status);
      const validate = ajv.getSchema(pointer(path, status));
      expect(validate, `${path} ${status} in the document`).to.not.equal(undefined);
      const body = (await response.json()) as Record<string, unknown>;
      expect(validate!(body), `${request}: ${JSON.stringify(validate!.errors)}`).to.equal(true);
      // The schemas are strict: an answer missing a field, or with one they do not name, fails.
      const [first] = Object.keys(body);
      expect(validate!({ ...body, [first]: undefined, unnamed: 1 }), request).to.equal(false);
    }
  });
});
