/**
 * The API and dashboard server (fastify): `/api/treasury` (figures, yield, supply, solvency and
 * policy), `/api/treasury/history`, `/api/buybacks`, `/api/treasury/admin-log`,
 * `/api/stakers/:wallet` and its history (JSON and CSV), `/api/config`, `/healthz`, `/metrics`,
 * the OpenAPI document at `/api/openapi.json`, and the dashboard's files at `/`. Answers come
 * from the in-memory snapshot and the event store, never from an RPC round trip per request.
 */
import swagger from "@fastify/swagger";
import { Connection, PublicKey } from "@solana/web3.js";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";

import {
  ASHAO_TREASURY_PROGRAM_ID,
  type Cluster,
  clusterOf,
  closeWebSocket,
  onWebSocketReopen,
  treasuryProgram,
} from "../../sdk/src";
import { registerDelivery } from "./delivery";
import { ApiError } from "./errors";
import { EventIndexer } from "./indexer";
import { ApiMetrics } from "./metrics";
import { registerRoutes } from "./routes";
import { SHARED_SCHEMAS } from "./schemas";
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
  /** The RPC URL wallet apps should use (default `rpcUrl`). */
  publicRpcUrl?: string;
  publicWsUrl?: string;
  /** The cluster explorer links point at (default: from the public RPC URL). */
  cluster?: Cluster;
  logger?: boolean;
  /**
   * How often the snapshot checks itself against the chain (the small accounts and a slice of
   * the positions; default 1 s), as a guard against missed notifications.
   */
  checkEverySecs?: number;
  /** Positions re-read per check (default 100). */
  positionsPerCheck?: number;
}

export interface ApiServer {
  url: string;
  app: FastifyInstance;
  snapshot: TreasurySnapshot;
  indexer: EventIndexer;
  store: EventStore;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const connection = new Connection(options.rpcUrl, {
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
  });
  const store = await openEventStore(options.database ?? "sqlite::memory:");
  const app = Fastify({ logger: options.logger ?? false });
  const metrics = new ApiMetrics();
  const yields = new YieldTracker();
  const indexer = new EventIndexer(
    connection,
    program,
    store,
    (err) => app.log.error({ err }, "indexer pass failed; retrying"),
    (event) => {
      yields.apply(event);
      if (event.name === "positionClosed") {
        void snapshot
          .refreshPosition(new PublicKey(String(event.data.owner)))
          .catch((err) => app.log.warn({ err }, "could not re-read a closed position"));
      }
    },
  );

  await snapshot.start();
  await yields.load(store);
  await indexer.start();
  // Notifications missed while the websocket was down: read everything again once it reopens
  // (off the event loop); otherwise the snapshot's own bounded checks guard against a missed one.
  onWebSocketReopen(connection, () => {
    void snapshot.reload().catch((err) => app.log.warn({ err }, "snapshot reload failed"));
    void indexer.catchUp().catch((err) => app.log.warn({ err }, "indexer catch-up failed"));
  });

  await registerDelivery(app, {
    rpcUrl: options.publicRpcUrl ?? options.rpcUrl,
    wsUrl: options.publicWsUrl ?? options.wsUrl,
  });
  // Answers are written as they are built; their schemas document them (and the tests hold the
  // answers to them) rather than reshape them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "$ASHAO treasury API",
        version: "1",
        description:
          "Live treasury figures, yield, supply, solvency and policy, buybacks and stakers' " +
          "positions and history. Amounts are exact base units as decimal strings ({raw, ui, " +
          "decimals}); errors are {error, message} with a name clients can switch on.",
      },
      tags: [
        { name: "treasury", description: "the treasury's figures and history" },
        { name: "stakers", description: "a wallet's position and history" },
        { name: "meta", description: "configuration and health" },
      ],
    },
    hideUntagged: true,
    // Shared schemas keep their names under components.schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
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
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) app.log.error({ err }, "request failed");
    return reply
      .code(status)
      .send({ error: status >= 500 ? "InternalError" : "BadRequest", message: err.message });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: "NotFound", message: `no route ${req.method} ${req.url}` }),
  );
  metrics.register(app, snapshot, indexer);
  registerRoutes(app, {
    connection,
    program,
    snapshot,
    indexer,
    store,
    metrics,
    yields,
    cluster: options.cluster ?? clusterOf(options.publicRpcUrl ?? options.rpcUrl),
    publicRpcUrl: options.publicRpcUrl ?? options.rpcUrl,
    publicWsUrl: options.publicWsUrl ?? options.wsUrl,
  });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  if (options.staticDir) registerStaticFiles(app, options.staticDir);

  const address = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  return {
    url: address,
    app,
    snapshot,
    indexer,
    store,
    async close() {
      await app.close();
      await indexer.stop();
      await snapshot.stop();
      await store.close();
      closeWebSocket(connection);
    },
  };
}
