/**
 * The browser side of the dashboard's tests: Debian's Chromium through playwright-core, a
 * wallet-standard test wallet whose key the test holds (signing for real), every console error
 * and page error collected (a test fails on any), and axe-core's accessibility check.
 */
import { mkdirSync, readFileSync } from "fs";
import { join } from "path";

import { type Keypair, VersionedTransaction } from "@solana/web3.js";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";

export const ARTIFACTS = join(__dirname, "../../artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

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

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

export interface TestPage {
  page: Page;
  /** Every console error and uncaught page error so far. */
  errors: string[];
}

/** A page in its own context, collecting errors; with a test wallet holding `wallet`'s key. */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions & {
    wallet?: Keypair;
    /** Runs before the page is opened (to hold back an answer, say). */
    before?: (page: Page) => Promise<void>;
  } = {},
): Promise<TestPage> {
  const { wallet, before, ...contextOptions } = options;
  const context = await browser.newContext({ acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`page error: ${err.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console error: ${message.text()}`);
  });
  if (wallet) {
    await page.exposeFunction("testWalletPublicKey", () => ({
      address: wallet.publicKey.toBase58(),
      bytes: Array.from(wallet.publicKey.toBytes()),
    }));
    await page.exposeFunction("testWalletSign", (bytes: number[]) => {
      const tx = VersionedTransaction.deserialize(Uint8Array.from(bytes));
      tx.sign([wallet]);
      return Array.from(tx.serialize());
    });
    await page.addInitScript(TEST_WALLET_SCRIPT);
  }
  await before?.(page);
  await page.goto(url);
  return { page, errors };
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's violations on the page as it is now, of any impact (minor ones too). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated by the test's debugging connection, as the page's CSP (rightly) refuses a script
  // it did not serve itself.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    return (await axe.run()).violations;
  });
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}
