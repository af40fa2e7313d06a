/**
 * `ashao api`: the API, indexer and dashboard against any cluster, with the flags of
 * `cli-options.ts` (commander parses and checks them) and the CLI's global `-u`, `--ws`, `-C`,
 * `--program-id` and `--cluster`. Exit codes, the shared table (app/util/exit-codes.ts): 0 stopped
 * cleanly, 2 bad flags or settings, 3 the RPC node did not answer at start, 1 anything else.
 */
import { PublicKey } from "@solana/web3.js";

import { ASHAO_TREASURY_PROGRAM_ID, parseCluster, rpcTransportFailure } from "../../sdk/src";
import { EXIT } from "../../util/exit-codes";
import { type ClusterFlags, resolveCluster } from "../../util/solana-config";
import type { ApiFlags } from "./cli-options";
import { type ApiServerOptions, startApiServer } from "./server";

export interface ApiGlobalFlags extends ClusterFlags {
  programId?: string;
  cluster?: string;
}

class ApiSettingError extends Error {}

/** The server's options from the flags: the RPC node as solana-cli would pick it. */
async function serverOptions(
  flags: ApiFlags,
  globals: ApiGlobalFlags,
  env: NodeJS.ProcessEnv,
): Promise<ApiServerOptions> {
  let rpcUrl = flags.rpcUrl;
  let wsUrl = flags.wsUrl;
  if (rpcUrl === undefined) {
    const settings = await resolveCluster(globals, env);
    rpcUrl = settings.rpcUrl;
    wsUrl ??= settings.wsUrl;
  }
  const address = (what: string, text: string) => {
    try {
      return new PublicKey(text);
    } catch {
      throw new ApiSettingError(`${what} is not a base58 address (got ${text})`);
    }
  };
  const programText = globals.programId ?? (env.ASHAO_PROGRAM_ID || undefined);
  let cluster;
  if (globals.cluster) {
    try {
      cluster = parseCluster(globals.cluster, rpcUrl);
    } catch (err) {
      throw new ApiSettingError(`--cluster: ${(err as Error).message}`);
    }
  }
  return {
    rpcUrl,
    wsUrl,
    programId: programText ? address("--program-id", programText) : ASHAO_TREASURY_PROGRAM_ID,
    cluster,
    host: flags.host,
    port: flags.port,
    database: flags.database,
    staticDir: flags.dashboard,
    nonCirculating: flags.nonCirculating.map(({ name, address: text }) => ({
      name,
      address: address(`--non-circulating ${name}`, text),
    })),
    checkEverySecs: flags.checkEvery,
    pollEverySecs: flags.pollEvery,
    positionsCacheSize: flags.positionsCache,
    publicRpcUrl: flags.publicRpcUrl,
    publicWsUrl: flags.publicWsUrl,
    logLevel: flags.logLevel,
    rateLimit: flags.rateLimit === 0 ? undefined : { max: flags.rateLimit, windowMs: 60_000 },
    trustProxy: flags.trustProxy,
    metricsListen: flags.metricsListen,
  };
}

/** Runs the API until SIGINT or SIGTERM; resolves to the exit code. */
export async function apiCommand(
  flags: ApiFlags,
  globals: ApiGlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let options: ApiServerOptions;
  try {
    options = await serverOptions(flags, globals, env);
  } catch (err) {
    console.error(`error: ${(err as Error).message} (ashao api --help)`);
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
  console.error(`api and dashboard on ${server.url} (loading: /healthz tells how far)`);
  if (server.metricsUrl) console.error(`metrics on ${server.metricsUrl}`);
  void server.ready.then(
    () => console.error("ready: the snapshot is loaded and the history caught up"),
    () => undefined,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return EXIT.ok;
}
