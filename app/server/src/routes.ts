/**
 * The API's routes. Every answer is built from the snapshot or the store; each route's schema
 * (schemas.ts) validates its inputs and documents its answer in the OpenAPI document.
 */
import { Readable } from "stream";

import type { PublicKey } from "@solana/web3.js";

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import {
  ASHAO_DECIMALS,
  type Cluster,
  explorerTxUrl,
  SOLANA_EXPLORER,
  STAKER_EVENT_NAMES,
  csvLine,
  STAKER_HISTORY_CSV_HEADER,
  stakerHistoryCsvLines,
  stakerHistoryEntry,
  stakerSummary,
  type TreasuryProgram,
  USDC_DECIMALS,
  WORKER_EARNINGS_CSV_HEADER,
  WORKER_EVENT_NAMES,
  workerEarning,
  workerEarningsCsvLines,
  workerEarningsTotals,
  workerSummary,
} from "../../sdk/src";
import { ADMIN_EVENTS, adminLogRow } from "./admin-log";
import { buybackRow } from "./buybacks";
import { ApiError } from "./errors";
import { buildHistory, historyTimes } from "./history";
import { type EventIndexer, HISTORY_COMMITMENT } from "./indexer";
import type { ApiMetrics } from "./metrics";
import { historyQuery, nextCursor, pageQuery, walletParam } from "./params";
import { ROUTES } from "./schemas";
import { LookupBusyError, type TreasurySnapshot } from "./snapshot";
import type { EventStore, StoredEvent } from "./store/store";
import type { YieldTracker } from "./yield";

export interface RouteContext {
  program: TreasuryProgram;
  snapshot: TreasurySnapshot;
  indexer: EventIndexer;
  /** What the server is doing before it is ready, and why the last attempt failed. */
  startup: { step: string; lastError: string | null };
  store: EventStore;
  yields: YieldTracker;
  cluster: Cluster;
  /** The only RPC URLs `/api/config` may publish (null: none). */
  publicRpcUrl: string | null;
  publicWsUrl: string | null;
}

/** Slots of lag past which /healthz reports degraded (one minute of 400 ms slots). */
const MAX_HEALTHY_LAG_SLOTS = 150;
/** The node is taken as unreachable when it has not answered over HTTP for this long. */
const RPC_SILENCE_MS = 30_000;
/** Unverified transactions named in /healthz. */
const UNVERIFIED_NAMED = 10;
/** The yield is recomputed at least this often on the chain's clock, even if nothing changed. */
const YIELD_REFRESH_SECS = 60;
/** The most rows a CSV download holds. */
const MAX_CSV_ROWS = 100_000;
/** Rows read and written per turn of the event loop: what an export holds other requests for. */
const CSV_PAGE = 100;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** When `/api/treasury/buybacks` became an alias of `/api/buybacks` (2026-11-30, unix seconds). */
const BUYBACKS_ALIAS_DEPRECATED_AT = 1_795_996_800;
/** History answers kept (distinct ranges and intervals asked for recently). */
const HISTORY_ANSWERS = 64;

type PageQuery = { limit?: number; cursor?: string; before?: string };

/** A CSV page's store options: the page after the previous page's last row. */
const csvPage = (after?: StoredEvent) => ({
  limit: CSV_PAGE,
  cursor: after?.seq === undefined ? undefined : { ts: after.ts, seq: after.seq },
});

/**
 * Streams a CSV download: the header, then a page of rows at a time, each read and written in
 * its own turn of the event loop, so a synchronous store (SQLite) holds other requests for one
 * page, never for the whole export, and a client that reads slowly pauses the reading. The
 * first page is read before the answer starts, so a store that fails answers a 500, not a cut
 * download. No ETag: it would take the whole export first.
 */
async function sendCsv(
  reply: FastifyReply,
  filename: string,
  header: readonly string[],
  page: (after?: StoredEvent) => Promise<{ rows: StoredEvent[]; lines: string }>,
) {
  const first = await page();
  async function* csv() {
    yield csvLine(header);
    let current = first;
    for (let written = 0; ; ) {
      yield current.lines;
      written += current.rows.length;
      if (current.rows.length < CSV_PAGE || written >= MAX_CSV_ROWS) return;
      await nextTurn();
      current = await page(current.rows[current.rows.length - 1]);
    }
  }
  return reply
    .header("cache-control", "no-cache")
    .header("content-disposition", `attachment; filename="${filename}"`)
    .type("text/csv; charset=utf-8")
    .send(Readable.from(csv()));
}

/** A route's schema and its fields' named refusals (read by the server's error handler). */
const route = (name: keyof typeof ROUTES) => ({
  schema: ROUTES[name].schema,
  config: { inputErrors: ROUTES[name].inputErrors ?? {} },
});

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { snapshot } = ctx;
  /** The treasury's first event's chain time (`all` starts there): fixed once indexed. */
  let historyStart: number | undefined;
  /** History answers by question, each with the indexer's cursor it was read at. */
  const historyAnswers = new Map<
    string,
    { indexed: string | undefined; answer: Record<string, unknown> }
  >();
  /** A wallet's position as the snapshot holds it (or reads it by address when it holds none). */
  const lookupPosition = async (wallet: PublicKey) => {
    try {
      return await snapshot.lookup(wallet);
    } catch (err) {
      throw err instanceof LookupBusyError
        ? new ApiError(503, "LookupBusy", err.message)
        : new ApiError(
            503,
            "PositionUnavailable",
            `could not read the position from the RPC node: ${(err as Error).message}`,
          );
    }
  };
  const requireSnapshot = () => {
    if (!snapshot.ready) {
      throw new ApiError(
        503,
        "NotReady",
        "the treasury snapshot is still loading (/healthz tells how far); retry shortly",
      );
    }
  };

  // The figures' JSON is cached per snapshot version and minute of the chain's clock (the yield
  // moves with time even when nothing else changes); `ageMs` and `chainTime` are added per
  // request.
  let cached: { key: string; json: string; etag: string } | undefined;
  app.get("/api/treasury", route("treasury"), async (_req, reply) => {
    requireSnapshot();
    const epoch = Math.floor(Number(snapshot.chainTime) / YIELD_REFRESH_SECS);
    const key = `${snapshot.version}-${epoch}`;
    if (cached?.key !== key) {
      const { figures, supply, solvency, policy } = snapshot.report();
      const json = JSON.stringify({
        ...figures,
        yield: ctx.yields.report(snapshot),
        supply,
        solvency,
        policy,
      });
      cached = { key, json, etag: `W/"${snapshot.slot}-${key}"` };
    }
    // The tag names the figures, not the bytes (`ageMs` and `chainTime` change with every
    // request): a client holding them gets a 304 (delivery.ts).
    reply
      .header("etag", cached.etag)
      .header("cache-control", "public, max-age=1")
      // On a 304 too: countdowns to an eta keep to the chain's clock while nothing changes.
      .header("x-chain-time", String(snapshot.chainTime));
    const ageMs = Date.now() - snapshot.readAt.getTime();
    return reply
      .type("application/json; charset=utf-8")
      .send(`{"ageMs":${ageMs},"chainTime":${snapshot.chainTime},${cached.json.slice(1)}`);
  });

  const buybacks = async (req: FastifyRequest<{ Querystring: PageQuery }>, reply: FastifyReply) => {
    const page = pageQuery(req.query);
    const events = await ctx.store.latestEvents(["buybackExecuted"], page);
    reply.header("cache-control", "public, max-age=5");
    return {
      buybacks: events.map((e) => buybackRow(e, ctx.cluster)),
      nextCursor: nextCursor(events, page.limit),
    };
  };
  app.get<{ Querystring: PageQuery }>("/api/buybacks", route("buybacks"), buybacks);
  // The earlier address, kept as an alias so existing clients keep working, and saying so
  // (RFC 9745's Deprecation: since 2026-11-30, when /api/buybacks took its place).
  app.get<{ Querystring: PageQuery }>(
    "/api/treasury/buybacks",
    {
      ...route("buybacks"),
      schema: {
        ...ROUTES.buybacks.schema,
        operationId: "listBuybacksAlias",
        deprecated: true,
        summary: "Alias of /api/buybacks",
      },
    },
    async (req, reply) => {
      reply
        .header("deprecation", `@${BUYBACKS_ALIAS_DEPRECATED_AT}`)
        .header("link", '</api/buybacks>; rel="successor-version"');
      return buybacks(req, reply);
    },
  );

  app.get<{ Querystring: PageQuery }>(
    "/api/treasury/admin-log",
    route("adminLog"),
    async (req, reply) => {
      const page = pageQuery(req.query);
      const events = await ctx.store.latestEvents(ADMIN_EVENTS, page);
      reply.header("cache-control", "public, max-age=5");
      return {
        actions: events.map((e) => adminLogRow(e, ctx.cluster)),
        nextCursor: nextCursor(events, page.limit),
      };
    },
  );

  app.get<{ Querystring: { range?: string; from?: string; to?: string; interval?: string } }>(
    "/api/treasury/history",
    route("history"),
    async (req, reply) => {
      const now = Number(snapshot.chainTime) || Math.floor(Date.now() / 1000);
      if (historyStart === undefined) {
        const first = await ctx.store.latestEvents(["treasuryInitialized"], { limit: 1 });
        historyStart = first[0]?.ts;
      }
      const q = historyQuery(req.query, now, historyStart ?? now);
      reply.header("cache-control", "public, max-age=5");
      // The same question asked again before the indexer has stored anything new has the same
      // answer: dashboards poll a few ranges, so most requests cost no database round trip.
      const key = `${q.from}:${q.to}:${q.intervalSecs}:${q.range ?? ""}`;
      const indexed = ctx.indexer.status.lastSignature;
      const cached = historyAnswers.get(key);
      if (cached && cached.indexed === indexed) return cached.answer;
      const totals = await ctx.store.totalsAt(historyTimes(q.from, q.to, q.intervalSecs));
      const { unverified } = ctx.indexer.status;
      const answer = {
        from: new Date(q.from * 1000).toISOString(),
        to: new Date(q.to * 1000).toISOString(),
        interval: q.interval,
        range: q.range,
        commitment: HISTORY_COMMITMENT,
        unverifiedTransactions: unverified.count,
        points: buildHistory(totals, q.from, q.intervalSecs, unverified.newest),
      };
      historyAnswers.delete(key);
      historyAnswers.set(key, { indexed, answer });
      // Oldest first in a Map's order: drop the least recently stored.
      if (historyAnswers.size > HISTORY_ANSWERS)
        historyAnswers.delete(historyAnswers.keys().next().value!);
      return answer;
    },
  );

  app.get<{ Params: { wallet: string } }>(
    "/api/stakers/:wallet",
    route("staker"),
    async (req, reply) => {
      const wallet = walletParam(req.params.wallet);
      requireSnapshot();
      const position = await lookupPosition(wallet);
      reply.header("cache-control", "no-cache");
      return {
        ...stakerSummary(
          ctx.program.programId,
          snapshot.state!,
          wallet,
          position,
          snapshot.chainTime,
        ),
        slot: snapshot.slot,
        readAt: snapshot.readAt.toISOString(),
      };
    },
  );

  const historyEntry = (event: StoredEvent) => ({
    ...stakerHistoryEntry(event),
    explorerUrl: explorerTxUrl(event.signature, ctx.cluster),
  });
  app.get<{ Params: { wallet: string }; Querystring: PageQuery }>(
    "/api/stakers/:wallet/history",
    route("stakerHistory"),
    async (req, reply) => {
      const wallet = walletParam(req.params.wallet).toBase58();
      const page = pageQuery(req.query);
      const events = await ctx.store.latestEvents(STAKER_EVENT_NAMES, { ...page, owner: wallet });
      reply.header("cache-control", "no-cache");
      return {
        wallet,
        entries: events.map(historyEntry),
        nextCursor: nextCursor(events, page.limit),
      };
    },
  );

  app.get<{ Params: { wallet: string } }>(
    "/api/stakers/:wallet/history.csv",
    route("stakerHistoryCsv"),
    async (req, reply) => {
      const wallet = walletParam(req.params.wallet).toBase58();
      return sendCsv(reply, `ashao-history-${wallet}.csv`, STAKER_HISTORY_CSV_HEADER, (after) =>
        ctx.store
          .latestEvents(STAKER_EVENT_NAMES, { ...csvPage(after), owner: wallet })
          .then((rows) => ({ rows, lines: stakerHistoryCsvLines(rows.map(stakerHistoryEntry)) })),
      );
    },
  );

  /** The position's boost now and why, from the snapshot (its tiers, clock and positions). */
  const workerNow = async (wallet: PublicKey) => {
    requireSnapshot();
    return workerSummary(snapshot.state!, wallet, await lookupPosition(wallet), snapshot.chainTime);
  };
  app.get<{ Params: { wallet: string }; Querystring: PageQuery }>(
    "/api/workers/:wallet",
    route("worker"),
    async (req, reply) => {
      const wallet = walletParam(req.params.wallet);
      const address = wallet.toBase58();
      const page = pageQuery(req.query);
      const [summary, events, totals] = await Promise.all([
        workerNow(wallet),
        ctx.store.latestEvents(WORKER_EVENT_NAMES, { ...page, worker: address }),
        ctx.store.workerTotals(address),
      ]);
      reply.header("cache-control", "no-cache");
      return {
        ...summary,
        slot: snapshot.slot,
        readAt: snapshot.readAt.toISOString(),
        earnings: workerEarningsTotals(totals),
        settlements: events.map((e) => ({
          ...workerEarning(e),
          explorerUrl: explorerTxUrl(e.signature, ctx.cluster),
        })),
        nextCursor: nextCursor(events, page.limit),
      };
    },
  );

  app.get<{ Params: { wallet: string } }>(
    "/api/workers/:wallet/earnings.csv",
    route("workerEarningsCsv"),
    async (req, reply) => {
      const wallet = walletParam(req.params.wallet).toBase58();
      return sendCsv(
        reply,
        `ashao-worker-earnings-${wallet}.csv`,
        WORKER_EARNINGS_CSV_HEADER,
        (after) =>
          ctx.store
            .latestEvents(WORKER_EVENT_NAMES, { ...csvPage(after), worker: wallet })
            .then((rows) => ({ rows, lines: workerEarningsCsvLines(rows.map(workerEarning)) })),
      );
    },
  );

  app.get("/api/config", route("config"), async () => {
    requireSnapshot();
    const state = snapshot.state!;
    return {
      rpcUrl: ctx.publicRpcUrl,
      wsUrl: ctx.publicWsUrl,
      cluster: {
        name: ctx.cluster.name,
        rpcUrl: ctx.cluster.name === "custom" ? (ctx.cluster.rpcUrl ?? null) : null,
      },
      explorer: SOLANA_EXPLORER,
      programId: ctx.program.programId.toBase58(),
      config: state.address.toBase58(),
      usdcMint: state.usdcMint.toBase58(),
      ashaoMint: state.ashaoMint.toBase58(),
      ashaoTokenProgram: state.ashaoTokenProgram.toBase58(),
      usdcDecimals: USDC_DECIMALS,
      ashaoDecimals: ASHAO_DECIMALS,
    };
  });

  // Built from what the snapshot and the indexer already know: a health check costs no RPC call,
  // however often it is asked.
  app.get("/healthz", route("health"), async (_req, reply) => {
    const { status } = ctx.indexer;
    const lastAnswerAt = Math.max(snapshot.node.answeredAt, ctx.indexer.rpc.lastAnswerAt);
    const lastAnswerAgoMs = lastAnswerAt === 0 ? null : Date.now() - lastAnswerAt;
    const rpcReachable = lastAnswerAgoMs !== null && lastAnswerAgoMs <= RPC_SILENCE_MS;
    const rpcSlot = snapshot.node.slot === 0 ? null : snapshot.node.slot;
    const lagSlots = ctx.indexer.lagSlots;
    const ready = snapshot.ready && status.caughtUp;
    const healthy =
      ready && rpcReachable && status.gap === null && lagSlots <= MAX_HEALTHY_LAG_SLOTS;
    const mode = snapshot.positionsMode;
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? "ok" : ready ? "degraded" : "starting",
      rpcSlot,
      rpcReachable,
      rpcLastAnswerAgoMs: lastAnswerAgoMs,
      snapshotSlot: snapshot.slot,
      snapshotLagSlots: rpcSlot === null ? null : Math.max(0, rpcSlot - snapshot.slot),
      snapshotAgeMs: Date.now() - snapshot.readAt.getTime(),
      startup: { step: ctx.startup.step, lastError: ctx.startup.lastError },
      commitments: { figures: "confirmed", positions: "confirmed", history: HISTORY_COMMITMENT },
      snapshot: {
        ready: snapshot.ready,
        positions: {
          mode: mode.kind,
          held: snapshot.positionCount,
          reason: mode.kind === "onDemand" ? mode.reason : null,
          cacheSize: mode.kind === "onDemand" ? mode.cacheSize : null,
        },
      },
      indexer: {
        events: status.events,
        lastSignature: status.lastSignature ?? null,
        lastSlot: status.lastSlot,
        lagSlots,
        caughtUp: status.caughtUp,
        catchUp: ctx.indexer.progress(),
        gap: status.gap,
        unverified: {
          transactions: status.unverified.count,
          newest: status.unverified.newest.slice(0, UNVERIFIED_NAMED).map((u) => ({
            signature: u.signature,
            slot: u.slot,
            reason: u.reason,
          })),
        },
        lastError: status.lastError,
      },
    });
  });
}

/** `GET /metrics` on the public server (without `--metrics-listen`). */
export function registerMetricsRoute(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get("/metrics", route("metrics"), async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
