/**
 * The API and dashboard server (fastify): `/api/treasury` (figures and policy),
 * `/api/treasury/history`, `/api/treasury/buybacks`, `/api/treasury/admin-log`,
 * `/api/stakers/:wallet`, `/api/config`, `/healthz`, `/metrics`, and the dashboard's files at `/`.
 * Answers come from the in-memory snapshot and the event store, never from an RPC round trip
 * per request.
 */
import cors from "@fastify/cors";
import fastifyStatic from "@fastify/static";
import { Connection, PublicKey } from "@solana/web3.js";
import Fastify, { type FastifyInstance } from "fastify";

import {
  ASHAO_TREASURY_PROGRAM_ID,
  closeWebSocket,
  onWebSocketReopen,
  treasuryProgram,
} from "../../sdk/src";
import { ApiError } from "./errors";
import { EventIndexer } from "./indexer";
import { ApiMetrics } from "./metrics";
import { registerRoutes } from "./routes";
import { type NamedAccount, TreasurySnapshot } from "./snapshot";
import { type EventStore, openEventStore } from "./store/store";

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
  logger?: boolean;
  /** How often the snapshot is re-read in full, as a guard against missed notifications. */
  reloadEverySecs?: number;
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
  });
  const store = await openEventStore(options.database ?? "sqlite::memory:");
  const app = Fastify({ logger: options.logger ?? false });
  const metrics = new ApiMetrics();
  const indexer = new EventIndexer(
    connection,
    program,
    store,
    (err) => app.log.error({ err }, "indexer pass failed; retrying"),
    (event) => {
      if (event.name === "positionClosed") {
        void snapshot
          .refreshPosition(new PublicKey(String(event.data.owner)))
          .catch((err) => app.log.warn({ err }, "could not re-read a closed position"));
      }
    },
  );

  await snapshot.start();
  await indexer.start();
  // Notifications missed while the websocket was down: read everything again once it reopens.
  onWebSocketReopen(connection, () => {
    void snapshot.reload().catch((err) => app.log.warn({ err }, "snapshot reload failed"));
    void indexer.catchUp().catch((err) => app.log.warn({ err }, "indexer catch-up failed"));
  });
  const reload = setInterval(
    () => void snapshot.reload().catch((err) => app.log.warn({ err }, "snapshot reload failed")),
    (options.reloadEverySecs ?? 30) * 1000,
  );

  await app.register(cors, { origin: true, methods: ["GET", "HEAD"] });
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send({ error: err.error, message: err.message });
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
    publicRpcUrl: options.publicRpcUrl ?? options.rpcUrl,
    publicWsUrl: options.publicWsUrl ?? options.wsUrl,
  });
  if (options.staticDir) {
    await app.register(fastifyStatic, { root: options.staticDir, prefix: "/" });
  }

  const address = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  return {
    url: address,
    app,
    snapshot,
    indexer,
    store,
    async close() {
      clearInterval(reload);
      await app.close();
      await indexer.stop();
      await snapshot.stop();
      await store.close();
      closeWebSocket(connection);
    },
  };
}
