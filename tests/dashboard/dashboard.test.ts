/**
 * The dashboard for stakers, in headless Chromium (Debian's, driven by playwright-core) against
 * the local economy: while the first answers load it says so (not "no buyback yet"); the
 * figures equal /api/treasury's, formatted for people, the supply exact, each amount's exact
 * figure one tap or key away (at 390 px too); no yield until the window holds a day ("too early:
 * 30 min of data"), and what the stream releases now; any wallet's position (its share of all
 * staked, USDC a day at the current rate, its value at the oracle's price, what the boost is)
 * and history viewed from a pasted address, and its CSV; a bad address refused in sight on a
 * fresh page and after a lookup, the earlier wallet's figures cleared; a wallet-standard wallet
 * (its key held by the test, signing for real) stakes, claims, unstakes (told first what a new
 * request adds, when it matures, that earlier requests keep their dates and how many more fit;
 * refused by name when none does), withdraws the matured requests only, then the rest, and
 * closes, each amount checked before signing and refused by the program's error name, a refusal
 * by the program itself shown by name; a banner with growing ages when the API stops answering under
 * the open page, gone when it answers again; axe-core finds no violation with a position and
 * the warning open (light and dark) nor on a phone; no console errors.
 */
import { readFileSync } from "fs";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import type { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import type { TreasuryAnswer } from "../../app/dashboard/src/api";
import { DASHBOARD_DIST } from "../../app/dashboard/build";
import {
  amountText,
  boostText,
  currentRateText,
  earningPerDay,
  exactAmountText,
  figureTexts,
  nextTierText,
  shareText,
  valueAt,
  yieldTexts,
} from "../../app/dashboard/src/format";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { startApiServer } from "../../app/server/src";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import {
  claim,
  fetchStakePosition,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  ownerAshaoAddress,
  ownerUsdcAddress,
  requestUnstake,
  sendAndConfirm,
  setPausedIx,
  stake,
  type StakerHistoryEntry,
} from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import {
  accessibilityViolations,
  ARTIFACTS,
  DESKTOP,
  launchChromium,
  openPage,
  PHONE,
  type TestPage,
} from "./browser";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

describe("dashboard for stakers (headless Chromium)", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let browser: Browser;
  let tab: TestPage;
  let page: Page;
  let user: Keypair;
  let watched: Keypair;

  const api = async <T>(path: string) =>
    (await (await fetch(`${economy.api!.url}${path}`)).json()) as T;
  const text = (selector: string) => page.locator(selector).innerText();
  const status = async (pattern: string) => {
    try {
      await page.locator("#stake-status", { hasText: pattern }).waitFor();
    } catch (err) {
      throw new Error(`${(err as Error).message}; the status says: ${await text("#stake-status")}`);
    }
  };
  const table = (selector: string) =>
    page
      .locator(`${selector} tr`)
      .evaluateAll((rows) =>
        rows.map((r) => Array.from(r.children).map((c) => (c as HTMLElement).innerText)),
      );

  before(async function () {
    this.timeout(180_000);
    economy = await startLocalEconomy({ simulate: false, crank: false });
    await payRevenue(economy, 800n * USDC);
    user = await fundedWallet(economy, 2_000n * ASHAO);
    watched = await fundedWallet(economy, 1_000n * ASHAO);
    await stake(economy.program, new Wallet(watched), 600n * ASHAO);
    await advanceClock(economy.validator.connection, 1_800);
    await claim(economy.program, new Wallet(watched));
    await requestUnstake(economy.program, new Wallet(watched), 100n * ASHAO);
    browser = await launchChromium();
    tab = await openPage(browser, economy.api!.url, { ...DESKTOP, wallet: user });
    page = tab.page;
  });

  after(async () => {
    await browser?.close();
    await economy?.stop();
  });

  it("says it is loading while the first answers are on their way, not that there is nothing", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const loading = await openPage(browser, economy.api!.url, {
      ...DESKTOP,
      // The API's real answer, held back until the page has been looked at.
      before: async (p) => {
        await p.route("**/api/treasury", (route) => held.then(() => route.continue()));
      },
    });
    const p = loading.page;
    expect(await p.locator('#yield-7d [data-yield="apr"]').innerText()).to.equal("loading…");
    expect(await p.locator("#yield").getAttribute("aria-busy")).to.equal("true");
    expect(await p.locator("#buybacks-loading").isVisible()).to.equal(true);
    expect(await p.locator("#no-buybacks").isVisible()).to.equal(false);
    expect(await p.locator("#no-queued-change").isVisible()).to.equal(false);
    expect(await p.locator('[data-figure="totalRevenue"]').innerText()).to.equal("…");
    expect(await p.locator("#age").innerText()).to.equal("loading…");
    release();
    await p.locator('[data-figure="totalRevenue"]', { hasText: "800 USDC" }).waitFor();
    // This treasury has had no buyback and has no queued change: said once it knows.
    await p.locator("#no-buybacks").waitFor();
    await p.locator("#no-queued-change").waitFor();
    expect(await p.locator("#buybacks-loading").isVisible()).to.equal(false);
    expect(await p.locator("#yield").getAttribute("aria-busy")).to.equal("false");
    expect(loading.errors).to.deep.equal([]);
    await p.context().close();
  });

  it("shows the treasury's figures for people, the supply exact, each with its exact amount a click away", async () => {
    const answer = await api<TreasuryAnswer>("/api/treasury");
    await page.waitForFunction(
      (slot) => document.querySelector('[data-figure="slot"]')?.textContent === slot,
      String(answer.slot),
    );
    const expected = figureTexts(answer);
    for (const [key, value] of Object.entries(expected)) {
      expect(await text(`[data-figure="${key}"]`), key).to.equal(value);
    }
    expect(expected.totalRevenue).to.equal("800 USDC");
    // Every digit of the supply, grouped, where watchers look for exact changes.
    expect(expected.totalSupply).to.match(/^\d{1,3}(,\d{3})+(\.\d+)? \$ASHAO$/);
    expect(answer.totalSupply.raw).to.equal(
      expected.totalSupply.replace(/[^\d]/g, "").padEnd(answer.totalSupply.raw.length, "0"),
    );
    const revenue = page.locator('[data-figure="totalRevenue"]');
    expect(await revenue.locator("button").getAttribute("title")).to.equal(
      exactAmountText(answer.totalRevenue, "USDC"),
    );
    expect(await revenue.locator(".exact").isVisible()).to.equal(false);
    await revenue.locator("button").click();
    expect(await revenue.locator(".exact").innerText()).to.equal(
      exactAmountText(answer.totalRevenue, "USDC"),
    );
    expect(await revenue.locator("button").getAttribute("aria-expanded")).to.equal("true");
    await revenue.locator("button").click();
    expect(await revenue.locator(".exact").isVisible()).to.equal(false);
  });

  it("shows no yield until the window holds a day of data, says how much it holds, and what streams now", async () => {
    const answer = await api<TreasuryAnswer>("/api/treasury");
    const seven = yieldTexts(answer.yield.trailing7d, 7);
    await page.locator('#yield-7d [data-yield="per-ashao"]', { hasText: seven.perAshao }).waitFor();
    // Half an hour old: no rate anyone could earn.
    expect(answer.yield.trailing7d.apr).to.equal(null);
    expect(await text('#yield-7d [data-yield="apr"]')).to.match(/^too early: 3\d min of data$/);
    expect(await text('#yield-7d [data-yield="per-ashao"]')).to.match(
      /The 7-day rate shows from 1 day of data\.$/,
    );
    expect(await text('#yield-30d [data-yield="per-ashao"]')).to.match(
      /The 30-day rate shows from 8 days of data\.$/,
    );
    expect(await text('#yield-30d [data-yield="released"]')).to.equal(
      yieldTexts(answer.yield.trailing30d, 30).released,
    );
    expect(await text("#yield-current")).to.match(
      /^Releasing now: [\d.,]+ USDC a day to stakers, [\d.]+ USDC a day per \$ASHAO staked; at this rate the stream runs dry in \d+ m/,
    );
    expect(currentRateText(answer.yield.current, answer.chainTime)).to.match(/^Releasing now:/);
    // How it is computed, one tap away (folded, so the first screen keeps its shape).
    expect(await page.locator("#yield-method").isVisible()).to.equal(false);
    await page.click("#yield summary");
    expect(await text("#yield-method")).to.match(
      /^How: USDC released to stakers per \$ASHAO staked.*reward index.*1 day for 7 days/,
    );
    expect(await text("#yield-method")).to.match(/Price used: [\d.]+ USDC per \$ASHAO \(oracle,/);
  });

  it("a bad address: refused in sight on a fresh page, and after a lookup with the earlier wallet's figures gone", async () => {
    const fresh = await openPage(browser, economy.api!.url, DESKTOP);
    const p = fresh.page;
    await p.fill("#watch-address", "not-an-address");
    await p.press("#watch-address", "Enter");
    await p
      .locator("#watch-error", { hasText: '"not-an-address" is not a Solana address' })
      .waitFor();
    expect(await p.locator("#watch-error").isVisible()).to.equal(true);
    expect(await p.locator("#position-view").isVisible()).to.equal(false);

    const address = watched.publicKey.toBase58();
    await p.fill("#watch-address", address);
    await p.click("#watch");
    await p.locator("#position-staked", { hasText: "500 $ASHAO" }).waitFor();
    expect(await p.locator("#watch-error").isVisible()).to.equal(false);
    // One character short of a key: base58, but 31 bytes.
    await p.fill("#watch-address", address.slice(0, -2));
    await p.click("#watch");
    await p.locator("#watch-error", { hasText: "is not a Solana address" }).waitFor();
    expect(await p.locator("#position-view").isVisible()).to.equal(false);
    expect(await p.locator("#position-staked").innerText()).to.not.include("500");
    expect(p.url()).to.not.include("?address=");
    expect(fresh.errors).to.deep.equal([]);
    await p.context().close();
  });

  it("a pasted address: that wallet's position and history, without actions, and its CSV", async () => {
    const address = watched.publicKey.toBase58();
    await page.fill("#watch-address", address);
    await page.press("#watch-address", "Enter");
    await page.locator("#position-wallet", { hasText: address }).waitFor();
    await page.locator("#position-staked", { hasText: "500 $ASHAO" }).waitFor();
    expect(page.url()).to.match(new RegExp(`\\?address=${address}$`));
    expect(await page.locator("#actions").isVisible()).to.equal(false);
    expect(await text("#wallet-line")).to.equal("(view only)");
    expect(await text("#position-unstaking")).to.equal("100 $ASHAO");
    expect(await text("#position-requests")).to.match(/^100 \$ASHAO: withdrawable in (59 m|1 h)/);
    expect(await text("#position-requests-note")).to.equal(
      "room for 7 more requests (at most 8 at once, each until it is withdrawn)",
    );
    // What stakers compare: its share, what it earns a day now, its value, what the boost is.
    const treasury = await api<TreasuryAnswer>("/api/treasury");
    expect(treasury.totalStaked.raw).to.equal((500n * ASHAO).toString());
    expect(await text("#position-share")).to.equal("100% of 500 $ASHAO");
    expect(shareText(500n * ASHAO, BigInt(treasury.totalStaked.raw))).to.equal(
      "100% of 500 $ASHAO",
    );
    const perDay = earningPerDay(500n * ASHAO, treasury.yield.current);
    expect(await text("#position-rate")).to.match(/^≈ [\d.,]+ USDC a day$/);
    expect(perDay).to.not.equal(null);
    expect(await text("#position-rate-note")).to.match(/current rate/);
    const value = valueAt(600n * ASHAO, treasury.yield.price!);
    expect(await text("#position-value")).to.equal(`≈ ${amountText(value, "USDC")}`);
    expect(await text("#position-value-note")).to.match(
      /^staked and unstaking, at [\d.]+ USDC per \$ASHAO \(the oracle's price\)$/,
    );
    expect(await text("#position-boost")).to.equal(
      "none yet: a worker staking 1,000 $ASHAO or more is paid +5% on each settled action, out of the protocol's share",
    );
    const summary = await api<{ totalClaimed: { raw: string; decimals: number } }>(
      `/api/stakers/${address}`,
    );
    expect(await text("#position-claimed")).to.equal(amountText(summary.totalClaimed, "USDC"));
    expect(await page.locator("#position-claimed button").getAttribute("title")).to.equal(
      exactAmountText(summary.totalClaimed, "USDC"),
    );

    const { entries } = await api<{ entries: (StakerHistoryEntry & { explorerUrl: string })[] }>(
      `/api/stakers/${address}/history`,
    );
    await page.locator("#history-rows tr").nth(2).waitFor();
    const rows = await table("#history-rows");
    expect(rows.map((r) => r[1])).to.deep.equal(["Unstake request", "Claim", "Stake"]);
    expect(rows[0][2]).to.equal("100 $ASHAO");
    expect(await page.locator("#history-rows tr a").first().getAttribute("href")).to.equal(
      entries[0].explorerUrl,
    );

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#history-csv"),
    ]);
    expect(download.suggestedFilename()).to.equal(`ashao-history-${address}.csv`);
    const csv = readFileSync((await download.path())!, "utf8");
    const served = await (
      await fetch(`${economy.api!.url}/api/stakers/${address}/history.csv`)
    ).text();
    expect(csv).to.equal(served);
    expect(csv.split("\r\n")[1].split(",").slice(1, 5)).to.deep.equal([
      "unstakeRequest",
      "100",
      "$ASHAO",
      "100000000000",
    ]);
  });

  it("on a phone (390 px): an exact amount is one tap away, and one key press", async () => {
    const address = watched.publicKey.toBase58();
    const phone = await openPage(browser, `${economy.api!.url}/?address=${address}`, PHONE);
    const p = phone.page;
    const staked = p.locator("#position-staked");
    await staked.locator("button.amount", { hasText: "500 $ASHAO" }).waitFor();
    expect(await staked.locator(".exact").isVisible()).to.equal(false);
    await staked.locator("button.amount").tap();
    await staked.locator(".exact").waitFor();
    expect(await staked.locator(".exact").innerText()).to.equal(
      "500 $ASHAO (500000000000 base units)",
    );
    const supply = p.locator('[data-figure="totalSupply"]');
    await supply.locator("button").focus();
    await p.keyboard.press("Enter");
    await supply.locator(".exact").waitFor();
    expect(await supply.locator(".exact").innerText()).to.match(/^\d+ base units$/);
    // Each amount button is a target a finger can hit.
    const box = (await staked.locator("button.amount").boundingBox())!;
    expect(box.height).to.be.at.least(20);
    // A position on a phone, its exact figures open: axe-core finds nothing.
    expect(await accessibilityViolations(p)).to.deep.equal([]);
    expect(phone.errors).to.deep.equal([]);
    await p.context().close();
  });

  it("a connected wallet stakes, each amount checked before signing and refused by name", async () => {
    await page.getByRole("button", { name: "Connect Ashao Test Wallet" }).click();
    await page.locator("#position-wallet", { hasText: user.publicKey.toBase58() }).waitFor();
    await page.locator("#wallet-line", { hasText: "holds 2,000 $ASHAO" }).waitFor();
    expect(await page.locator("#actions").isVisible()).to.equal(true);

    await page.fill("#stake-amount", "999999");
    await page.click("#stake");
    await status(
      "stake refused before signing: InsufficientBalance: the wallet holds 2,000 $ASHAO, less than 999,999 $ASHAO",
    );
    await page.fill("#stake-amount", "1.0000000001");
    await page.click("#stake");
    await status("stake refused before signing: InvalidAmount:");
    expect(await text("#stake-status")).to.include("more than 9 decimal places");
    await page.click("#withdraw");
    await status("withdraw refused before signing: NothingToWithdraw");
    await page.click("#close");
    await status("close refused before signing: AccountNotInitialized");
    expect(await fetchStakePosition(economy.program, user.publicKey)).to.equal(null);

    await page.fill("#stake-amount", "1500");
    await page.click("#stake");
    await status("stake confirmed");
    expect((await fetchStakePosition(economy.program, user.publicKey))?.staked).to.equal(
      1_500n * ASHAO,
    );
    await page.locator("#position-staked", { hasText: "1,500 $ASHAO" }).waitFor();
    // Just staked: the tier's boost once the hour's warm-up ends, nothing until then.
    await page.locator("#position-boost", { hasText: "+5%" }).waitFor();
    const boost = await text("#position-boost");
    expect(boost).to.include(
      "+5% on this wallet's worker earnings (the tier from 1,000 $ASHAO staked): work that pays 100 USDC pays 105, the extra out of the protocol's share, once 1,500 $ASHAO staked warms up (",
    );
    expect(boost).to.match(/; until then \+0%$/);
    // The next tier's boost is the total, not an extra on top of today's.
    expect(await text("#position-next-tier")).to.equal(
      "+15% in all (10 points more than now) once 10,000 $ASHAO is staked: 8,500 $ASHAO more",
    );
    expect(
      nextTierText(500, { minStake: (10_000n * ASHAO).toString(), boostBps: 1_500 }, null, 2),
    ).to.equal("the top tier");
    expect(boostText(0, [])).to.equal("none: the treasury has no boost tiers");
  });

  it("claims what streamed to it, and a refusal by the program itself is shown by name", async () => {
    await payRevenue(economy, 100n * USDC);
    await advanceClock(economy.validator.connection, 700);
    await page.waitForFunction(
      () =>
        !/^0 USDC$|…/.test(document.querySelector("#position-pending button")?.textContent ?? "…"),
    );
    const usdcAccount = ownerUsdcAddress(user.publicKey, economy.accounts);
    const before = await tokenBalance(economy.validator.connection, usdcAccount);
    await page.click("#claim");
    await status("claim confirmed");
    const signature = (await text("#stake-status")).split(": ").pop()!;
    const tx = await economy.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [claimed] = findTreasuryEvents(economy.program, tx!.meta!.logMessages!, "rewardsClaimed");
    expect(claimed.data.amount > 0n).to.equal(true);
    expect((await tokenBalance(economy.validator.connection, usdcAccount)) - before).to.equal(
      claimed.data.amount,
    );

    // Paused: the page says so, and the program refuses a stake by its name.
    const pause = (paused: boolean) =>
      setPausedIx(economy.program, economy.accounts, {
        authority: economy.authority.publicKey,
        paused,
      }).then((ix) =>
        sendAndConfirm(economy.validator.connection, [ix], { keypairs: [economy.authority] }),
      );
    await pause(true);
    await page.locator("#paused").waitFor();
    await page.fill("#stake-amount", "10");
    await page.click("#stake");
    await status("stake failed: Paused:");
    await pause(false);
    await page.locator("#paused").waitFor({ state: "hidden" });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  });

  it("says what an unstake request adds, when it matures, that earlier ones keep their dates, and the room left", async () => {
    const unstaking = async () =>
      (await fetchStakePosition(economy.program, user.publicKey))!.unstaking;
    const time = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d UTC`;
    const requests = () => page.locator("#position-requests .request").allInnerTexts();
    const ashaoAccount = ownerAshaoAddress(user.publicKey, economy.accounts);
    await page.fill("#stake-amount", "2000");
    await page.click("#unstake");
    await status(
      "request unstake refused before signing: InsufficientStake: 1,500 $ASHAO is staked",
    );
    expect(await page.locator("#unstake-warning").isVisible()).to.equal(false);
    expect(await text("#position-requests")).to.equal("none waiting");
    expect(await text("#position-requests-note")).to.equal(
      "room for 8 more requests (at most 8 at once, each until it is withdrawn)",
    );

    // None waiting: what it adds, when, what stops now, the room after it; cancelled, nothing sent.
    await page.fill("#stake-amount", "500");
    await page.click("#unstake");
    await page.locator("#unstake-warning").waitFor();
    expect(await text("#unstake-warning-text")).to.match(
      new RegExp(
        String.raw`^This request adds 500 \$ASHAO, withdrawable after the 1 h cooldown, from ${time}\. ` +
          String.raw`500 \$ASHAO stops earning rewards and counting for the worker boost now\. ` +
          String.raw`After it, room for 7 more requests\.$`,
      ),
    );
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("unstake-confirm");
    await page.click("#unstake-cancel");
    expect(await page.locator("#unstake-warning").isVisible()).to.equal(false);
    expect(await unstaking()).to.equal(0n);
    await page.click("#unstake");
    await page.click("#unstake-confirm");
    await status("request unstake confirmed");
    expect(await unstaking()).to.equal(500n * ASHAO);
    await page.locator("#position-unstaking", { hasText: "500 $ASHAO" }).waitFor();
    await page.locator("#position-requests-note", { hasText: "room for 7 more" }).waitFor();

    // One waiting: the new request has its own date, the earlier one keeps its own.
    await advanceClock(economy.validator.connection, 1_000);
    await page.locator("#position-requests", { hasText: "withdrawable in 4" }).waitFor();
    const [first] = await requests();
    const firstDate = /\((.*)\)$/.exec(first)![1];
    await page.fill("#stake-amount", "400");
    await page.click("#unstake");
    await page.locator("#unstake-warning").waitFor();
    expect(await text("#unstake-warning-text")).to.match(
      new RegExp(
        String.raw`^This request adds 400 \$ASHAO, withdrawable after the 1 h cooldown, from ${time}; ` +
          String.raw`the 500 \$ASHAO already unstaking in 1 request keeps its dates ` +
          String.raw`\(the next withdrawable in 4\d m( \d+ s)? \(${firstDate}\)\)\. ` +
          String.raw`400 \$ASHAO stops earning rewards and counting for the worker boost now\. ` +
          String.raw`After it, room for 6 more requests\.$`,
      ),
    );
    // Changing the amount withdraws the warning (it spoke of another amount).
    await page.fill("#stake-amount", "399");
    expect(await page.locator("#unstake-warning").isVisible()).to.equal(false);
    await page.fill("#stake-amount", "400");
    await page.click("#unstake");
    await page.click("#unstake-confirm");
    await status("request unstake confirmed");
    expect(await unstaking()).to.equal(900n * ASHAO);
    await page.locator("#position-requests .request").nth(1).waitFor();
    const [older, newer] = await requests();
    expect(older).to.match(
      new RegExp(`^500 \\$ASHAO: withdrawable in 4\\d m.* \\(${firstDate}\\)$`),
    );
    expect(newer).to.match(/^400 \$ASHAO: withdrawable in (1 h|59 m)/);

    // The first matures; a third request says what is withdrawable now and what comes next.
    await advanceClock(economy.validator.connection, 2_700);
    await page.locator("#position-requests .request", { hasText: "withdrawable now" }).waitFor();
    await page.fill("#stake-amount", "100");
    await page.click("#unstake");
    await page.locator("#unstake-warning").waitFor();
    expect(await text("#unstake-warning-text")).to.match(
      new RegExp(
        String.raw`; the 900 \$ASHAO already unstaking in 2 requests keeps its dates ` +
          String.raw`\(500 \$ASHAO withdrawable now; the next withdrawable in 1\d m( \d+ s)? \(${time}\)\)\. ` +
          String.raw`.* After it, room for 5 more requests\.$`,
      ),
    );
    // The position with its requests and the warning open: axe-core finds nothing, light or dark.
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.emulateMedia({ colorScheme: "light" });
    await page.click("#unstake-confirm");
    await status("request unstake confirmed");

    // Eight waiting (five more at other seconds): a ninth is refused by name before signing.
    for (let i = 0; i < 5; i++) {
      await advanceClock(economy.validator.connection, 1);
      await requestUnstake(economy.program, new Wallet(user), ASHAO);
    }
    await page.locator("#position-requests-note", { hasText: "no room" }).waitFor();
    expect(await text("#position-requests-note")).to.equal(
      "no room for another request (at most 8 at once, each until it is withdrawn): withdraw the matured ones first",
    );
    expect(await requests()).to.have.length(8);
    await page.fill("#stake-amount", "1");
    await page.click("#unstake");
    await status(
      "request unstake refused before signing: UnstakeTicketsFull: all 8 requests this position may hold are waiting: withdraw the matured ones to make room",
    );
    expect(await page.locator("#unstake-warning").isVisible()).to.equal(false);
    expect(await unstaking()).to.equal(1_005n * ASHAO);

    // A withdrawal takes the matured request only; the others keep their dates.
    const before = await tokenBalance(economy.validator.connection, ashaoAccount);
    await page.click("#withdraw");
    await status("withdraw confirmed");
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(
      before + 500n * ASHAO,
    );
    expect(await unstaking()).to.equal(505n * ASHAO);
    await page.locator("#position-requests-note", { hasText: "room for 1 more request" }).waitFor();
    const left = await requests();
    expect(left).to.have.length(7);
    expect(left[0]).to.match(/^400 \$ASHAO: withdrawable in 1\d m/);

    // The last place: the warning says no other request fits after it.
    await page.fill("#stake-amount", "495");
    await page.click("#unstake");
    await page.locator("#unstake-warning").waitFor();
    expect(await text("#unstake-warning-text")).to.match(
      /After it, no other request can be made until a matured one is withdrawn\.$/,
    );
    await page.click("#unstake-confirm");
    await status("request unstake confirmed");
    expect(await unstaking()).to.equal(1_000n * ASHAO);
    await page.locator("#position-staked", { hasText: /^0 \$ASHAO/ }).waitFor();
  });

  it("is refused a withdraw before any request matures, withdraws them after, and closes", async () => {
    const ashaoAccount = ownerAshaoAddress(user.publicKey, economy.accounts);
    const before = await tokenBalance(economy.validator.connection, ashaoAccount);

    await page.click("#withdraw");
    await status(
      "withdraw refused before signing: CooldownNotElapsed: no request has matured yet; the first is withdrawable in",
    );
    await page.click("#close");
    await status("close refused before signing: PositionNotEmpty");
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(before);

    const { unstakeCooldownSecs } = await fetchTreasuryOrThrow(economy.program);
    await advanceClock(economy.validator.connection, unstakeCooldownSecs + 1);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll("#position-requests .request")).every((r) =>
        r.textContent?.endsWith("withdrawable now"),
      ),
    );
    await page.click("#withdraw");
    await status("withdraw confirmed");
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(
      before + 1_000n * ASHAO,
    );
    await page.locator("#position-requests", { hasText: "none waiting" }).waitFor();
    // Whatever streamed until the unstake is still owed: claim it, then close.
    if ((await text("#position-pending")) !== "0 USDC") {
      await page.click("#claim");
      await status("claim confirmed");
    }
    await page.click("#close");
    await status("close confirmed");
    expect(await fetchStakePosition(economy.program, user.publicKey)).to.equal(null);

    await page.locator("#history-rows tr", { hasText: "Close" }).first().waitFor();
    const actions = (await table("#history-rows")).map((r) => r[1]);
    expect(actions[0]).to.equal("Close");
    expect(actions).to.include.members(["Withdrawal", "Unstake request", "Claim", "Stake"]);
  });

  it("says plainly when the API stops answering under the open page, with ages that grow; and when it is back", async () => {
    const { validator } = economy;
    const startOwn = (port = 0) =>
      startApiServer({
        rpcUrl: validator.rpcUrl,
        wsUrl: validator.wsUrl,
        port,
        staticDir: DASHBOARD_DIST,
      });
    let own = await startOwn();
    const port = Number(new URL(own.url).port);
    const live = await openPage(browser, own.url, DESKTOP);
    const p = live.page;
    await p.locator('[data-figure="totalRevenue"]', { hasText: "USDC" }).waitFor();
    expect(await p.locator("#stale").isVisible()).to.equal(false);
    await own.close();
    await p.locator("#stale").waitFor({ timeout: 20_000 });
    expect(await p.locator("#stale-alert").innerText()).to.equal(
      "The API has stopped answering: the figures on this page are not live.",
    );
    expect(await p.locator(".status-line").getAttribute("data-stale")).to.equal("true");
    const ages = await p.locator("#stale-age").innerText();
    expect(ages).to.match(/^Last answer \d+ s ago; the figures below were read \d+ s ago\./);
    await p.waitForFunction(
      (before) => document.querySelector("#stale-age")?.textContent !== before,
      ages,
    );
    const secs = (t: string) => Number(/read (\d+) s ago/.exec(t)?.[1]);
    expect(secs(await p.locator("#stale-age").innerText())).to.be.greaterThan(secs(ages));
    expect(await p.locator("#age").innerText()).to.match(/^read \d+ s ago$/);

    own = await startOwn(port);
    try {
      await p.locator("#stale").waitFor({ state: "hidden", timeout: 20_000 });
      expect(await p.locator(".status-line").getAttribute("data-stale")).to.equal("false");
    } finally {
      await own.close();
    }
    // The browser's own notes of the refused connections, nothing of the page's.
    for (const error of live.errors)
      expect(error).to.match(/Failed to load resource|ERR_CONNECTION_REFUSED/);
    await p.context().close();
  });

  it("logs no console errors", () => {
    expect(tab.errors).to.deep.equal([]);
  });
});
