/**
 * The dashboard's Workers section, in headless Chromium against the local economy: its code is
 * not loaded with the first screen; a bad address is refused by name in sight, nothing shown
 * under it; a worker at the first tier (some stake warming, some unstaking) shows its boost and
 * why, the next tier, what settlements paid it in all and each settlement with its boost, paged,
 * each amount's exact figure one tap away, and its CSV; a wallet without a position shows no
 * boost and the first tier; "loading…" while the answer is on its way; the history charts show
 * revenue by source and what usage paid workers; axe-core finds nothing, light or dark; no
 * console errors.
 */
import { readFileSync } from "fs";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import type { TreasuryAnswer, WorkerAnswer } from "../../app/dashboard/src/api";
import {
  amountText,
  exactAmountText,
  nextTierText,
  warmingText,
  workerTierText,
} from "../../app/dashboard/src/format";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import { MIN_UNSTAKE_COOLDOWN_SECS, requestUnstake, settleUsage, stake } from "../../app/sdk/src";
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
/** Settlements paying the staking worker: one more than a page of the section (10). */
const SETTLEMENTS = 11;

describe("dashboard: Workers (headless Chromium)", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let browser: Browser;
  let tab: TestPage;
  let page: Page;
  let sam: Keypair;
  const nina = Keypair.generate().publicKey;
  /** The dashboard's script files the page asked for. */
  const scripts: string[] = [];

  const api = async <T>(path: string) =>
    (await (await fetch(`${economy.api!.url}${path}`)).json()) as T;
  const text = (selector: string) => page.locator(selector).innerText();
  const lookUp = async (address: string) => {
    await page.fill("#worker-address", address);
    await page.press("#worker-address", "Enter");
  };

  before(async function () {
    this.timeout(180_000);
    economy = await startLocalEconomy({ simulate: false, crank: false });
    await payRevenue(economy, 300n * USDC);
    // Sam: 2,000 $ASHAO warmed up (the first tier, 5%); then 500 more (warming) and 100
    // requested back (taken from the warming stake first).
    sam = await fundedWallet(economy, 2_500n * ASHAO);
    await stake(economy.program, new Wallet(sam), 2_000n * ASHAO);
    await advanceClock(economy.validator.connection, MIN_UNSTAKE_COOLDOWN_SECS);
    const billing = new Wallet(economy.billing);
    await settleUsage(economy.program, billing, {
      gross: 100n * USDC,
      workers: [
        { worker: sam.publicKey, base: 40n * USDC },
        { worker: nina, base: 20n * USDC },
      ],
    });
    for (let i = 1; i < SETTLEMENTS; i++) {
      await settleUsage(economy.program, billing, {
        gross: 20n * USDC,
        workers: [{ worker: sam.publicKey, base: BigInt(i) * USDC + 7n }],
      });
    }
    await stake(economy.program, new Wallet(sam), 500n * ASHAO);
    await requestUnstake(economy.program, new Wallet(sam), 100n * ASHAO);
    browser = await launchChromium();
    tab = await openPage(browser, economy.api!.url, {
      ...DESKTOP,
      before: async (p) => {
        p.on("request", (r) => {
          if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
        });
      },
    });
    page = tab.page;
  });

  after(async () => {
    await browser?.close();
    await economy?.stop();
  });

  it("loads its code only when asked, and refuses a bad address by name in sight", async () => {
    await page.locator('[data-figure="totalRevenue"]', { hasText: "USDC" }).waitFor();
    expect(
      scripts.some((s) => /\/workers-/.test(s)),
      scripts.join(),
    ).to.equal(false);
    await lookUp("not-a-wallet");
    await page
      .locator("#worker-error", { hasText: '"not-a-wallet" is not a Solana address' })
      .waitFor();
    expect(scripts.some((s) => /\/workers-/.test(s))).to.equal(true);
    expect(await page.locator("#worker-view").isVisible()).to.equal(false);
  });

  it("says it is loading, then shows the boost now and why, the next tier and the earnings", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/workers/**", (route) => held.then(() => route.continue()));
    const address = sam.publicKey.toBase58();
    await lookUp(address);
    await page.locator("#worker-view").waitFor();
    expect(await page.locator("#worker-error").isVisible()).to.equal(false);
    expect(await text("#worker-boost")).to.equal("loading…");
    expect(await page.getAttribute("#worker-view", "aria-busy")).to.equal("true");
    release();
    await page.locator("#worker-settlements", { hasText: String(SETTLEMENTS) }).waitFor();
    await page.unroute("**/api/workers/**");
    expect(await page.getAttribute("#worker-view", "aria-busy")).to.equal("false");
    expect(page.url()).to.contain(`worker=${address}`);

    const answer = await api<WorkerAnswer>(`/api/workers/${address}`);
    const treasury = await api<TreasuryAnswer>("/api/treasury");
    const tiers = treasury.policy.params.boostTiers;
    const b = answer.boost;
    expect(b.boostBps).to.equal(500);
    expect(await text("#worker-boost")).to.equal(
      workerTierText(b.boostBps, b.tier, b.countedStake, tiers),
    );
    expect(await text("#worker-boost")).to.equal(
      "+5% on each settled base share: 2,000 $ASHAO counts, the tier from 1,000 $ASHAO",
    );
    expect(await text("#worker-counted")).to.equal("2,000 $ASHAO");
    expect(await text("#worker-warming")).to.equal(
      warmingText(b.warming, b.warmupEndsAt, b.boostBps, b.boostBpsOnceWarm),
    );
    expect(await text("#worker-warming")).to.match(/^400 \$ASHAO, counting from \d{4}-\d\d-\d\d /);
    expect(await text("#worker-unstaking")).to.equal("100 $ASHAO");
    expect(await text("#worker-next-tier")).to.equal(
      nextTierText(b.boostBpsOnceWarm, b.nextTier, b.stakeToNextTier, tiers.length),
    );
    expect(await text("#worker-next-tier")).to.match(/^\+15% in all .* 7,600 \$ASHAO more$/);
    expect(await text("#worker-paid")).to.equal(amountText(answer.earnings.paid, "USDC"));
    expect(await text("#worker-boost-paid")).to.equal(amountText(answer.earnings.boost, "USDC"));
  });

  it("lists each settlement with its boost, paged, each amount exact on a tap, and its CSV", async () => {
    const address = sam.publicKey.toBase58();
    const answer = await api<WorkerAnswer>(`/api/workers/${address}?limit=${SETTLEMENTS}`);
    await page.locator("#worker-rows tr").nth(9).waitFor();
    const table = () =>
      page
        .locator("#worker-rows tr")
        .evaluateAll((rows) =>
          rows.map((r) => Array.from(r.children).map((c) => (c as HTMLElement).innerText)),
        );
    expect((await table()).length).to.equal(10);
    const newest = answer.settlements[0];
    // Base 10 USDC + 7 base units at 5%: 0.5 USDC of boost.
    expect((await table())[0].slice(1, 5)).to.deep.equal([
      amountText(newest.base, "USDC"),
      `${amountText(newest.boost, "USDC")} (+5%)`,
      amountText(newest.paid, "USDC"),
      newest.batchId,
    ]);
    expect(newest.boost.raw).to.equal("500000");
    await page.click("#worker-more");
    await page
      .locator("#worker-rows tr")
      .nth(SETTLEMENTS - 1)
      .waitFor();
    expect(await page.locator("#worker-more").isVisible()).to.equal(false);
    const rows = await table();
    expect(rows.map((r) => r[4])).to.deep.equal(answer.settlements.map((s) => s.batchId));
    // The first settlement paid the non-staker too: Sam's 40 USDC at 5%.
    expect(rows[SETTLEMENTS - 1][2]).to.equal("2 USDC (+5%)");

    const paid = page.locator("#worker-rows tr").first().locator("td").nth(3);
    await paid.locator("button.amount").click();
    await paid.locator(".exact").waitFor();
    expect(await paid.locator(".exact").innerText()).to.equal(exactAmountText(newest.paid, "USDC"));

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#worker-csv"),
    ]);
    expect(download.suggestedFilename()).to.equal(`ashao-worker-earnings-${address}.csv`);
    const csv = readFileSync((await download.path())!, "utf8");
    const served = await (
      await fetch(`${economy.api!.url}/api/workers/${address}/earnings.csv`)
    ).text();
    expect(csv).to.equal(served);
    expect(csv.split("\r\n").filter((l) => l !== "").length).to.equal(1 + SETTLEMENTS);
  });

  it("a wallet without a position: no boost, the first tier next", async () => {
    await lookUp(nina.toBase58());
    await page
      .locator("#worker-boost", {
        hasText: "none: 0 $ASHAO counts, below the first tier (1,000 $ASHAO for +5%)",
      })
      .waitFor();
    expect(await text("#worker-settlements")).to.equal("1");
    expect(await text("#worker-next-tier")).to.equal(
      "no stake position: +5% in all once 1,000 $ASHAO is staked: 1,000 $ASHAO more",
    );
    expect(await text("#worker-warming")).to.equal("none");
    expect((await page.locator("#worker-rows tr").allInnerTexts())[0]).to.contain("0 USDC (+0%)");
    // One character short of a key: refused, the wallet's figures gone.
    await lookUp(nina.toBase58().slice(0, -2));
    await page.locator("#worker-error", { hasText: "is not a Solana address" }).waitFor();
    expect(await page.locator("#worker-view").isVisible()).to.equal(false);
    expect(page.url()).to.not.contain("worker=");
    await lookUp(sam.publicKey.toBase58());
    await page.locator("#worker-settlements", { hasText: String(SETTLEMENTS) }).waitFor();
  });

  it("charts revenue by source and what usage paid workers", async () => {
    await page.locator("#history").scrollIntoViewIfNeeded();
    await page.locator("#charts figure canvas").nth(5).waitFor();
    await page.locator("#readout-sources", { hasText: "usage settled" }).waitFor();
    expect(await text("#chart-sources-title")).to.match(/^Revenue by source, per \w+ \(USDC\)$/);
    expect(await text("#readout-sources")).to.match(
      /: usage settled [\d.,]+ USDC, direct deposits [\d.,]+ USDC$/,
    );
    expect(await text("#chart-workers-title")).to.match(/^Usage paid to workers, per \w+/);
    expect(await text("#readout-workers")).to.match(
      /: paid, boosts included [\d.,]+ USDC, of it, boosts [\d.,]+ USDC$/,
    );
  });

  it("has no accessibility violations (axe-core) with a worker shown, light and dark", async () => {
    await page.locator("#workers").scrollIntoViewIfNeeded();
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.locator("#workers").screenshot({ path: join(ARTIFACTS, "dashboard-workers.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.locator("#workers").screenshot({
      path: join(ARTIFACTS, "dashboard-workers-dark.png"),
    });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("on a phone (390 px), from ?worker=: the worker's figures, nothing wider than the screen, no violations", async () => {
    const address = sam.publicKey.toBase58();
    const phone = await openPage(browser, `${economy.api!.url}/?worker=${address}`, PHONE);
    const p = phone.page;
    await p.locator("#worker-rows tr").nth(9).waitFor();
    expect(await p.inputValue("#worker-address")).to.equal(address);
    await p.locator("#workers").scrollIntoViewIfNeeded();
    const paid = p.locator("#worker-paid");
    await paid.locator("button.amount").tap();
    await paid.locator(".exact").waitFor();
    const overflow = await p.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).to.equal(0);
    expect(await accessibilityViolations(p)).to.deep.equal([]);
    await p
      .locator("#workers")
      .screenshot({ path: join(ARTIFACTS, "dashboard-workers-phone.png") });
    expect(phone.errors).to.deep.equal([]);
    await p.context().close();
  });

  it("logs no console errors", () => {
    expect(tab.errors).to.deep.equal([]);
  });
});
