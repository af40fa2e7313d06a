/**
 * `ashao`: the project's CLI (`npx ashao …` from the repository).
 *   ashao status     the treasury's figures, supply, solvency, policy and pending admin changes
 *   ashao deposit    revenue in USDC from a keypair's account
 *   ashao admin      every authority action, signed with a keypair or printed unsigned for a multisig
 *   ashao position   a wallet's stake position and history
 *   ashao localnet   the whole local economy on the embedded validator, until Ctrl-C
 *   ashao crank      the buyback-and-burn crank against any cluster (app/crank)
 *   ashao api        the API, indexer and dashboard against any cluster (app/server)
 * Each command's modules load only when it runs, so `status` does not load the local economy.
 * Exit codes: 0 done, 1 failed, 2 refused (by a check or the program, by name), 64 usage error;
 * `crank` and `api` keep their own (see their usage).
 */
import { parseArgs } from "node:util";

import { errorLine, EXIT, exitCodeOf, UsageError } from "./common";

const USAGE = `usage: ashao <command> [options]     (ashao <command> --help for each)

  status     the treasury's figures, supply, solvency, policy and pending admin changes
  deposit    pay revenue in USDC from a keypair's token account
  admin      authority actions (config changes with their timelock, authority hand-over,
             pause), signed with a keypair or printed unsigned for a multisig proposal
  position   a wallet's stake position and history (--csv)

  localnet [--rpc-port N] [--ws-port N] [--api-port N] [--no-simulator] [--step-ms N]
             start the embedded validator, create the USDC and $ASHAO mints, initialise the
             treasury (its price guard on the local $ASHAO/USD feed), seed the local venue,
             publish the pool's price as the feed, start the Jupiter-compatible server, the API
             and dashboard, the crank and the simulator of revenue and stakers; print where
             everything is; run until Ctrl-C

  crank once|loop [--dry-run] [...]
             the buyback-and-burn crank (ashao crank --help for its settings)

  api --rpc-url URL [...]
             the API, event indexer and dashboard (ashao api --help)`;

function parsePort(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} needs a port number between 1 and 65535 (got ${value})`);
  }
  return port;
}

/** Runs a flag parser, turning its complaint into a usage error. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function localnet(args: string[]): Promise<void> {
  const flags = usage(
    () =>
      parseArgs({
        args,
        strict: true,
        options: {
          "rpc-port": { type: "string" },
          "ws-port": { type: "string" },
          "no-simulator": { type: "boolean" },
          "step-ms": { type: "string" },
          "api-port": { type: "string" },
        },
      }).values,
  );
  const rpcPort = parsePort("--rpc-port", flags["rpc-port"]) ?? 8899;
  const wsPort = parsePort("--ws-port", flags["ws-port"]) ?? rpcPort + 1;
  const stepMs = flags["step-ms"] === undefined ? undefined : Number(flags["step-ms"]);
  if (stepMs !== undefined && (!Number.isInteger(stepMs) || stepMs < 50)) {
    throw new UsageError(`--step-ms needs a whole number of milliseconds, at least 50`);
  }

  const { startLocalEconomy } = await import("../../localnet/economy");
  const { LOCAL_ASHAO_USD_FEED_NAME } = await import("../../localnet/price-feed");
  const started = Date.now();
  const economy = await startLocalEconomy({
    rpcPort,
    wsPort,
    simulate: !flags["no-simulator"],
    simulatorStepMs: stepMs,
    apiPort: parsePort("--api-port", flags["api-port"]) ?? 8080,
    progress: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the local economy…");
    await economy.stop();
    console.log("stopped.");
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());

  const {
    validator,
    program,
    accounts,
    authority,
    crank,
    usdc,
    ashao,
    venue,
    priceFeed,
    jupiter,
    api,
  } = economy;
  console.log(`
local economy is up

  dashboard        ${api?.url}/
  api              ${api?.url}/api/treasury

  rpc              ${validator.rpcUrl}
  websocket        ${validator.wsUrl}
  programs         ${validator.programs}
  jupiter (local)  ${jupiter.url}
  treasury program ${program.programId.toBase58()}
  treasury config  ${accounts.config.toBase58()}
  authority        ${authority.publicKey.toBase58()}
  crank            ${crank.publicKey.toBase58()}
  USDC mint        ${usdc.mint.toBase58()}
  $ASHAO mint      ${ashao.mint.toBase58()}
  buyback vault    ${accounts.buybackVault.toBase58()}
  rewards vault    ${accounts.rewardsVault.toBase58()}
  stake vault      ${accounts.stakeVault.toBase58()}
  venue pool       ${venue.pool.toBase58()}
  price feed       ${priceFeed.address.toBase58()} (Pyth PriceUpdateV2, the pool's price)
  feed id          ${priceFeed.feedId.toString("hex")} (sha256 of "${LOCAL_ASHAO_USD_FEED_NAME}")

Ctrl-C stops everything.`);
}

/** The operator subcommands: flags parsed strictly, `--help` each, errors in one line. */
const OPERATOR_COMMANDS: Record<string, () => Promise<(args: string[]) => Promise<number>>> = {
  status: async () => (await import("./status")).statusCommand,
  deposit: async () => (await import("./deposit")).depositCommand,
  admin: async () => (await import("./admin")).adminCommand,
  position: async () => (await import("./position")).positionCommand,
};

async function operator(command: string, args: string[]): Promise<number> {
  const json = args.includes("--json");
  try {
    const run = await OPERATOR_COMMANDS[command]();
    return await run(args);
  } catch (err) {
    // node:util's parseArgs refuses unknown or malformed flags with a TypeError of its own.
    const failure = (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
      ? new UsageError((err as Error).message)
      : err;
    const { name, message } = errorLine(failure);
    if (json) console.log(JSON.stringify({ error: name, message }));
    console.error(
      failure instanceof UsageError
        ? `error: ${message} (ashao ${command} --help)`
        : `error: ${name}: ${message}`,
    );
    return exitCodeOf(failure);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && command in OPERATOR_COMMANDS) return operator(command, rest);
  if (command === "localnet") {
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(USAGE);
      return 0;
    }
    await localnet(rest);
    return -1; // keeps running until a signal
  }
  if (command === "crank") {
    const { crankCommand, CRANK_USAGE } = await import("../../crank/src");
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(CRANK_USAGE);
      return 0;
    }
    return crankCommand(rest);
  }
  if (command === "api") {
    const { apiCommand, API_USAGE } = await import("../../server/src");
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(API_USAGE);
      return 0;
    }
    return apiCommand(rest);
  }
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(USAGE);
    return 0;
  }
  throw new UsageError(`unknown command ${command}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`error: ${message}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(err instanceof UsageError ? EXIT.usage : EXIT.failed);
  },
);
