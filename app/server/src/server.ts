/**
 * The API and dashboard server (fastify): `/api/treasury` (figures, yield, supply, solvency and
 * policy), `/api/treasury/history`, `/api/buybacks`, `/api/treasury/admin-log`,
 * `/api/stakers/:wallet` and its history (JSON and CSV), `/api/config`, `/healthz`, `/metrics`,
 * the OpenAPI document at `/api/openapi.json`, and the dashboard's files at `/`. Answers come
 * from the in-memory snapshot and the event store, never from an RPC round trip per request.
 */
import { randomUUID } from "crypto";

import rateLimit from "@fastify/rate-limit";
import { clusterApiUrl, PublicKey } from "@solana/web3.js";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { LevelWithSilent } from "pino";

import {
  ASHAO_TREASURY_PROGRAM_ID,
  type Cluster,
  clusterOf,
  closeWebSocket,
  onWebSocketReopen,
  timedConnection,
  treasuryProgram,
} from "../../sdk/src";
import type { ListenAddress } from "../../util/listen-address";
import { type MetricsServer, serveMetrics } from "../../util/prometheus";
import { registerDelivery } from "./delivery";
import { ApiError } from "./errors";
import { EventIndexer } from "./indexer";
import { ApiMetrics } from "./metrics";
import { registerOpenApi } from "./openapi";
import { registerMetricsRoute, registerRoutes } from "./routes";
import { registerStaticFiles } from "./static";
import { type NamedAccount, TreasurySnapshot } from "./snapshot";
import { type EventStore, openEventStore } from "./store/store";
import { YieldTracker } from "./yield";

export interface ApiServerOptions {
  rpcUrl: string;
  wsUrl?: string;
  programId?: PublicKey;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** `sqlite:<file>`, `sqlite::memory:` (default) or `postgres://…`. */
  database?: string;
  /** The dashboard's built files, served at `/`. */
  staticDir?: string;
  /** $ASHAO holdings outside circulation besides the stake vault. */
  nonCirculating?: NamedAccount[];
  /**
   * The RPC URL the dashboard and wallet apps may use, published at `/api/config`. `rpcUrl`
   * itself is never published (a provider's URL carries its API key): without this, none is,
   * and the dashboard uses the cluster's public endpoint.
   */
  publicRpcUrl?: string;
  /** The websocket URL to publish beside `publicRpcUrl` (default: none). */
  publicWsUrl?: string;
  /** The cluster explorer links point at (default: from the RPC URL). */
  cluster?: Cluster;
  /** Log level (pino's; default `silent`). Each request is logged at `debug`. */
  logLevel?: LevelWithSilent;
  /**
   * Requests each client (by address; see `trustProxy`) may make per `windowMs` before it is
   * answered 429 `RateLimited` (default: no limit; `ashao api` sets 600 a minute).
   */
  rateLimit?: { max: number; windowMs: number };
  /**
   * Behind a reverse proxy: how many hops, or which proxy addresses, to trust for the client's
   * address in `X-Forwarded-For` (fastify's `trustProxy`). Default: the socket's peer.
   */
  trustProxy?: number | string;
  /**
   * Serves `/metrics` on this address instead of the public port (which then answers 404 for
   * it).
   */
  metricsListen?: ListenAddress;
  /**
   * How often the snapshot checks itself against the chain (the small accounts and a slice of
   * the positions; default 1 s), as a guard against missed notifications.
   */
  checkEverySecs?: number;
  /** Positions re-read per check (default 100). */
  positionsPerCheck?: number;
  /**
   * How often the indexer looks for new transactions besides the logs notifications (default
   * 5 s).
   */
  pollEverySecs?: number;
  /** Positions kept when the node refuses to list them all and they are read on demand. */
  positionsCacheSize?: number;
  /** Stakers above which every position is read in 256 shards rather than one request. */
  shardPositionsAbove?: number;
}

export interface ApiServer {
  url: string;
  /** `http://host:port/metrics` with `metricsListen`. */
  metricsUrl?: string;
  /**
   * Resolves once the snapshot is loaded and the indexer has caught up with the chain (the
   * server listens and answers `/healthz` before: 503 with the progress).
   */
  ready: Promise<void>;
  app: FastifyInstance;
  snapshot: TreasurySnapshot;
  indexer: EventIndexer;
  store: EventStore;
  close(): Promise<void>;
}

/**
 * Fastify's log lines, but a request answered is one line at debug instead of two at info (a
 * dashboard polling every two seconds would flood an operator's log).
 */
class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    req: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) return super.requestCompleted(error, req, reply);
    req.log.debug(
      { method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime },
      "request",
    );
  }
}

/** Waits before retrying a failed start-up step: 1 s, doubling up to 30 s. */
const RETRY_START_MS = { first: 1_000, most: 30_000 };

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  // Every HTTP call with a deadline and a named failure that names the node (without its key),
  // as the CLI's and the crank's; subscriptions guarded (removed at stop, perhaps after the node
  // went away).
  const connection = timedConnection(options.rpcUrl, {
    commitment: "confirmed",
    wsEndpoint: options.wsUrl,
  });
  const program = treasuryProgram(connection, undefined, {
    programId: options.programId ?? ASHAO_TREASURY_PROGRAM_ID,
  });
  const snapshot = new TreasurySnapshot(connection, program, {
    nonCirculating: options.nonCirculating,
    checkEveryMs: (options.checkEverySecs ?? 1) * 1000,
    positionsPerCheck: options.positionsPerCheck,
    positionsCacheSize: options.positionsCacheSize,
    shardPositionsAbove: options.shardPositionsAbove,
  });
  const store = await openEventStore(options.database ?? "sqlite::memory:");
  const app = Fastify({
    logger: { level: options.logLevel ?? "silent" },
    logController: new RequestLog(),
    // Unguessable, so an id quoted by a client names one logged error and nothing else.
    genReqId: () => randomUUID(),
    trustProxy: trustedProxies(options.trustProxy),
  });
  const metrics = new ApiMetrics();
  const yields = new YieldTracker();
  const indexer = new EventIndexer(connection, program, store, {
    onError: (err) => app.log.error({ err }, "indexer pass failed; retrying"),
    onEvent: (event) => {
      yields.apply(event);
      if (event.name === "positionClosed") {
        void snapshot
          .refreshPosition(new PublicKey(String(event.data.owner)))
          .catch((err) => app.log.warn({ err }, "could not re-read a closed position"));
      }
    },
    pollEveryMs: options.pollEverySecs === undefined ? undefined : options.pollEverySecs * 1000,
  });

  // The config is read before listening: a wrong program or RPC URL fails at once.
  try {
    await snapshot.open();
  } catch (err) {
    await snapshot.stop();
    await store.close();
    closeWebSocket(connection);
    throw err;
  }
  let closing = false;
  let wake: (() => void) | undefined;
  let closed!: () => void;
  const closingPromise = new Promise<void>((resolve) => (closed = resolve));
  const startup = { step: "loading the snapshot", lastError: null as string | null };
  /** Runs a start-up step until it succeeds (or the server closes). */
  const untilDone = async (step: string, work: () => Promise<void>) => {
    startup.step = step;
    for (let waitMs = RETRY_START_MS.first; ; waitMs = Math.min(2 * waitMs, RETRY_START_MS.most)) {
      if (closing) throw new Error("the API stopped before it was ready");
      try {
        await work();
        startup.lastError = null;
        return;
      } catch (err) {
        if (closing) throw new Error("the API stopped before it was ready");
        startup.lastError = `${step}: ${(err as Error).message}`;
        app.log.warn({ err }, `${step} failed; retrying in ${waitMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, waitMs).unref();
        });
      }
    }
  };
  // The server listens at once; the snapshot, the yield and the indexer load behind it, and
  // /healthz tells how far they are.
  const ready = (async () => {
    await untilDone("reading the yield's history from the store", () => yields.load(store));
    await untilDone("loading the snapshot", () => snapshot.load());
    await untilDone("starting the indexer", () => indexer.start());
    startup.step = "catching up with the chain's history";
    await Promise.race([indexer.caughtUp, closingPromise]);
    if (closing) throw new Error("the API stopped before it was ready");
    startup.step = "ready";
  })();
  ready.catch(() => undefined);
  // Notifications missed while the websocket was down: read everything again once it reopens
  // (off the event loop); otherwise the snapshot's own bounded checks guard against a missed one.
  onWebSocketReopen(connection, () => {
    if (!snapshot.ready) return;
    void snapshot.reload().catch((err) => app.log.warn({ err }, "snapshot reload failed"));
    void indexer.catchUp().catch((err) => app.log.warn({ err }, "indexer catch-up failed"));
  });

  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  if (options.rateLimit) {
    const { max, windowMs } = options.rateLimit;
    await app.register(rateLimit, {
      max,
      timeWindow: windowMs,
      errorResponseBuilder: (_req, context) =>
        new ApiError(
          429,
          "RateLimited",
          `more than ${context.max} requests from this client in ${windowMs / 1000} s; retry in ${context.after}`,
        ),
    });
  }
  const cluster = publicCluster(options);
  // What the dashboard sends wallets' transactions to: the published RPC URL, else a public
  // cluster's own endpoint (a custom cluster with none published has none).
  await registerDelivery(app, {
    rpcUrl:
      options.publicRpcUrl ?? (cluster.name === "custom" ? undefined : clusterApiUrl(cluster.name)),
    wsUrl: options.publicWsUrl,
  });
  // Answers are written as they are built; their schemas document them (and the tests hold the
  // answers to them) rather than reshape them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await registerOpenApi(app);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send({ error: err.error, message: err.message });
    }
    if (err.validation && err.validation.length > 0) {
      // The route's schema refused a field: answer with that field's name for the refusal.
      const issue = err.validation[0];
      const field =
        issue.instancePath.split("/")[1] ||
        String((issue.params as { missingProperty?: string }).missingProperty ?? "");
      const named = req.routeOptions.config.inputErrors?.[field];
      const source = (err.validationContext === "params" ? req.params : req.query) as
        | Record<string, unknown>
        | undefined;
      const got = source?.[field] === undefined ? "" : ` (got ${String(source[field])})`;
      return reply.code(400).send({
        error: named?.error ?? "BadRequest",
        message: `${field || err.validationContext} ${named?.message ?? issue.message ?? "is invalid"}${got}`,
      });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: "BadRequest", message: err.message });
    }
    // The error's text may name database hosts, users or the RPC URL: it stays in the log,
    // under the id the client is given.
    req.log.error({ err }, "request failed");
    return reply.code(500).send({
      error: "InternalError",
      message: `the server failed to answer; the operator's log holds the error under request id ${req.id}`,
      requestId: req.id,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: "NotFound", message: `no route ${req.method} ${req.url}` }),
  );
  metrics.countRequests(app);
  metrics.watch({ rpcUrl: options.rpcUrl, snapshot, indexer });
  registerRoutes(app, {
    program,
    snapshot,
    indexer,
    startup,
    store,
    yields,
    cluster,
    publicRpcUrl: options.publicRpcUrl ?? null,
    publicWsUrl: options.publicWsUrl ?? null,
  });
  if (!options.metricsListen) registerMetricsRoute(app, metrics);
  if (options.staticDir) registerStaticFiles(app, options.staticDir);

  let metricsServer: MetricsServer | undefined;
  const close = async () => {
    closing = true;
    closed();
    wake?.();
    metrics.stop();
    await metricsServer?.close();
    await app.close();
    await indexer.stop();
    await snapshot.stop();
    await ready.catch(() => undefined);
    await store.close();
    closeWebSocket(connection);
  };
  let address: string;
  try {
    address = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
    if (options.metricsListen) {
      metricsServer = await serveMetrics(metrics.registry, options.metricsListen);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url: address,
    metricsUrl: metricsServer?.url,
    ready,
    app,
    snapshot,
    indexer,
    store,
    close,
  };
}

/** fastify's `trustProxy`: hops counted from the socket's peer, or the proxies' addresses. */
function trustedProxies(trust: number | string | undefined) {
  if (trust === undefined) return false;
  return typeof trust === "number" ? (_address: string, hop: number) => hop < trust : trust;
}

/**
 * The cluster explorer links point at. A custom cluster's links name its RPC URL for the
 * explorer to read: only the public one, never `rpcUrl`, and none when there is none.
 */
function publicCluster(options: ApiServerOptions): Cluster {
  const cluster = options.cluster ?? clusterOf(options.publicRpcUrl ?? options.rpcUrl);
  return cluster.name === "custom" ? { name: "custom", rpcUrl: options.publicRpcUrl } : cluster;
}
