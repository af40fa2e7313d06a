/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against the local
 * economy: the page's figures equal /api/treasury's, and a wallet injected through the wallet
 * standard (its key held by the test, signing for real) connects, stakes and claims through the
 * staking panel. Saves artifacts/dashboard.png.
 */
import { mkdirSync } from "fs";
import { join } from "path";

import { type Keypair, VersionedTransaction } from "@solana/web3.js";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";

import { figureTexts } from "../../app/dashboard/src/format";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { fundedWallet, payRevenue } from "../utils/economy";
import { advanceClock } from "../../app/localnet/validator";
import {
  fetchStakePosition,
  findTreasuryEvents,
  ownerAshaoAddress,
  ownerUsdcAddress,
  type TreasuryFigures,
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

    await advanceClock(economy.validator.connection, 61);
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
});
