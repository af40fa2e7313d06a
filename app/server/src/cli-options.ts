/**
 * `ashao api`'s flags as commander options, each parsed and checked where it is read, so a bad
 * one is refused in one line with the usage exit code before anything starts. Loads nothing but
 * commander, so `ashao api --help` stays fast.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import type { LevelWithSilent } from "pino";

import { type ListenAddress, parseListenAddress } from "../../util/listen-address";

export interface ApiFlags {
  rpcUrl?: string;
  wsUrl?: string;
  host: string;
  port: number;
  database: string;
  dashboard?: string;
  nonCirculating: { name: string; address: string }[];
  checkEvery: number;
  pollEvery: number;
  positionsCache: number;
  publicRpcUrl?: string;
  publicWsUrl?: string;
  logLevel: LevelWithSilent;
  /** Requests per client a minute; 0: no limit. */
  rateLimit: number;
  trustProxy?: number | string;
  metricsListen?: ListenAddress;
}

const LOG_LEVELS: readonly LevelWithSilent[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];

/** A whole number in [min, max] (`unit` names it in the refusal). */
const wholeNumber =
  (min: number, max: number, unit = "") =>
  (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new InvalidArgumentError(`must be ${min}-${max}${unit}`);
    }
    return value;
  };

const url = (protocols: string[]) => (text: string) => {
  let protocol = "";
  try {
    protocol = new URL(text).protocol;
  } catch {
    // Refused below.
  }
  if (!protocols.includes(protocol)) {
    throw new InvalidArgumentError(
      `must be a ${protocols.map((p) => p.slice(0, -1)).join(" or ")} URL`,
    );
  }
  return text;
};

/** A number of proxy hops, or the proxies' addresses (comma-separated, CIDR allowed). */
function trustProxy(text: string): number | string {
  if (/^\d+$/.test(text) && Number(text) <= 100) return Number(text);
  const addresses = text.split(",").map((a) => a.trim());
  if (addresses.some((a) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw new InvalidArgumentError("takes a number of hops (0-100) or proxy addresses");
  }
  return addresses.join(",");
}

function listenAddress(text: string): ListenAddress {
  try {
    return parseListenAddress(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

const BASE58_ADDRESS = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

function nonCirculating(
  text: string,
  previous: ApiFlags["nonCirculating"],
): ApiFlags["nonCirculating"] {
  const at = text.lastIndexOf("=");
  const address = text.slice(at + 1);
  if (at <= 0 || !BASE58_ADDRESS.test(address)) {
    throw new InvalidArgumentError("takes NAME=ADDRESS (a base58 token account)");
  }
  return [...previous, { name: text.slice(0, at), address }];
}

export const API_HELP = `
The RPC node: --rpc-url, else -u/--url, $ASHAO_RPC_URL or the Solana CLI config's json_rpc_url
(with its websocket URL). --program-id and --cluster are the global options.

--rpc-url and --ws-url are never published: a provider's URL carries its API key. The page and
wallet apps are given --public-rpc-url and --public-ws-url (a URL without a key, or a public
endpoint) at /api/config; without them, none, and the dashboard uses the cluster's public
endpoint (api.<cluster>.solana.com). Point several instances at one PostgreSQL database with
--database postgres://user:pass@host/db. On a node that refuses or caps getProgramAccounts for
the program, positions are read by address when asked and --positions-cache of them are kept.
The server listens at once; /healthz answers 503 with its progress until the snapshot is loaded
and the history caught up. Each request is one log line at debug.`;

/** Adds `ashao api`'s options to `command`. */
export function addApiOptions(command: Command): Command {
  const option = (flags: string, description: string) => new Option(flags, description);
  return command
    .addOption(option("--rpc-url <URL>", "the RPC node the API reads (never published)"))
    .addOption(option("--ws-url <URL>", "its websocket [default: from the RPC URL]"))
    .addOption(option("--host <HOST>", "the address to listen on").default("127.0.0.1"))
    .addOption(
      option("--port <N>", "the port to listen on (0: any free port)")
        .default(8080)
        .argParser(wholeNumber(0, 65_535)),
    )
    .addOption(
      option("--database <URL>", "sqlite:FILE, sqlite::memory: or postgres://…").default(
        "sqlite:.ashao/events.sqlite",
      ),
    )
    .addOption(option("--dashboard <DIR>", "the dashboard's built files, served at /"))
    .addOption(
      option(
        "--non-circulating <NAME=ADDRESS>",
        "another $ASHAO token account left out of circulation (repeatable)",
      )
        .default([])
        .argParser(nonCirculating),
    )
    .addOption(
      option(
        "--check-every <SECS>",
        "how often the snapshot checks itself against the chain (two getMultipleAccounts calls)",
      )
        .default(1)
        .argParser(wholeNumber(1, 3600, " seconds")),
    )
    .addOption(
      option(
        "--poll-every <SECS>",
        "how often the indexer lists new transactions besides the logs notifications",
      )
        .default(5)
        .argParser(wholeNumber(1, 3600, " seconds")),
    )
    .addOption(
      option("--positions-cache <N>", "positions kept when they are read on demand")
        .default(100_000)
        .argParser(wholeNumber(1, 10_000_000)),
    )
    .addOption(
      option("--public-rpc-url <URL>", "the RPC URL the page and wallet apps are given").argParser(
        url(["http:", "https:"]),
      ),
    )
    .addOption(
      option("--public-ws-url <URL>", "the websocket URL they are given").argParser(
        url(["ws:", "wss:"]),
      ),
    )
    .addOption(
      option("--log-level <LEVEL>", "JSON log lines at").choices(LOG_LEVELS).default("info"),
    )
    .addOption(
      option("--rate-limit <N>", "requests a client may make a minute before a 429 (0: none)")
        .default(600)
        .argParser(wholeNumber(0, 1_000_000)),
    )
    .addOption(
      option(
        "--trust-proxy <HOPS|ADDRESSES>",
        "behind a reverse proxy: its hops or addresses, so the client's address comes from X-Forwarded-For",
      ).argParser(trustProxy),
    )
    .addOption(
      option(
        "--metrics-listen <HOST:PORT>",
        "serve /metrics on this address (e.g. 127.0.0.1:9464) instead of the public port",
      ).argParser(listenAddress),
    )
    .addHelpText("after", API_HELP);
}
