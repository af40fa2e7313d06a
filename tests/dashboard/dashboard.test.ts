/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against the local
 * economy: the page's figures equal /api/treasury's, and a wallet injected through the wallet
 * standard (its key held by the test, signing for real) connects, stakes and claims through the
 * staking panel; the price guard, a queued admin change with its countdown and a pending
 * authority transfer are shown until applied or cancelled; a buyback is listed with the oracle
 * price, the price paid and the deviation. Saves artifacts/dashboard.png and
 * artifacts/dashboard-admin.png.
 */
import { mkdirSync } from "fs";
import { join } from "path";

import {
  Keypair,
  PublicKey,
  type TransactionInstruction,
  VersionedTransaction,
} from "@solana/web3.js";
import { expect } from "chai";
import pino from "pino";
import { type Browser, chromium, type Page } from "playwright-core";

import { runCrankCycle } from "../../app/crank/src";
import {
  deviationText,
  figureTexts,
  formatAmount,
  priceGuardText,
  timeText,
} from "../../app/dashboard/src/format";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { fundedWallet, payRevenue } from "../utils/economy";
import { advanceClock } from "../../app/localnet/validator";
import {
  applyConfigChangeIx,
  fetchStakePosition,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  ownerAshaoAddress,
  ownerUsdcAddress,
  proposeAuthorityIx,
  queueConfigChangeIx,
  sendAndConfirm,
  type TreasuryFigures,
  type TreasuryPolicy,
} from "../../app/sdk/src";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;
const ARTIFACTS = join(__dirname, "../../artifacts");

/** A wallet-standard wallet whose signing is done by the test process (`testWalletSign`). */
const TEST_WALLET_SCRIPT = `
(() => {
  const listeners = { change: [] };
  let accounts = [];
  const chains = ["solana:localnet"];
  const wallet = {
    version: "1.0.0",
    name: "Ashao Test Wallet",
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
    chains,
    get accounts() { return accounts; },
    features: {
      "standard:connect": {
        version: "1.0.0",
        connect: async () => {
          const key = await window.testWalletPublicKey();
          accounts = [{
            address: key.address,
            publicKey: Uint8Array.from(key.bytes),
            chains,
            features: ["solana:signTransaction"],
          }];
          listeners.change.forEach((l) => l({ accounts }));
          return { accounts };
        },
      },
      "standard:events": {
        version: "1.0.0",
        on: (event, listener) => {
          (listeners[event] ||= []).push(listener);
          return () => { listeners[event] = listeners[event].filter((l) => l !== listener); };
        },
      },
      "solana:signTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signTransaction: async (...inputs) => Promise.all(inputs.map(async (input) => ({
          signedTransaction: Uint8Array.from(await window.testWalletSign(Array.from(input.transaction))),
        }))),
      },
    },
  };
  const register = ({ register }) => register(wallet);
  window.addEventListener("wallet-standard:app-ready", ({ detail }) => register(detail));
  window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: register }));
})();
`;

describe("dashboard in headless Chromium", () => {
  let economy: LocalEconomy;
  let browser: Browser;
  let page: Page;
  let user: Keypair;

  before(async function () {
    this.timeout(120_000);
    economy = await startLocalEconomy({ simulate: false, crank: false });
    await payRevenue(economy, 800n * USDC);
    user = await fundedWallet(economy, 2_000n * ASHAO);

    browser = await chromium.launch({
      executablePath: process.env.ASHAO_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 1500 } });
    page.on("pageerror", (err) => console.error(`      page error: ${err.message}`));
    await page.exposeFunction("testWalletPublicKey", () => ({
      address: user.publicKey.toBase58(),
      bytes: Array.from(user.publicKey.toBytes()),
    }));
    await page.exposeFunction("testWalletSign", (bytes: number[]) => {
      const tx = VersionedTransaction.deserialize(Uint8Array.from(bytes));
      tx.sign([user]);
      return Array.from(tx.serialize());
    });
    await page.addInitScript(TEST_WALLET_SCRIPT);
    await page.goto(economy.api!.url);
  });

  after(async () => {
    await browser?.close();
    await economy?.stop();
  });

  const text = (selector: string) => page.locator(selector).innerText();

  it("shows the same figures as /api/treasury", async () => {
    const answer = (await (
      await fetch(`${economy.api!.url}/api/treasury`)
    ).json()) as TreasuryFigures;
    await page.waitForFunction(
      (slot) => document.querySelector('[data-figure="slot"]')?.textContent === slot,
      String(answer.slot),
    );
    const expected = figureTexts(answer);
    for (const [key, value] of Object.entries(expected)) {
      expect(await text(`[data-figure="${key}"]`), key).to.equal(value);
    }
    expect(expected.totalRevenue).to.equal("800 USDC");
    await page.locator("#charts svg").first().waitFor();
  });

  it("follows the chain without a reload: a new deposit shows up in the figures", async () => {
    await payRevenue(economy, 200n * USDC);
    await page.locator('[data-figure="totalRevenue"]', { hasText: "1,000 USDC" }).waitFor();
    await page.locator('[data-figure="buybackBucket"]', { hasText: "500 USDC" }).waitFor();
  });

  it("a wallet-standard wallet connects, stakes and claims through the staking panel", async () => {
    await page.getByRole("button", { name: "Connect Ashao Test Wallet" }).click();
    await page.locator("#wallet-address", { hasText: user.publicKey.toBase58() }).waitFor();

    await page.fill("#stake-amount", "1500");
    await page.click("#stake");
    await page.locator("#stake-status", { hasText: "stake confirmed" }).waitFor();
    const position = await fetchStakePosition(economy.program, user.publicKey);
    expect(position?.staked).to.equal(1_500n * ASHAO);
    await page.locator("#position-staked", { hasText: "1,500 $ASHAO" }).waitFor();
    await page.locator("#position-boost", { hasText: "5%" }).waitFor();

    // Revenue streams to the one staker; time passes; the panel shows it pending.
    await payRevenue(economy, 100n * USDC);
    await advanceClock(economy.validator.connection, 700);
    await page.waitForFunction(
      () => !/^0 USDC$|…/.test(document.querySelector("#position-pending")?.textContent ?? "…"),
    );

    const usdcAccount = ownerUsdcAddress(user.publicKey, economy.accounts);
    const before = await tokenBalance(economy.validator.connection, usdcAccount).catch(() => 0n);
    await page.click("#claim");
    const status = await page.locator("#stake-status", { hasText: "claim confirmed" }).innerText();
    const signature = status.split(": ").pop()!;
    const tx = await economy.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    const [claimed] = findTreasuryEvents(economy.program, tx!.meta!.logMessages!, "rewardsClaimed");
    const after = await tokenBalance(economy.validator.connection, usdcAccount);
    expect(claimed.data.owner.equals(user.publicKey)).to.equal(true);
    expect(claimed.data.amount > 0n).to.equal(true);
    expect(after - before).to.equal(claimed.data.amount);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  });

  it("requests an unstake, is refused a withdraw inside the cooldown by name, withdraws after it", async () => {
    const ashaoAccount = ownerAshaoAddress(user.publicKey, economy.accounts);
    const before = await tokenBalance(economy.validator.connection, ashaoAccount);
    await page.fill("#stake-amount", "500");
    await page.click("#unstake");
    await page.locator("#stake-status", { hasText: "request unstake confirmed" }).waitFor();
    await page.locator("#position-unstaking", { hasText: "500 $ASHAO" }).waitFor();

    await page.click("#withdraw");
    await page
      .locator("#stake-status", { hasText: "withdraw failed: CooldownNotElapsed" })
      .waitFor();
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(before);

    const { unstakeCooldownSecs } = await fetchTreasuryOrThrow(economy.program);
    await advanceClock(economy.validator.connection, unstakeCooldownSecs + 1);
    await page.click("#withdraw");
    await page.locator("#stake-status", { hasText: "withdraw confirmed" }).waitFor();
    expect(await tokenBalance(economy.validator.connection, ashaoAccount)).to.equal(
      before + 500n * ASHAO,
    );
    const position = await fetchStakePosition(economy.program, user.publicKey);
    expect([position?.staked, position?.unstaking]).to.deep.equal([1_000n * ASHAO, 0n]);
  });

  it("names a refused action in the panel (staking more than the wallet holds)", async () => {
    await page.fill("#stake-amount", "999999");
    await page.click("#stake");
    await page.locator("#stake-status[data-kind=error]").waitFor();
    expect(await text("#stake-status")).to.match(/^stake failed: /);
    await page.fill("#stake-amount", "1.0000000001");
    await page.click("#stake");
    await page.locator("#stake-status", { hasText: "more than 9 decimal places" }).waitFor();
  });

  const policy = async () =>
    ((await (await fetch(`${economy.api!.url}/api/treasury`)).json()) as { policy: TreasuryPolicy })
      .policy;
  const asAuthority = (ix: TransactionInstruction) =>
    sendAndConfirm(economy.validator.connection, [ix], { keypairs: [economy.authority] });
  /** The rows of a table body, cell by cell. */
  const tableRows = (selector: string) =>
    page
      .locator(`${selector} tr`)
      .evaluateAll((rows) =>
        rows.map((r) => Array.from(r.children).map((c) => (c as HTMLElement).innerText)),
      );

  it("shows the price guard and the timelock; nothing queued or pending", async () => {
    const { priceGuard } = await policy();
    expect(priceGuard.kind).to.equal("pythPull");
    await page.locator("#policy-guard", { hasText: priceGuardText(priceGuard) }).waitFor();
    expect(await text("#policy-guard")).to.match(
      /^Pyth 0x[0-9a-f]{8}…[0-9a-f]{6}, at most 1 m old/,
    );
    expect(await text("#policy-timelock")).to.equal("1 d");
    expect(await page.locator("#no-queued-change").isVisible()).to.equal(true);
    expect(await page.locator("#queued-change").isVisible()).to.equal(false);
    expect(await page.locator("#pending-authority").isVisible()).to.equal(false);
  });

  it("shows a queued change (what, when, a countdown) and a pending authority until applied or cancelled", async () => {
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
    const queued = (await policy()).queuedChange!;
    expect(await tableRows("#queued-rows")).to.deep.equal([
      ["Largest buyback", "250 USDC", "500 USDC"],
      ["Slippage below the oracle", "1%", "2%"],
    ]);
    expect(await text("#queued-eta")).to.equal(timeText(queued.eta.at));
    expect(await text("#queued-expires")).to.equal(timeText(queued.expiresAt.at));
    // A day's timelock, counting down by the second on the chain's clock.
    const countdown = await text("#queued-status");
    expect(countdown).to.match(/^applies in (1 d|23 h 59 m)( \d+ s)?$/);
    await page.waitForFunction(
      (before) => document.querySelector("#queued-status")?.textContent !== before,
      countdown,
    );
    expect(await text("#pending-authority-address")).to.equal(next.toBase58());
    expect(await text("#pending-authority-status")).to.match(
      /^may accept in (1 d|23 h 59 m)( \d+ s)?$/,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator("section.policy")
      .screenshot({ path: join(ARTIFACTS, "dashboard-admin.png") });

    // Past the timelock the page says so from the chain's clock, with nothing else changed.
    await advanceClock(economy.validator.connection, 86_400 + 1);
    await page.locator("#queued-status", { hasText: "anyone may apply it now" }).waitFor();
    await page.locator("#pending-authority-status", { hasText: "may accept now" }).waitFor();

    // Anyone applies it: the queue empties and the parameters show the new values.
    await sendAndConfirm(
      economy.validator.connection,
      [await applyConfigChangeIx(program, accounts, { caller: user.publicKey })],
      { keypairs: [user] },
    );
    await page.locator("#no-queued-change").waitFor();
    expect(await page.locator("#queued-change").isVisible()).to.equal(false);
    // (Inside a closed <details>: rendered, not displayed.)
    expect(await page.locator("#policy-params").textContent()).to.include(
      "Largest buyback500 USDC",
    );
    // Proposing the default key cancels the transfer.
    await asAuthority(
      await proposeAuthorityIx(program, accounts, {
        authority: economy.authority.publicKey,
        newAuthority: PublicKey.default,
      }),
    );
    await page.locator("#pending-authority").waitFor({ state: "hidden" });
  });

  it("lists a buyback with the oracle price, the price paid and the deviation", async () => {
    expect(await page.locator("#no-buybacks").isVisible()).to.equal(true);
    const config = { ...economy.crankConfig, intervalSecs: 1 };
    const result = await runCrankCycle(
      economy.crankDeps(config, pino({ level: "silent" })),
      config,
    );
    expect(result.status).to.equal("bought");
    await page.locator("#buyback-rows tr").first().waitFor();
    const { buybacks } = (await (
      await fetch(`${economy.api!.url}/api/treasury/buybacks`)
    ).json()) as {
      buybacks: {
        at: string;
        crank: string;
        usdcSpent: TreasuryFigures["buybackUsdcSpent"];
        ashaoBurned: TreasuryFigures["ashaoBurned"];
        effectivePrice: TreasuryFigures["buybackUsdcSpent"];
        oraclePrice: TreasuryFigures["buybackUsdcSpent"];
        deviationBps: number;
      }[];
    };
    expect(buybacks).to.have.length(1);
    const [b] = buybacks;
    const rows = await tableRows("#buyback-rows");
    expect(rows).to.deep.equal([
      [
        timeText(b.at),
        formatAmount(b.usdcSpent, "USDC"),
        formatAmount(b.ashaoBurned, "$ASHAO"),
        formatAmount(b.effectivePrice, "USDC"),
        formatAmount(b.oraclePrice, "USDC"),
        deviationText(b.deviationBps),
        `${b.crank.slice(0, 4)}…${b.crank.slice(-4)}`,
      ],
    ]);
    expect(rows[0][4]).to.match(/^0\.0\d+ USDC$/);
    expect(rows[0][5]).to.match(/^[+−]?[\d.]+ bps$/);
    expect(await page.locator("#no-buybacks").isVisible()).to.equal(false);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  });
});
