/**
 * The stakers' trailing yield for `/api/treasury`: the reward index's history replayed from the
 * indexed events (loaded from the store at start, then each new event as the indexer stores
 * it), the last buyback's price, and the oracle's price from the snapshot.
 */
import {
  amount,
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

export class YieldTracker {
  private readonly history = new RewardIndexHistory();
  private lastBuyback?: { priceRaw: bigint; ts: number };
  /** The newest event applied, so an event the store and the indexer both hand over counts once. */
  private last = { slot: -1, keys: new Set<string>() };
  private sincePrune = 0;

  /** Replays what the store holds (before the indexer starts adding to it). */
  async load(store: EventStore): Promise<void> {
    for (const event of await store.eventsUntil(Number.MAX_SAFE_INTEGER)) this.apply(event);
  }

  /** One stored event, in chain order. */
  apply(event: StoredEvent): void {
    const key = `${event.signature}:${event.index}`;
    if (event.slot < this.last.slot) return;
    if (event.slot === this.last.slot) {
      if (this.last.keys.has(key)) return;
      this.last.keys.add(key);
    } else {
      this.last = { slot: event.slot, keys: new Set([key]) };
    }
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
