/**
 * Screenshots of the dashboard after a while of the local economy (not a test):
 * `npm run screenshots [-- --minutes 5]`.
 *
 * Starts the whole local economy as `npm start` does (simulator, crank, API), lets it run the
 * given minutes of wall-clock time (the chain's clock runs with it; only the workers' warm-up is
 * advanced, by the simulator's set-up), then opens the dashboard in Debian's Chromium looking at
 * the simulated staker with the largest stake and the worker staking the most, and writes `artifacts/five-minutes-desktop.png` (1440 px, light),
 * `five-minutes-desktop-dark.png` and `five-minutes-phone.png` (390 px), full pages.
 */
import { join } from "path";
import { parseArgs } from "util";

import { startLocalEconomy } from "../app/localnet/economy";
import { ARTIFACTS, launchChromium, openPage, PHONE } from "../tests/dashboard/browser";

const { values } = parseArgs({ options: { minutes: { type: "string", default: "5" } } });
const MINUTES = Number(values.minutes);

async function main(): Promise<void> {
  if (!(MINUTES >= 0))
    throw new Error(`--minutes must be a number of minutes (got ${values.minutes})`);
  const started = Date.now();
  const economy = await startLocalEconomy({ progress: (line) => console.log(line) });
  const browser = await launchChromium();
  try {
    const api = economy.api!.url;
    for (let left = MINUTES * 60_000; left > 0; left -= 30_000) {
      console.log(`running the economy: ${Math.ceil(left / 1000)} s to go`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 30_000)));
    }
    // The staker with the most staked, for "My position".
    const stakes = await Promise.all(
      economy.simulator!.stakerWallets.map(async (wallet) => {
        const answer = (await (await fetch(`${api}/api/stakers/${wallet.toBase58()}`)).json()) as {
          staked: { raw: string };
        };
        return { wallet: wallet.toBase58(), staked: BigInt(answer.staked.raw) };
      }),
    );
    const top = stakes.sort((a, b) => (b.staked > a.staked ? 1 : -1))[0];
    // And the worker staking the most, for "Workers".
    const workers = economy.simulator!.workerWallets;
    const url = `${api}/?address=${top.wallet}&worker=${workers[workers.length - 1].toBase58()}`;
    const shots: [string, Parameters<typeof openPage>[2], "light" | "dark"][] = [
      ["five-minutes-desktop.png", { viewport: { width: 1440, height: 900 } }, "light"],
      ["five-minutes-desktop-dark.png", { viewport: { width: 1440, height: 900 } }, "dark"],
      ["five-minutes-phone.png", PHONE, "light"],
    ];
    for (const [name, options, colorScheme] of shots) {
      const { page, errors } = await openPage(browser, url, { ...options, colorScheme });
      // The charts are drawn once they come near the screen.
      await page.locator("#history").scrollIntoViewIfNeeded();
      await page.locator("#charts figure canvas").nth(5).waitFor();
      await page.waitForSelector("main:not(:has([aria-busy=true]))");
      await page.locator("#history-rows tr").first().waitFor();
      await page.locator("#worker-rows tr").first().waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
      if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join("; ")}`);
      console.log(`wrote artifacts/${name}`);
      await page.context().close();
    }
    console.log(
      `after ${((Date.now() - started) / 60_000).toFixed(1)} min (the economy ran ${MINUTES} min after start-up)`,
    );
  } finally {
    await browser.close();
    await economy.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
