/**
 * The dashboard for stakers, in headless Chromium (Debian's, driven by playwright-core) against
 * the local economy: the figures equal /api/treasury's, formatted for people with the exact
 * amount on hover; the yield with how it is computed; any wallet's position and history viewed
 * from a pasted address, without a wallet, and its CSV downloaded; a wallet-standard wallet (its
 * key held by the test, signing for real) stakes, claims, unstakes, withdraws after the
 * cooldown and closes, each amount checked before signing and refused by the program's error
 * name, a refusal by the program itself shown by name; no console errors.
 */
import { readFileSync } from "fs";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import type { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import type { TreasuryAnswer } from "../../app/dashboard/src/api";
import {
  amountText,
  exactAmountText,
  figureTexts,
  yieldTexts,
} from "../../app/dashboard/src/format";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
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
import { ARTIFACTS, DESKTOP, launchChromium, openPage, type TestPage } from "./browser";

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
  const status = (pattern: string) => page.locator("#stake-status", { hasText: pattern }).waitFor();
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

  it("shows the treasury's figures for people, each with its exact amount on hover", async () => {
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
    expect(expected.totalSupply).to.match(/^[\d.]+M \$ASHAO$/);
    expect(await page.locator('[data-figure="totalSupply"]').getAttribute("title")).to.equal(
      exactAmountText(answer.totalSupply, "$ASHAO"),
    );
  });

  it("shows the trailing yield with how it is computed", async () => {
    const answer = await api<TreasuryAnswer>("/api/treasury");
    const seven = yieldTexts(answer.yield.trailing7d, 7);
    await page.locator('#yield-7d [data-yield="per-ashao"]', { hasText: seven.perAshao }).waitFor();
    expect(await text('#yield-7d [data-yield="apr"]')).to.match(/^[\d,]+\.\d\d% APR$/);
    expect(await text('#yield-30d [data-yield="released"]')).to.equal(
      yieldTexts(answer.yield.trailing30d, 30).released,
    );
    expect(await text("#yield-method")).to.match(
      /^How: USDC released to stakers per \$ASHAO staked.*reward index/,
    );
    expect(await text("#yield-method")).to.match(/Price used: [\d.]+ USDC per \$ASHAO \(oracle,/);
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
    expect(await text("#position-cooldown")).to.match(/^100 \$ASHAO: withdrawable in (59 m|1 h)/);
    const summary = await api<{ totalClaimed: { raw: string; decimals: number } }>(
      `/api/stakers/${address}`,
    );
    expect(await text("#position-claimed")).to.equal(amountText(summary.totalClaimed, "USDC"));
    expect(await page.locator("#position-claimed").getAttribute("title")).to.equal(
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
    // Just staked: no boost until the hour's warm-up ends, then the first tier's 5%.
    await page
      .locator("#position-boost", { hasText: "0% (+5% once 1,500 $ASHAO warm up, " })
      .waitFor();
    expect(await text("#position-next-tier")).to.equal(
      "+15% with 8,500 $ASHAO more staked (10,000 $ASHAO in all)",
    );
  });

  it("claims what streamed to it, and a refusal by the program itself is shown by name", async () => {
    await payRevenue(economy, 100n * USDC);
    await advanceClock(economy.validator.connection, 700);
    await page.waitForFunction(
      () => !/^0 USDC$|…/.test(document.querySelector("#position-pending")?.textContent ?? "…"),
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

  it("unstakes, is refused a withdraw inside the cooldown before signing, withdraws after it, and closes", async () => {
    const ashaoAccount = ownerAshaoAddress(user.publicKey, economy.accounts);
    const before = await tokenBalance(economy.validator.connection, ashaoAccount);
    await page.fill("#stake-amount", "2000");
    await page.click("#unstake");
    await status(
      "request unstake refused before signing: InsufficientStake: 1,500 $ASHAO is staked",
    );
    await page.fill("#stake-amount", "1500");
    await page.click("#unstake");
    await status("request unstake confirmed");
    await page.locator("#position-unstaking", { hasText: "1,500 $ASHAO" }).waitFor();
    await page.locator("#position-cooldown", { hasText: "withdrawable in" }).waitFor();

    await page.click("#withdraw");
    await status(
      "withdraw refused before signing: CooldownNotElapsed: no request has matured yet; the first matures in",
    );
    await page.click("#close");
    await status("close refused before signing: PositionNotEmpty");
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(before);

    const { unstakeCooldownSecs } = await fetchTreasuryOrThrow(economy.program);
    await advanceClock(economy.validator.connection, unstakeCooldownSecs + 1);
    await page.locator("#position-cooldown", { hasText: "withdrawable now" }).waitFor();
    await page.click("#withdraw");
    await status("withdraw confirmed");
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(
      before + 1_500n * ASHAO,
    );
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

  it("logs no console errors", () => {
    expect(tab.errors).to.deep.equal([]);
  });
});
