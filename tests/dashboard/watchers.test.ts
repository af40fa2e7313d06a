/**
 * The dashboard for treasury watchers, in headless Chromium against the local economy: every
 * buyback with its prices and an explorer link, older ones on request; the supply and what is
 * excluded; solvency with the vaults' addresses; the policy (split, program, upgrade authority,
 * said plainly when one single key holds both, cranks, cap, interval, cooldown, when the next
 * buyback may run), a queued change and authority transfer with their countdowns until applied
 * or cancelled, and the admin log; the 7-day APR once a day of data is in, the 30-day still too
 * early; the history charts (a young treasury's life, not an empty range; the revenue split as
 * grouped bars, both visible; each bucket labelled by the time it covers) with values on hover
 * and a range selector used by keyboard; a page no other site can frame (CSP frame-ancestors,
 * X-Frame-Options); axe-core finds no violations of any impact in light or dark, on a desktop or
 * a phone, where tables show they scroll and navigation targets are 44 px; screenshots of both
 * widths; no console errors.
 */
import { createServer, type Server } from "http";
import type { AddressInfo } from "net";
import { join } from "path";

import { Keypair, PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { Wallet } from "@anchor-lang/core";
import { expect } from "chai";
import pino from "pino";
import type { Browser, Page } from "playwright-core";

import type { BuybacksAnswer, HistoryAnswer, TreasuryAnswer } from "../../app/dashboard/src/api";
import {
  amountText,
  bucketText,
  deviationText,
  exactText,
  keyWarning,
  priceGuardText,
  priceText,
  timeText,
  timeAxisLabels,
  yieldTexts,
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
  accessibilityViolations,
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
    // Exact, every digit grouped: watchers follow these to the base unit.
    await page.locator("#supply-burned", { hasText: exactText(supply.burned, "$ASHAO") }).waitFor();
    expect(await text("#supply-burned")).to.match(/^[\d,]+\.\d+ \$ASHAO$/);
    expect(await text("#supply-burned-share")).to.equal(
      `${supply.burnedPercent}% of ${exactText(supply.initial, "$ASHAO")}`,
    );
    expect(supply.burnedPercent).to.be.greaterThan(0);
    expect(await text("#supply-total")).to.equal(exactText(supply.total, "$ASHAO"));
    expect(await text("#supply-circulating")).to.equal(exactText(supply.circulating, "$ASHAO"));
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
      "50% buybacks / 50% stakers, fixed in the program's code: no parameter changes it; an upgrade of the program could",
    );
    expect(await text("#policy-upgrade")).to.equal(
      `${economy.validator.upgradeAuthority.publicKey.toBase58()} (the same key as the authority)`,
    );
    expect(await text("#policy-authority")).to.equal(
      `${economy.authority.publicKey.toBase58()} (a single key)`,
    );
    // One ordinary key is both the authority and the upgrade authority here: said plainly.
    expect(await page.locator("#single-key").isVisible()).to.equal(true);
    expect(await text("#single-key-text")).to.equal(keyWarning(policy));
    expect(await text("#single-key-text")).to.match(
      /^The treasury's authority is a single key: .* The same key is the program's upgrade authority, so one key can both queue any change .* and upgrade the program at once/,
    );
    // A multisig vault (off the curve) is not warned about.
    expect(keyWarning({ ...policy, authorityHolder: "programAddress" })).to.equal(null);
    expect(await text("#policy-cooldown")).to.equal(
      "1 h from an unstake request to its withdrawal",
    );
    expect(await text("#policy-next-buyback")).to.match(
      /^may run (now|in \d+ s \(.+ UTC\)), (for up to [\d.]+ USDC of the bucket|once revenue fills the bucket \(empty now\))$/,
    );
    expect(await text("#policy-cap")).to.equal("250 USDC");
    expect(await text("#policy-interval")).to.equal("1 m");
    expect(await page.locator("#policy-cranks a").getAttribute("href")).to.include(
      `/address/${economy.crank.publicKey.toBase58()}`,
    );
    expect(await text("#policy-guard")).to.equal(priceGuardText(policy.priceGuard));
    expect(await text("#policy-timelock")).to.equal("1 d 1 h");
    expect(await page.locator("#no-queued-change").isVisible()).to.equal(true);
  });

  it("charts a young treasury's whole life, not an empty range, in buckets that fit it", async () => {
    await page.locator("#history").scrollIntoViewIfNeeded();
    await page.locator("#charts figure canvas").nth(5).waitFor();
    // Twelve minutes or so of history: the 24 h range shows those, by the minute.
    expect(await text("#range-note")).to.match(
      /^The treasury is 1\d min old: the charts show all of its history \(since .+ UTC\), by 1m\.$/,
    );
    const points = Number(await page.getAttribute("#charts", "data-points"));
    expect(points).to.be.within(10, 16);
    expect(await text("#readout-revenue")).to.match(
      /^latest, \d{4}-\d\d-\d\d \d\d:\d\d–\d\d:\d\d UTC: to buybacks/,
    );
    // The two halves of the split are equal: as grouped bars, both are drawn, side by side.
    await page.locator("#chart-revenue canvas").scrollIntoViewIfNeeded();
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>("#chart-revenue canvas")!;
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      const rgb = (name: string) => {
        const hex = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
        return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      };
      return ["--chart-2", "--chart-3"].map((name) => {
        const [r, g, b] = rgb(name);
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] === r && data[i + 1] === g && data[i + 2] === b) count++;
        }
        return count;
      });
    });
    expect(painted[0], "pixels of the buyback series").to.be.greaterThan(100);
    expect(painted[1], "pixels of the stakers' series").to.be.greaterThan(100);
    expect(painted[0] / painted[1]).to.be.within(0.8, 1.25);

    // The time axis: 24-hour UTC, the date written so it cannot be read the wrong way round.
    expect(
      timeAxisLabels(
        [Date.UTC(2026, 11, 7, 23, 0) / 1000, Date.UTC(2026, 11, 8, 13, 0) / 1000],
        3_600,
      ),
    ).to.deep.equal(["23:00\n7 Dec", "13:00\n8 Dec"]);
    expect(bucketText("2026-12-07T23:00:00.000Z", 3_600, "2026-12-08T05:00:00.000Z")).to.equal(
      "2026-12-07 23:00 – 2026-12-08 00:00 UTC",
    );
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

    // The admin log the API serves, newest first (read again as the indexer stores each action).
    await page
      .locator("#admin-log-rows tr", { hasText: "Authority transfer cancelled" })
      .waitFor({ timeout: 20_000 });
    const log = await table("#admin-log-rows");
    expect(log.map((r) => r[1])).to.deep.equal([
      "Authority transfer cancelled",
      "Queued change dropped (an emergency change set its parameter)",
      "Parameters updated",
      "Change queued",
      "Parameters updated",
      "Queued change applied",
      "Authority transfer proposed",
      "Change queued",
      "Initialised",
    ]);
    expect(log[1][2]).to.equal("Slippage below the oracle: 3%");
    expect(log[7][2]).to.match(/^Largest buyback: 500 USDC; Slippage below the oracle: 2%; from /);
    expect(log[5][2]).to.match(/^Largest buyback: 500 USDC; Slippage below the oracle: 2%; by /);
    expect(log[6][2]).to.match(
      new RegExp(
        `^to ${next.toBase58().slice(0, 4)}…${next.toBase58().slice(-4)}, who may accept from `,
      ),
    );
  });

  it("shows the 7-day APR once a day of data is in; the 30-day, from its own data, is still too early", async () => {
    const { yield: y } = await api<TreasuryAnswer>("/api/treasury");
    expect(y.trailing7d.apr).to.be.a("number");
    expect(y.trailing30d.apr).to.equal(null);
    await page
      .locator('#yield-7d [data-yield="apr"]', { hasText: yieldTexts(y.trailing7d, 7).apr })
      .waitFor();
    expect(await text('#yield-7d [data-yield="apr"]')).to.match(/^[\d,]+\.\d\d% APR$/);
    expect(await text('#yield-30d [data-yield="apr"]')).to.match(
      /^too early: 1 day( \d+ h)? of data$/,
    );
  });

  it("charts the history with values on hover and a range selector that works by keyboard", async () => {
    await page.locator("#history").scrollIntoViewIfNeeded();
    await page.locator("#charts figure canvas").nth(5).waitFor();
    expect(await page.locator("#charts figure").count()).to.equal(6);
    expect(await page.getAttribute("#charts", "data-range")).to.equal("24h");

    // By keyboard: focus the selector and move to "All".
    await page.focus('#range button[data-range="24h"]');
    for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal("All");
    const asked = page.waitForRequest(/\/api\/treasury\/history/);
    await page.keyboard.press("Enter");
    const path = new URL((await asked).url()).pathname + new URL((await asked).url()).search;
    await page.waitForFunction(
      () => document.querySelector("#charts")?.getAttribute("data-range") === "all",
    );
    expect(await page.getAttribute('#range button[data-range="all"]', "aria-pressed")).to.equal(
      "true",
    );
    expect(await page.getAttribute('#range button[data-range="24h"]', "aria-pressed")).to.equal(
      "false",
    );
    // Past a day and an hour old (the timelock): "all" is its whole life, from its first second,
    // by 15 minutes (by 5, it would be over the 300 points a chart draws).
    expect(path).to.match(/^\/api\/treasury\/history\?from=\d+&to=\d+&interval=15m$/);
    const all = await api<HistoryAnswer>(path);
    await page.waitForFunction(
      (n) => document.querySelector("#charts")?.getAttribute("data-points") === n,
      String(all.points.length),
    );
    expect(await text("#chart-revenue-title")).to.equal(
      `Revenue split, per ${all.interval} (USDC)`,
    );

    // Hovering shows the exact values of the point under the cursor.
    const chart = page.locator("#chart-revenue .u-over");
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.98, box.y + box.height / 2);
    await page.waitForFunction(
      () => !/^latest/.test(document.querySelector("#readout-revenue")?.textContent ?? "latest"),
    );
    const index = Number(await page.getAttribute("#readout-revenue", "data-index"));
    const point = all.points[index];
    expect(await text("#readout-revenue")).to.equal(
      `${bucketText(point.t, 900, all.to)}: to buybacks ${amountText({ raw: point.toBuyback, decimals: 6 }, "USDC")}, ` +
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

  it("has no accessibility violations (axe-core) in light and dark; desktop screenshot", async () => {
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-desktop.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.locator("#history").scrollIntoViewIfNeeded();
    await page.locator("#charts figure canvas").nth(5).waitFor();
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-desktop-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("cannot be framed by another site: CSP frame-ancestors 'none', X-Frame-Options DENY, nosniff", async () => {
    const response = await fetch(economy.api!.url);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).to.include("frame-ancestors 'none'");
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.not.include("unsafe-inline");
    expect(response.headers.get("x-frame-options")).to.equal("DENY");
    expect(response.headers.get("x-content-type-options")).to.equal("nosniff");

    // Another origin's page that frames the dashboard.
    const framing: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>framing</title><iframe src="${economy.api!.url}/"></iframe>`);
    });
    await new Promise<void>((resolve) => framing.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = framing.address() as AddressInfo;
      // localhost is another origin than 127.0.0.1.
      let blocked!: Promise<unknown>;
      const other = await openPage(browser, `http://localhost:${port}/`, {
        ...DESKTOP,
        before: async (p) => {
          blocked = p.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
        },
      });
      await blocked;
      const frame = other.page.frames().find((f) => f !== other.page.mainFrame())!;
      expect(await frame.locator("#main").count()).to.equal(0);
      expect(other.errors.join("\n")).to.match(/Framing '.*' violates .*"frame-ancestors 'none'"/);
      await other.page.context().close();
    } finally {
      await new Promise((resolve) => framing.close(resolve));
    }
  });

  it("reads on a phone: one column, nothing wider than the screen, no accessibility violations; phone screenshot", async () => {
    const phone = await openPage(browser, economy.api!.url, PHONE);
    tabs.push(phone);
    await phone.page.locator("#buyback-rows tr").first().waitFor();
    await phone.page.locator("#history").scrollIntoViewIfNeeded();
    await phone.page.locator("#charts figure canvas").nth(5).waitFor();
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).to.equal(0);
    const chartWidth = (await phone.page.locator("#chart-burned").boundingBox())!.width;
    expect(chartWidth).to.be.at.most(390);
    // A table wider than the screen says it scrolls (and scrolls by keyboard too).
    const buybacks = phone.page.locator("#buybacks .scroll");
    expect(await buybacks.getAttribute("data-overflow")).to.equal("true");
    expect(await phone.page.locator("#buybacks .scroll-hint").isVisible()).to.equal(true);
    expect(await buybacks.getAttribute("tabindex")).to.equal("0");
    // Navigation targets a thumb can hit: 44 px tall.
    const heights = await phone.page
      .locator("nav a")
      .evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height));
    expect(Math.min(...heights)).to.be.at.least(44);
    expect(await accessibilityViolations(phone.page)).to.deep.equal([]);
    await phone.page.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png"), fullPage: true });
  });

  it("logs no console errors", () => {
    expect(tabs.flatMap((t) => t.errors)).to.deep.equal([]);
  });
});
