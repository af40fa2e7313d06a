/**
 * The stakers' trailing yield for `/api/treasury`: the reward index's history replayed from the
 * indexed events (loaded from the store at start, then each new event as the indexer stores
 * it), the last buyback's price, and the oracle's price from the snapshot.
 *
 * Start-up does not replay all of history: at the first event of each day of chain time the
 * tracker saves its state (the stream, the start of history, the last buyback) to the store as
 * a checkpoint, and a start resumes from the newest checkpoint at least 30 days (the longest
 * window) before the newest event, replaying only the events since.
 */
import {
  amount,
  type RewardStream,
  oracleUsdcPerAshao,
  REWARD_EVENTS,
  RewardIndexHistory,
  USDC_DECIMALS,
  type YieldPrice,
  yieldReport,
  type YieldReport,
} from "../../sdk/src";
import type { TreasurySnapshot } from "./snapshot";
import type { EventStore, StoredEvent } from "./store/store";

/** The longest trailing window: older checkpoints are pruned. */
const LONGEST_WINDOW_SECS = 30 * 86_400;
const PRUNE_EVERY = 1_000;
/** The events the tracker reads: those that move the index, and buybacks (for the price). */
const YIELD_EVENTS: readonly string[] = [...REWARD_EVENTS, "buybackExecuted"];
const CHECKPOINT_KIND = "yield";
const CHECKPOINT_EVERY_SECS = 86_400;

const STREAM_FIELDS = [
  "totalStaked",
  "accRewardPerShare",
  "rewardCarry",
  "streamRemaining",
  "streamEndTs",
  "lastUpdateTs",
  "totalRewardsReleased",
] as const satisfies readonly (keyof RewardStream)[];

/** The tracker's state as a checkpoint saves it (bigints as decimal strings). */
interface SavedState {
  startTs: string | null;
  last: { ts: string; stream: Record<(typeof STREAM_FIELDS)[number], string> } | null;
  lastBuyback: { priceRaw: string; ts: number } | null;
  lastSlot: number;
  lastKeys: string[];
  lastTs: number | null;
}

const dayOf = (ts: number) => Math.floor(ts / CHECKPOINT_EVERY_SECS);

export class YieldTracker {
  private history = new RewardIndexHistory();
  private lastBuyback?: { priceRaw: bigint; ts: number };
  /** The newest event applied, so an event the store and the indexer both hand over counts once. */
  private last = { slot: -1, keys: new Set<string>() };
  /** The chain time of the newest event applied (to see a new day begin). */
  private lastTs?: number;
  private sincePrune = 0;
  private store?: EventStore;

  /**
   * Resumes from the newest checkpoint that still covers the longest window, then replays the
   * events since (before the indexer starts adding to the store).
   */
  async load(store: EventStore): Promise<void> {
    this.store = store;
    const [newest] = await store.latestEvents(YIELD_EVENTS, { limit: 1 });
    if (!newest) return;
    const saved = await store.checkpointAtOrBefore(
      CHECKPOINT_KIND,
      newest.ts - LONGEST_WINDOW_SECS,
    );
    if (saved) this.restore(JSON.parse(saved.state) as SavedState);
    const events = await store.eventsSince(saved?.ts ?? Number.MIN_SAFE_INTEGER, YIELD_EVENTS);
    for (const event of events) this.apply(event);
  }

  /** One stored event, in chain order. */
  apply(event: StoredEvent): void {
    if (!YIELD_EVENTS.includes(event.name)) return;
    const key = `${event.signature}:${event.index}`;
    if (event.slot < this.last.slot) return;
    if (event.slot === this.last.slot) {
      if (this.last.keys.has(key)) return;
      this.last.keys.add(key);
    } else {
      this.last = { slot: event.slot, keys: new Set([key]) };
    }
    if (this.lastTs !== undefined && dayOf(event.ts) > dayOf(this.lastTs)) {
      // Everything before this day is applied (chain order): what a later start resumes from.
      // A checkpoint that fails to save only lengthens that start's replay.
      const day = dayOf(event.ts) * CHECKPOINT_EVERY_SECS;
      const state = JSON.stringify(this.save());
      void this.store?.saveCheckpoint(CHECKPOINT_KIND, day, state).catch(() => undefined);
    }
    this.lastTs = event.ts;
    if (event.name === "buybackExecuted") {
      this.lastBuyback = { priceRaw: BigInt(String(event.data.priceUsdcPerAshao)), ts: event.ts };
      return;
    }
    if (!(REWARD_EVENTS as readonly string[]).includes(event.name)) return;
    this.history.apply(event);
    if (++this.sincePrune >= PRUNE_EVERY) {
      this.sincePrune = 0;
      this.history.prune(BigInt(event.ts - LONGEST_WINDOW_SECS));
    }
  }

  private save(): SavedState {
    const { startTs, last } = this.history.resumePoint();
    return {
      startTs: startTs?.toString() ?? null,
      last: last && {
        ts: last.ts.toString(),
        stream: Object.fromEntries(
          STREAM_FIELDS.map((f) => [f, last.stream[f].toString()]),
        ) as NonNullable<SavedState["last"]>["stream"],
      },
      lastBuyback: this.lastBuyback
        ? { priceRaw: this.lastBuyback.priceRaw.toString(), ts: this.lastBuyback.ts }
        : null,
      lastSlot: this.last.slot,
      lastKeys: [...this.last.keys],
      lastTs: this.lastTs ?? null,
    };
  }

  private restore(state: SavedState): void {
    this.history = RewardIndexHistory.resume({
      startTs: state.startTs === null ? null : BigInt(state.startTs),
      last: state.last && {
        ts: BigInt(state.last.ts),
        stream: Object.fromEntries(
          STREAM_FIELDS.map((f) => [f, BigInt(state.last!.stream[f])]),
        ) as unknown as RewardStream,
      },
    });
    this.lastBuyback = state.lastBuyback
      ? { priceRaw: BigInt(state.lastBuyback.priceRaw), ts: state.lastBuyback.ts }
      : undefined;
    this.last = { slot: state.lastSlot, keys: new Set(state.lastKeys) };
    this.lastTs = state.lastTs ?? undefined;
  }

  /** The price $ASHAO is valued at: the oracle's when it has one, else the last buyback's. */
  price(snapshot: TreasurySnapshot): YieldPrice | null {
    const update = snapshot.oracle?.update;
    if (update && update.price > 0n) {
      return {
        source: "oracle",
        usdcPerAshao: amount(oracleUsdcPerAshao(update, USDC_DECIMALS), USDC_DECIMALS),
        at: new Date(Number(update.publishTime) * 1000).toISOString(),
      };
    }
    if (this.lastBuyback) {
      return {
        source: "lastBuyback",
        usdcPerAshao: amount(this.lastBuyback.priceRaw, USDC_DECIMALS),
        at: new Date(this.lastBuyback.ts * 1000).toISOString(),
      };
    }
    return null;
  }

  report(snapshot: TreasurySnapshot): YieldReport {
    return yieldReport(this.history, snapshot.state!, snapshot.chainTime, this.price(snapshot));
  }
}
