/** The API's routes. Every answer is built from the snapshot or the store. */
import type { Connection } from "@solana/web3.js";
import type { FastifyInstance } from "fastify";

import {
  amount,
  ASHAO_DECIMALS,
  pendingRewards,
  positionBoost,
  type TreasuryProgram,
  treasuryPolicy,
  USDC_DECIMALS,
} from "../../sdk/src";
import { ADMIN_EVENTS, adminLogRow } from "./admin-log";
import { buybackRow } from "./buybacks";
import { ApiError } from "./errors";
import { buildHistory } from "./history";
import type { EventIndexer } from "./indexer";
import type { ApiMetrics } from "./metrics";
import { historyQuery, pageQuery, walletParam } from "./params";
import type { TreasurySnapshot } from "./snapshot";
import type { EventStore } from "./store/store";

export interface RouteContext {
  connection: Connection;
  program: TreasuryProgram;
  snapshot: TreasurySnapshot;
  indexer: EventIndexer;
  store: EventStore;
  metrics: ApiMetrics;
  publicRpcUrl: string;
  publicWsUrl?: string;
}

/** Slots of lag past which /healthz reports degraded (one minute of 400 ms slots). */
const MAX_HEALTHY_LAG_SLOTS = 150;
/** /healthz answers within this even when the RPC node hangs. */
const HEALTH_RPC_TIMEOUT_MS = 2_000;

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { snapshot } = ctx;
  const requireSnapshot = () => {
    if (!snapshot.ready) {
      throw new ApiError(503, "NotReady", "the treasury snapshot is still loading; retry shortly");
    }
  };

  // The figures' JSON is cached per snapshot version; only `ageMs` and `chainTime` are added
  // per request (the clock moves without changing the treasury, so it is not in the ETag).
  let cached: { version: number; json: string; etag: string } | undefined;
  app.get("/api/treasury", async (req, reply) => {
    requireSnapshot();
    if (cached?.version !== snapshot.version) {
      const json = JSON.stringify({
        ...snapshot.figures(),
        policy: treasuryPolicy(snapshot.state!),
      });
      cached = {
        version: snapshot.version,
        json,
        etag: `W/"${snapshot.slot}-${snapshot.version}"`,
      };
    }
    reply
      .header("etag", cached.etag)
      .header("cache-control", "public, max-age=1")
      // On a 304 too: countdowns to an eta keep to the chain's clock while nothing changes.
      .header("x-chain-time", String(snapshot.chainTime));
    if (req.headers["if-none-match"] === cached.etag) return reply.code(304).send();
    const ageMs = Date.now() - snapshot.readAt.getTime();
    return reply
      .type("application/json; charset=utf-8")
      .send(`{"ageMs":${ageMs},"chainTime":${snapshot.chainTime},${cached.json.slice(1)}`);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/api/treasury/buybacks",
    async (req, reply) => {
      const page = pageQuery(req.query);
      const events = await ctx.store.latestEvents(["buybackExecuted"], page);
      reply.header("cache-control", "public, max-age=5");
      return { buybacks: events.map(buybackRow) };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/api/treasury/admin-log",
    async (req, reply) => {
      const page = pageQuery(req.query);
      const events = await ctx.store.latestEvents(ADMIN_EVENTS, page);
      reply.header("cache-control", "public, max-age=5");
      return { actions: events.map(adminLogRow) };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/api/treasury/history",
    async (req, reply) => {
      const now = Number(snapshot.chainTime) || Math.floor(Date.now() / 1000);
      const q = historyQuery(req.query, now);
      const events = await ctx.store.eventsUntil(q.to);
      reply.header("cache-control", "public, max-age=5");
      return {
        from: new Date(q.from * 1000).toISOString(),
        to: new Date(q.to * 1000).toISOString(),
        interval: q.interval,
        points: buildHistory(events, q.from, q.to, q.intervalSecs),
      };
    },
  );

  app.get<{ Params: { wallet: string } }>("/api/stakers/:wallet", async (req, reply) => {
    const wallet = walletParam(req.params.wallet);
    requireSnapshot();
    const state = snapshot.state!;
    const position = snapshot.position(wallet);
    const now = snapshot.chainTime;
    const boost = positionBoost(state, position);
    reply.header("cache-control", "no-cache");
    return {
      wallet: wallet.toBase58(),
      position: snapshot.positionAddress(wallet).toBase58(),
      exists: position !== null,
      staked: amount(position?.staked ?? 0n, ASHAO_DECIMALS),
      unstaking: amount(position?.unstaking ?? 0n, ASHAO_DECIMALS),
      pendingRewards: amount(position ? pendingRewards(state, position, now) : 0n, USDC_DECIMALS),
      totalClaimed: amount(position?.totalClaimed ?? 0n, USDC_DECIMALS),
      cooldownEndsAt:
        position && position.unstaking > 0n
          ? new Date(Number(position.unstakeAvailableAt) * 1000).toISOString()
          : null,
      withdrawableNow:
        position !== null && position.unstaking > 0n && now >= position.unstakeAvailableAt,
      boostBps: boost.boostBps,
      nextTier: boost.nextTier
        ? { minStake: boost.nextTier.minStake.toString(), boostBps: boost.nextTier.boostBps }
        : null,
      asOfChainTime: Number(now),
      slot: snapshot.slot,
      readAt: snapshot.readAt.toISOString(),
    };
  });

  app.get("/api/config", async () => {
    requireSnapshot();
    const state = snapshot.state!;
    return {
      rpcUrl: ctx.publicRpcUrl,
      wsUrl: ctx.publicWsUrl ?? null,
      programId: ctx.program.programId.toBase58(),
      config: state.address.toBase58(),
      usdcMint: state.usdcMint.toBase58(),
      ashaoMint: state.ashaoMint.toBase58(),
      ashaoTokenProgram: state.ashaoTokenProgram.toBase58(),
      usdcDecimals: USDC_DECIMALS,
      ashaoDecimals: ASHAO_DECIMALS,
    };
  });

  app.get("/healthz", async (_req, reply) => {
    let rpcSlot: number | null = null;
    try {
      rpcSlot = await Promise.race([
        ctx.connection.getSlot("confirmed"),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("RPC timeout")), HEALTH_RPC_TIMEOUT_MS).unref(),
        ),
      ]);
      ctx.metrics.rpcSlot.set(rpcSlot);
    } catch {
      // Reported below as an unreachable RPC.
    }
    const { status } = ctx.indexer;
    const snapshotLag = rpcSlot === null ? null : Math.max(0, rpcSlot - snapshot.slot);
    const indexerLag = Math.max(0, status.seenSlot - status.lastSlot);
    // A quiet treasury does not make the snapshot stale: its slot only moves when it changes.
    const ok = rpcSlot !== null && snapshot.ready && indexerLag <= MAX_HEALTHY_LAG_SLOTS;
    return reply.code(ok ? 200 : 503).send({
      status: ok ? "ok" : "degraded",
      rpcSlot,
      rpcReachable: rpcSlot !== null,
      snapshotSlot: snapshot.slot,
      snapshotLagSlots: snapshotLag,
      snapshotAgeMs: Date.now() - snapshot.readAt.getTime(),
      indexer: {
        events: status.events,
        lastSignature: status.lastSignature ?? null,
        lastSlot: status.lastSlot,
        lagSlots: indexerLag,
      },
    });
  });

  app.get("/metrics", async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
