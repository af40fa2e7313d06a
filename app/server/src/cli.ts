/**
 * `ashao api --rpc-url URL [--ws-url URL] [--program-id ID] [--host H] [--port N]
 * [--database sqlite:FILE|postgres://…] [--dashboard DIR] [--cluster NAME]
 * [--non-circulating NAME=ADDRESS]... [--check-every SECS] [--public-rpc-url URL]
 * [--public-ws-url URL] [--log-level LEVEL] [--rate-limit N] [--trust-proxy HOPS|ADDRESSES]
 * [--metrics-listen HOST:PORT]`: the API, indexer and dashboard against any cluster.
 * Exit codes, the shared table (app/util/exit-codes.ts): 0 stopped cleanly, 2 bad flags, 3 the RPC
 * node did not answer at start, 1 anything else.
 */
import { parseArgs } from "node:util";

import { PublicKey } from "@solana/web3.js";
import type { LevelWithSilent } from "pino";

import { type Cluster, parseCluster, rpcTransportFailure } from "../../sdk/src";
import { EXIT } from "../../util/exit-codes";
import { parseListenAddress } from "../../util/listen-address";
import { startApiServer } from "./server";

export const API_USAGE = `usage: ashao api --rpc-url URL [--ws-url URL] [--program-id ID] [--host H] [--port N]
                 [--database sqlite:FILE | postgres://…] [--dashboard DIR]
                 [--cluster mainnet-beta|devnet|testnet|localnet] [--non-circulating NAME=ADDRESS]...
                 [--check-every SECS] [--public-rpc-url URL] [--public-ws-url URL]
                 [--log-level fatal|error|warn|info|debug|trace|silent] [--rate-limit N]
                 [--trust-proxy HOPS|ADDRESSES] [--metrics-listen HOST:PORT]

  Serves /api/treasury, /api/treasury/history, /api/buybacks, /api/treasury/admin-log,
  /api/stakers/:wallet and its history (JSON and CSV), /api/config, /healthz, /metrics, the
  OpenAPI document at /api/openapi.json and the dashboard. The default database is
  sqlite:.ashao/events.sqlite (one instance); point several instances at one PostgreSQL
  database with --database postgres://user:pass@host/db. --cluster names the cluster explorer
  links point at (default: from the RPC URL); --non-circulating leaves another $ASHAO token
  account out of the circulating supply (the stake vault always is). --check-every (default 1,
  1-3600) is how often the snapshot checks itself against the chain: two getMultipleAccounts
  calls per check, so raise it on a rate-limited RPC endpoint.

  --rpc-url and --ws-url are never published: a provider's URL carries its API key. The page
  and wallet apps are given --public-rpc-url and --public-ws-url (a URL without a key, or a
  public endpoint) at /api/config; without them, none, and the dashboard uses the cluster's
  public endpoint (api.<cluster>.solana.com). --log-level (default info) writes JSON lines;
  each request is one line at debug. --rate-limit (default 600, 0: none) is the requests each
  client may make a minute before it is answered 429; behind a reverse proxy, --trust-proxy
  takes the number of proxy hops or their addresses (comma-separated, CIDR allowed) so that
  the client's address comes from X-Forwarded-For. --metrics-listen serves /metrics on
  another address (say 127.0.0.1:9464) instead of the public port.`;

class ApiUsageError extends Error {}

const LOG_LEVELS: readonly LevelWithSilent[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];

function logLevel(raw: string | undefined): LevelWithSilent {
  if (raw === undefined) return "info";
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ApiUsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")} (got ${raw})`);
  }
  return raw as LevelWithSilent;
}

/** Requests per client per minute; 0 turns the limit off. */
function rateLimit(raw: string | undefined): { max: number; windowMs: number } | undefined {
  const max = raw === undefined ? 600 : Number(raw);
  if (!Number.isInteger(max) || max < 0 || max > 1_000_000) {
    throw new ApiUsageError(`--rate-limit must be 0-1000000 requests a minute (got ${raw})`);
  }
  return max === 0 ? undefined : { max, windowMs: 60_000 };
}

/** A number of proxy hops, or the proxies' addresses (comma-separated, CIDR allowed). */
function trustProxy(raw: string | undefined): number | string | undefined {
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw) && Number(raw) <= 100) return Number(raw);
  const addresses = raw.split(",").map((a) => a.trim());
  if (addresses.some((a) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw new ApiUsageError(
      `--trust-proxy takes a number of hops or proxy addresses, comma-separated (got ${raw})`,
    );
  }
  return addresses.join(",");
}

function publicUrl(flag: string, raw: string | undefined, protocols: string[]) {
  if (raw === undefined) return undefined;
  let protocol = "";
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // Refused below.
  }
  if (!protocols.includes(protocol)) {
    throw new ApiUsageError(
      `${flag} must be a ${protocols.map((p) => p.slice(0, -1)).join(" or ")} URL (got ${raw})`,
    );
  }
  return raw;
}

function port(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ApiUsageError(`--port must be 0-65535 (got ${raw})`);
  }
  return value;
}

function checkEverySecs(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3600) {
    throw new ApiUsageError(`--check-every must be 1-3600 seconds (got ${raw})`);
  }
  return value;
}

export async function apiCommand(argv: string[]): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        "rpc-url": { type: "string" },
        "ws-url": { type: "string" },
        "program-id": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        database: { type: "string" },
        dashboard: { type: "string" },
        cluster: { type: "string" },
        "non-circulating": { type: "string", multiple: true },
        "check-every": { type: "string" },
        "public-rpc-url": { type: "string" },
        "public-ws-url": { type: "string" },
        "log-level": { type: "string" },
        "rate-limit": { type: "string" },
        "trust-proxy": { type: "string" },
        "metrics-listen": { type: "string" },
      },
    });
    if (!values["rpc-url"]) throw new ApiUsageError("--rpc-url is required");
    let programId: PublicKey | undefined;
    if (values["program-id"]) {
      try {
        programId = new PublicKey(values["program-id"]);
      } catch {
        throw new ApiUsageError(
          `--program-id is not a base58 address (got ${values["program-id"]})`,
        );
      }
    }
    let cluster: Cluster | undefined;
    if (values.cluster) {
      try {
        cluster = parseCluster(values.cluster, values["rpc-url"]);
      } catch (err) {
        throw new ApiUsageError(`--cluster: ${(err as Error).message}`);
      }
    }
    const nonCirculating = (values["non-circulating"] ?? []).map((spec) => {
      const at = spec.lastIndexOf("=");
      try {
        if (at <= 0) throw new Error();
        return { name: spec.slice(0, at), address: new PublicKey(spec.slice(at + 1)) };
      } catch {
        throw new ApiUsageError(`--non-circulating takes NAME=ADDRESS (got ${spec})`);
      }
    });
    let metricsListen;
    if (values["metrics-listen"] !== undefined) {
      try {
        metricsListen = parseListenAddress(values["metrics-listen"]);
      } catch (err) {
        throw new ApiUsageError(`--metrics-listen: ${(err as Error).message}`);
      }
    }
    options = {
      rpcUrl: values["rpc-url"],
      cluster,
      nonCirculating,
      wsUrl: values["ws-url"],
      programId,
      host: values.host ?? "127.0.0.1",
      port: port(values.port),
      database: values.database ?? "sqlite:.ashao/events.sqlite",
      staticDir: values.dashboard,
      checkEverySecs: checkEverySecs(values["check-every"]),
      publicRpcUrl: publicUrl("--public-rpc-url", values["public-rpc-url"], ["http:", "https:"]),
      publicWsUrl: publicUrl("--public-ws-url", values["public-ws-url"], ["ws:", "wss:"]),
      logLevel: logLevel(values["log-level"]),
      rateLimit: rateLimit(values["rate-limit"]),
      trustProxy: trustProxy(values["trust-proxy"]),
      metricsListen,
    };
  } catch (err) {
    console.error(`error: ${(err as Error).message} (ashao api --help for usage)`);
    return EXIT.usage;
  }
  let server;
  try {
    server = await startApiServer(options);
  } catch (err) {
    console.error(`error: could not start the API: ${(err as Error).message}`);
    return rpcTransportFailure(err) || /fetch failed|ECONNREFUSED/.test(String(err))
      ? EXIT.network
      : EXIT.internal;
  }
  console.error(`api and dashboard on ${server.url}`);
  if (server.metricsUrl) console.error(`metrics on ${server.metricsUrl}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return EXIT.ok;
}
