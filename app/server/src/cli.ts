/**
 * `ashao api --rpc-url URL [--ws-url URL] [--program-id ID] [--host H] [--port N]
 * [--database sqlite:FILE|postgres://…] [--dashboard DIR]`: the API, indexer and dashboard
 * against any cluster. Exit codes: 0 stopped cleanly, 1 failed, 2 bad flags.
 */
import { parseArgs } from "node:util";

import { PublicKey } from "@solana/web3.js";

import { startApiServer } from "./server";

export const API_USAGE = `usage: ashao api --rpc-url URL [--ws-url URL] [--program-id ID] [--host H] [--port N]
                 [--database sqlite:FILE | postgres://…] [--dashboard DIR]

  Serves /api/treasury, /api/treasury/history, /api/treasury/buybacks, /api/treasury/admin-log,
  /api/stakers/:wallet, /api/config, /healthz, /metrics and the dashboard. The default database
  is sqlite:.ashao/events.sqlite (one instance); point several instances at one PostgreSQL
  database with --database postgres://user:pass@host/db.`;

class ApiUsageError extends Error {}

function port(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ApiUsageError(`--port must be 0-65535 (got ${raw})`);
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
    options = {
      rpcUrl: values["rpc-url"],
      wsUrl: values["ws-url"],
      programId,
      host: values.host ?? "127.0.0.1",
      port: port(values.port),
      database: values.database ?? "sqlite:.ashao/events.sqlite",
      staticDir: values.dashboard,
      logger: true,
    };
  } catch (err) {
    console.error(`error: ${(err as Error).message} (ashao api --help for usage)`);
    return 2;
  }
  let server;
  try {
    server = await startApiServer(options);
  } catch (err) {
    console.error(`error: could not start the API: ${(err as Error).message}`);
    return 1;
  }
  console.log(`api and dashboard on ${server.url}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return 0;
}
