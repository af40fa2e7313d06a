/**
 * The dashboard for treasury watchers, in headless Chromium against the local economy: every
 * buyback with its prices and an explorer link, older ones on request; the supply and what is
 * excluded; solvency with the vaults' addresses; the policy (split, program, upgrade authority,
 * cranks, cap, interval) and a queued change and authority transfer with their countdowns until
 * applied or cancelled; the history charts with values on hover and a range selector used by
 * keyboard; axe-core finds no serious violations in light or dark, on a desktop or a phone;
 * screenshots of both widths; no console errors.
 */
import { join } from "path";

import { Keypair, PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { Wallet } from "@anchor-lang/core";
import { expect } from "chai";
import pino from "pino";
import type { Browser, Page } from "playwright-core";

import type { BuybacksAnswer, HistoryAnswer, TreasuryAnswer } from "../../app/dashboard/src/api";
import {
  amountText,
  deviationText,
  priceGuardText,
  priceText,
  timeText,
} from "../../app/dashboard/src/format";
import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import {
  applyConfigChangeIx,
  proposeAuthorityIx,
  queueConfigChangeIx,
  sendAndConfirm,
  stake,
  updateConfigIx,
} from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import {
  ARTIFACTS,
  DESKTOP,
  launchChromium,
  openPage,
  PHONE,
  seriousAccessibilityViolations,
  type TestPage,
} from "./browser";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
/** One more than the dashboard's first page of buybacks. */
const BUYBACKS = 11;

describe("dashboard for treasury watchers (headless Chromium)", function () {
  this.timeout(180_000);
  let economy: LocalEconomy;
  let browser: Browser;
  const tabs: TestPage[] = [];
  let page: Page;

  const api = async <T>(path: string) =>
    (await (await fetch(`${economy.api!.url}${path}`)).json()) as T;
  const text = (selector: string) => page.locator(selector).innerText();
  const table = (selector: string) =>
    page
      .locator(`${selector} tr`)
      .evaluateAll((rows) =>
        rows.map((r) => Array.from(r.children).map((c) => (c as HTMLElement).innerText)),
      );
  const asAuthority = (ix: TransactionInstruction) =>
    sendAndConfirm(economy.validator.connection, [ix], { keypairs: [economy.authority] });

  before(async function () {
    this.timeout(300_000);
    economy = await startLocalEconomy({ simulate: false, crank: false });
    const staker = await fundedWallet(economy, 3_000n * ASHAO);
    await stake(economy.program, new Wallet(staker), 3_000n * ASHAO);
    // Small buybacks, one a minute on the chain's clock, each from fresh revenue.
    const config = { ...economy.crankConfig, intervalSecs: 1 };
    for (let i = 0; i < BUYBACKS; i++) {
      await payRevenue(economy, 20n * USDC);
      const result = await runCrankCycle(
        economy.crankDeps(config, pino({ level: "silent" })),
        config,
      );
      if (result.status !== "bought") throw new Error(`no buyback: ${JSON.stringify(result)}`);
      await advanceClock(economy.validator.connection, 61);
    }
    browser = await launchChromium();
    const tab = await openPage(browser, economy.api!.url, DESKTOP);
    tabs.push(tab);
    page = tab.page;
    await page.locator("#buyback-rows tr").first().waitFor();
  });

  after(async () => {
    await browser?.close();
    await economy?.stop();
  });

  it("lists every buyback with its prices and an explorer link, older ones on request", async () => {
    const { buybacks } = await api<BuybacksAnswer>(`/api/buybacks?limit=${BUYBACKS}`);
    expect(buybacks).to.have.length(BUYBACKS);
    await page.locator("#buyback-rows tr").nth(9).waitFor();
    expect(await page.locator("#buyback-rows tr").count()).to.equal(10);
    await page.click("#buybacks-more");
    await page
      .locator("#buyback-rows tr")
      .nth(BUYBACKS - 1)
      .waitFor();
    expect(await page.locator("#buybacks-more").isVisible()).to.equal(false);
    const rows = await table("#buyback-rows");
    expect(rows).to.deep.equal(
      buybacks.map((b) => [
        timeText(b.at),
        amountText(b.usdcSpent, "USDC"),
        amountText(b.ashaoBurned, "$ASHAO"),
        priceText(b.effectivePrice, "USDC"),
        priceText(b.oraclePrice!, "USDC"),
        deviationText(b.deviationBps),
        `${b.signature.slice(0, 4)}…${b.signature.slice(-4)}`,
      ]),
    );
    const links = await page
      .locator("#buyback-rows a")
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).to.deep.equal(buybacks.map((b) => b.explorerUrl));
    expect(links[0]).to.match(
      /^https:\/\/explorer\.solana\.com\/tx\/\w+\?cluster=custom&customUrl=/,
    );
  });

  it("shows the supply: burned as an amount and a share, circulating, and what is excluded with its address", async () => {
    const { supply } = await api<TreasuryAnswer>("/api/treasury");
    await page
      .locator("#supply-burned", { hasText: amountText(supply.burned, "$ASHAO") })
      .waitFor();
    expect(await text("#supply-burned-share")).to.equal(
      `${supply.burnedPercent}% of ${amountText(supply.initial, "$ASHAO")}`,
    );
    expect(supply.burnedPercent).to.be.greaterThan(0);
    expect(await text("#supply-circulating")).to.equal(amountText(supply.circulating, "$ASHAO"));
    const excluded = page.locator("#supply-excluded li");
    expect(await excluded.count()).to.equal(1);
    expect(await excluded.innerText()).to.equal(
      `stake vault (staked and unstaking): 3,000 $ASHAO at ${economy.accounts.stakeVault.toBase58()}`,
    );
  });

  it("shows solvency: each vault with its address against what it owes, and the line to verify", async () => {
    const { solvency } = await api<TreasuryAnswer>("/api/treasury");
    await page.locator("#solvency-status", { hasText: "Solvent" }).waitFor();
    const rows = await table("#solvency-rows");
    const short = (key: PublicKey) => `${key.toBase58().slice(0, 4)}…${key.toBase58().slice(-4)}`;
    expect(rows[0][0]).to.equal(`Buyback vault ${short(economy.accounts.buybackVault)}`);
    expect(rows[1][0]).to.equal(`Rewards vault ${short(economy.accounts.rewardsVault)}`);
    expect(await page.locator("#solvency-rows a").first().getAttribute("title")).to.equal(
      economy.accounts.buybackVault.toBase58(),
    );
    expect(rows[1].slice(1)).to.deep.equal([
      amountText(solvency.rewards.holds, "USDC"),
      amountText(solvency.rewards.owes, "USDC"),
      amountText(solvency.rewards.surplus, "USDC"),
    ]);
    expect(await text("#solvency-line")).to.equal(solvency.line);
    expect(await page.locator("#solvency-identities li").count()).to.equal(3);
  });

  it("shows the policy: the fixed split, the program and its upgrade authority, cranks, cap, interval", async () => {
    const { policy } = await api<TreasuryAnswer>("/api/treasury");
    await page.locator("#policy-program", { hasText: policy.programId }).waitFor();
    expect(await text("#policy-split")).to.equal(
      "50% buybacks / 50% stakers, fixed in the program",
    );
    expect(await text("#policy-upgrade")).to.equal(
      economy.validator.upgradeAuthority.publicKey.toBase58(),
    );
    expect(await text("#policy-authority")).to.equal(economy.authority.publicKey.toBase58());
    expect(await text("#policy-cap")).to.equal("250 USDC");
    expect(await text("#policy-interval")).to.equal("1 m");
    expect(await page.locator("#policy-cranks a").getAttribute("href")).to.include(
      `/address/${economy.crank.publicKey.toBase58()}`,
    );
    expect(await text("#policy-guard")).to.equal(priceGuardText(policy.priceGuard));
    expect(await text("#policy-timelock")).to.equal("1 d 1 h");
    expect(await page.locator("#no-queued-change").isVisible()).to.equal(true);
  });

  it("shows a queued change and an authority transfer with countdowns until applied or cancelled", async () => {
    const { accounts, program } = economy;
    const next = Keypair.generate().publicKey;
    await asAuthority(
      await queueConfigChangeIx(program, accounts, {
        authority: economy.authority.publicKey,
        change: { maxBuybackUsdc: 500n * USDC, maxSlippageBps: 200 },
      }),
    );
    await asAuthority(
      await proposeAuthorityIx(program, accounts, {
        authority: economy.authority.publicKey,
        newAuthority: next,
      }),
    );
    await page.locator("#queued-change").waitFor();
    await page.locator("#pending-authority").waitFor();
    const { policy } = await api<TreasuryAnswer>("/api/treasury");
    expect(await table("#queued-rows")).to.deep.equal([
      ["Largest buyback", "250 USDC", "500 USDC"],
      ["Slippage below the oracle", "1%", "2%"],
    ]);
    expect(await text("#queued-eta")).to.equal(timeText(policy.queuedChange!.eta.at));
    const countdown = await text("#queued-status");
    // The timelock: the one-hour cooldown plus the day's reaction window.
    expect(countdown).to.match(/^applies in (1 d 1 h|1 d 59 m)( \d+ s)?$/);
    await page.waitForFunction(
      (before) => document.querySelector("#queued-status")?.textContent !== before,
      countdown,
    );
    expect(await text("#pending-authority-address")).to.equal(next.toBase58());
    expect(await text("#pending-authority-status")).to.match(
      /^may accept in (1 d 1 h|1 d 59 m)( \d+ s)?$/,
    );
    expect(await text("#pending-authority-expires")).to.equal(
      timeText(policy.pendingAuthority!.expiresAt.at),
    );
    await page
      .locator("section.policy")
      .screenshot({ path: join(ARTIFACTS, "dashboard-admin.png") });

    await advanceClock(economy.validator.connection, policy.timelockSecs + 1);
    await page.locator("#queued-status", { hasText: "anyone may apply it now" }).waitFor();
    await page.locator("#pending-authority-status", { hasText: "may accept now" }).waitFor();
    const stranger = await fundedWallet(economy, 0n);
    await sendAndConfirm(
      economy.validator.connection,
      [await applyConfigChangeIx(program, accounts, { caller: stranger.publicKey })],
      { keypairs: [stranger] },
    );
    await page.locator("#no-queued-change").waitFor();
    await page.locator("#policy-cap", { hasText: "500 USDC" }).waitFor();
    await page.locator("#last-queued-change-text", { hasText: "applied" }).waitFor();
    // An emergency on a field of a newly queued change drops it, and the page says so.
    await asAuthority(
      await queueConfigChangeIx(program, accounts, {
        authority: economy.authority.publicKey,
        change: { maxSlippageBps: 300 },
      }),
    );
    await page.locator("#queued-change").waitFor();
    await asAuthority(
      await updateConfigIx(program, accounts, {
        authority: economy.authority.publicKey,
        change: { maxSlippageBps: 100 },
      }),
    );
    await page.locator("#no-queued-change").waitFor();
    await page.locator("#last-queued-change-text", { hasText: "superseded" }).waitFor();
    await asAuthority(
      await proposeAuthorityIx(program, accounts, {
        authority: economy.authority.publicKey,
        newAuthority: PublicKey.default,
      }),
    );
    await page.locator("#pending-authority").waitFor({ state: "hidden" });
  });

  it("charts the history with values on hover and a range selector that works by keyboard", async () => {
    await page.locator("#charts figure canvas").nth(3).waitFor();
    expect(await page.locator("#charts figure").count()).to.equal(4);
    expect(await page.getAttribute("#charts", "data-range")).to.equal("24h");

    // By keyboard: focus the selector and move to "All".
    await page.focus('#range button[data-range="24h"]');
    for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal("All");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => document.querySelector("#charts")?.getAttribute("data-range") === "all",
    );
    expect(await page.getAttribute('#range button[data-range="all"]', "aria-pressed")).to.equal(
      "true",
    );
    expect(await page.getAttribute('#range button[data-range="24h"]', "aria-pressed")).to.equal(
      "false",
    );
    const all = await api<HistoryAnswer>("/api/treasury/history?range=all");
    await page.waitForFunction(
      (n) => document.querySelector("#charts")?.getAttribute("data-points") === n,
      String(all.points.length),
    );
    expect(await text("#chart-revenue-title")).to.equal(
      `Revenue split, per ${all.interval} (USDC)`,
    );

    // Hovering shows the exact values of the point under the cursor.
    const chart = page.locator("#chart-revenue .u-over");
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.98, box.y + box.height / 2);
    await page.waitForFunction(
      () => !/^latest/.test(document.querySelector("#readout-revenue")?.textContent ?? "latest"),
    );
    const index = Number(await page.getAttribute("#readout-revenue", "data-index"));
    const point = all.points[index];
    expect(await text("#readout-revenue")).to.equal(
      `${timeText(point.t)}: to buybacks ${amountText({ raw: point.toBuyback, decimals: 6 }, "USDC")}, ` +
        `to stakers ${amountText({ raw: point.toStakers, decimals: 6 }, "USDC")}`,
    );
    const legend = await page.locator("#chart-revenue .u-legend .u-value").allInnerTexts();
    expect(legend.slice(1)).to.deep.equal([
      amountText({ raw: point.toBuyback, decimals: 6 }, "USDC"),
      amountText({ raw: point.toStakers, decimals: 6 }, "USDC"),
    ]);
    await page.mouse.move(0, 0);
    await page.click('#range button[data-range="7d"]');
    await page.waitForFunction(
      () => document.querySelector("#charts")?.getAttribute("data-range") === "7d",
    );
  });

  it("has no serious accessibility violations (axe-core) in light and dark; desktop screenshot", async () => {
    expect(await seriousAccessibilityViolations(page)).to.deep.equal([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-desktop.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.locator("#charts figure canvas").nth(3).waitFor();
    expect(await seriousAccessibilityViolations(page)).to.deep.equal([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-desktop-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("reads on a phone: one column, nothing wider than the screen, no serious violations; phone screenshot", async () => {
    const phone = await openPage(browser, economy.api!.url, PHONE);
    tabs.push(phone);
    await phone.page.locator("#buyback-rows tr").first().waitFor();
    await phone.page.locator("#charts figure canvas").nth(3).waitFor();
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).to.equal(0);
    const chartWidth = (await phone.page.locator("#chart-burned").boundingBox())!.width;
    expect(chartWidth).to.be.at.most(390);
    expect(await seriousAccessibilityViolations(phone.page)).to.deep.equal([]);
    await phone.page.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });
  });

  it("logs no console errors", () => {
    expect(tabs.flatMap((t) => t.errors)).to.deep.equal([]);
  });
});
