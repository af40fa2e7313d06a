/**
 * `ashao localnet`: the whole local economy on the embedded validator until Ctrl-C. People's
 * lines (progress, the banner, the shutdown) go to stderr; the crank's JSON log lines to stdout,
 * so a log collector reading stdout sees only JSON. A terminal's Ctrl-C (SIGINT to the whole
 * process group) or SIGTERM starts one ordered shutdown, the validator last, bounded in time
 * whatever is already gone; further signals during it are ignored.
 */
import { EXIT, type ExitCode } from "../../util/exit-codes";
import { startLocalEconomy } from "../../localnet/economy";
import { LOCAL_ASHAO_USD_FEED_NAME } from "../../localnet/price-feed";
import { WORKER_STAKES } from "../../simulator/src/simulator";
import { UsageError } from "./errors";

export interface LocalnetFlags {
  rpcPort?: string;
  wsPort?: string;
  apiPort: string;
  simulator: boolean;
  stepMs?: string;
}

/** A port, or 0 for one the OS picks. */
function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(
      `${flag} needs a port number from 0 (any free port) to 65535 (got ${value})`,
    );
  }
  return port;
}

export async function localnetCommand(flags: LocalnetFlags): Promise<ExitCode> {
  const rpcPort = flags.rpcPort === undefined ? 8899 : parsePort("--rpc-port", flags.rpcPort);
  const wsPort =
    flags.wsPort === undefined
      ? rpcPort === 0
        ? 0
        : rpcPort + 1
      : parsePort("--ws-port", flags.wsPort);
  const apiPort = parsePort("--api-port", flags.apiPort);
  const stepMs = flags.stepMs === undefined ? undefined : Number(flags.stepMs);
  if (stepMs !== undefined && (!Number.isInteger(stepMs) || stepMs < 50)) {
    throw new UsageError(`--step-ms needs a whole number of milliseconds, at least 50`);
  }

  const say = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const economy = await startLocalEconomy({
    rpcPort,
    wsPort,
    simulate: flags.simulator,
    simulatorStepMs: stepMs,
    apiPort,
    progress: (line) => say(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
  });
  const { validator, program, accounts, authority, crank, usdc, ashao, venue, priceFeed } = economy;
  // The simulated workers, each a link to its boost and earnings in the dashboard.
  const workers = (economy.simulator?.workerWallets ?? []).map(
    (wallet, i) =>
      `\n    ${(WORKER_STAKES[i] === null ? "no stake" : `${WORKER_STAKES[i]} $ASHAO`).padEnd(13)}` +
      `${economy.api?.url}/?worker=${wallet.toBase58()}`,
  );
  // Listening before the banner is out: whoever reads it may press Ctrl-C at once (a signal
  // that arrived while the banner was being written ended the process by the default action,
  // silently, before anything was stopped).
  const interrupted = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  say(`
local economy is up

  dashboard        ${economy.api?.url}/
  api              ${economy.api?.url}/api/treasury

  rpc              ${validator.rpcUrl}
  websocket        ${validator.wsUrl}
  programs         ${validator.programs}
  jupiter (local)  ${economy.jupiter.url}
  treasury program ${program.programId.toBase58()}
  treasury config  ${accounts.config.toBase58()}
  authority        ${authority.publicKey.toBase58()}
  crank            ${crank.publicKey.toBase58()}
  billing          ${economy.billing.publicKey.toBase58()}${workers.length > 0 ? `\n  workers paid by usage, by stake (the dashboard's Workers section):${workers.join("")}` : ""}
  USDC mint        ${usdc.mint.toBase58()}
  $ASHAO mint      ${ashao.mint.toBase58()}
  buyback vault    ${accounts.buybackVault.toBase58()}
  rewards vault    ${accounts.rewardsVault.toBase58()}
  stake vault      ${accounts.stakeVault.toBase58()}
  venue pool       ${venue.pool.toBase58()}
  price feed       ${priceFeed.address.toBase58()} (Pyth PriceUpdateV2, the pool's price)
  feed id          ${priceFeed.feedId.toString("hex")} (sha256 of "${LOCAL_ASHAO_USD_FEED_NAME}")

Ctrl-C stops everything. The crank's JSON log is on stdout, these lines on stderr.
`);

  await interrupted;
  // npm forwards the terminal's SIGINT too: the second one must not end the shutdown early.
  const ignore = () => undefined;
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  const stopping = Date.now();
  say("stopping the local economy…");
  await economy.stop();
  say(`stopped in ${Date.now() - stopping} ms.`);
  return EXIT.ok;
}
