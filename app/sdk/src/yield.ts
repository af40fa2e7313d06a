/**
 * The stakers' yield: USDC released to stakers per $ASHAO staked over a trailing window,
 * annualised, and as an APR once $ASHAO has a price. It is read off the program's reward index
 * (`accRewardPerShare`: USDC released per staked base unit, scaled by 1e18), which is exactly
 * what one staked $ASHAO earned, whoever else was staked. The index at a past moment is
 * replayed from the program's events with the program's own accrual (`accrue`): each event
 * carries the stream and stake it left behind.
 */
import { ASHAO_DECIMALS, USDC_DECIMALS } from "./constants";
import { type Amount, amount } from "./figures";
import { accrue, REWARD_PRECISION, type RewardStream } from "./rewards";

/** An event as the indexer stores it (decimal strings) or as the SDK parses it (bigints). */
export interface RewardEventInput {
  name: string;
  /** Chain time, unix seconds. */
  ts: number | bigint;
  data: Record<string, unknown>;
}

const big = (value: unknown): bigint => BigInt(String(value));

const EMPTY_STREAM: RewardStream = {
  totalStaked: 0n,
  accRewardPerShare: 0n,
  rewardCarry: 0n,
  streamRemaining: 0n,
  streamEndTs: 0n,
  lastUpdateTs: 0n,
  totalRewardsReleased: 0n,
};

/** The events that move the stream or the stake, and what each carries. */
export const REWARD_EVENTS = [
  "treasuryInitialized",
  "revenueDeposited",
  "staked",
  "unstakeRequested",
  "rewardsClaimed",
] as const;

/** The stream as the events up to `ts` left it. */
export interface RewardIndexCheckpoint {
  ts: bigint;
  stream: RewardStream;
}

/** Where a replay can resume: the start of history and the newest checkpoint. */
export interface RewardIndexResumePoint {
  startTs: bigint | null;
  last: RewardIndexCheckpoint | null;
}

/**
 * The reward index through time. Events are applied in chain order; checkpoints older than what
 * the trailing windows need can be pruned (`prune`), so memory stays bounded.
 */
export class RewardIndexHistory {
  private checkpoints: RewardIndexCheckpoint[] = [];
  private stream: RewardStream = EMPTY_STREAM;
  /** When the treasury was initialised (or its first event seen): the start of all history. */
  startTs: bigint | null = null;

  /**
   * A history that goes on from `point` (another's `resumePoint()`): applying the events after
   * it gives the same index at any time from `point.last.ts` on as replaying every event.
   */
  static resume(point: RewardIndexResumePoint): RewardIndexHistory {
    const history = new RewardIndexHistory();
    history.startTs = point.startTs;
    if (point.last) {
      history.checkpoints = [point.last];
      history.stream = point.last.stream;
    }
    return history;
  }

  resumePoint(): RewardIndexResumePoint {
    return { startTs: this.startTs, last: this.checkpoints[this.checkpoints.length - 1] ?? null };
  }

  /** Applies one event (others are ignored). */
  apply(event: RewardEventInput): void {
    if (!(REWARD_EVENTS as readonly string[]).includes(event.name)) return;
    const ts = BigInt(event.ts);
    const d = event.data;
    this.startTs ??= ts;
    // The program accrues to the instruction's time first, then applies it.
    let s = accrue(this.stream, ts).stream;
    switch (event.name) {
      case "treasuryInitialized":
        s = { ...EMPTY_STREAM, lastUpdateTs: ts };
        break;
      case "revenueDeposited":
        s = {
          ...s,
          streamRemaining: big(d.streamRemaining),
          streamEndTs: big(d.streamEndTs),
          totalStaked: big(d.totalStaked),
          totalRewardsReleased: big(d.totalRewardsReleased),
        };
        break;
      case "staked":
      case "unstakeRequested":
        s = { ...s, totalStaked: big(d.totalStaked), accRewardPerShare: big(d.accRewardPerShare) };
        break;
      case "rewardsClaimed":
        s = {
          ...s,
          totalStaked: big(d.totalStaked),
          accRewardPerShare: big(d.accRewardPerShare),
          streamRemaining: big(d.streamRemaining),
          totalRewardsReleased: big(d.totalRewardsReleased),
        };
        break;
    }
    this.stream = s;
    this.checkpoints.push({ ts, stream: s });
  }

  /** The index and the USDC released to date at `ts` (0 before the start of history). */
  at(ts: bigint): { accRewardPerShare: bigint; released: bigint } {
    let lo = 0;
    let hi = this.checkpoints.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.checkpoints[mid].ts <= ts) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return { accRewardPerShare: 0n, released: 0n };
    const { stream } = accrue(this.checkpoints[found].stream, ts);
    return { accRewardPerShare: stream.accRewardPerShare, released: stream.totalRewardsReleased };
  }

  /** Drops checkpoints no query at or after `ts` can need (the last one before `ts` stays). */
  prune(ts: bigint): void {
    let keepFrom = 0;
    while (keepFrom + 1 < this.checkpoints.length && this.checkpoints[keepFrom + 1].ts <= ts) {
      keepFrom++;
    }
    if (keepFrom > 0) this.checkpoints = this.checkpoints.slice(keepFrom);
  }

  get size(): number {
    return this.checkpoints.length;
  }
}

// ------------------------------------------------------------------------------- the yield

export const YEAR_SECS = 365 * 86_400;
/** Rates per whole $ASHAO are kept to 18 decimals of USDC (exact: the index's own scale). */
export const RATE_DECIMALS = 18;

/** A price of $ASHAO in USDC, and where it comes from. */
export interface YieldPrice {
  source: "oracle" | "lastBuyback";
  /** USDC per whole $ASHAO (USDC valued at one US dollar). */
  usdcPerAshao: Amount;
  /** When the oracle published it, or when the buyback paid it. */
  at: string;
}

/**
 * The trailing windows, and the data each needs before it gives a rate: a day for the week (a
 * rate from minutes of revenue is a number nobody can earn), and more than a week for the month
 * (so that it never repeats the 7-day figure from the same data).
 */
export const YIELD_WINDOWS = {
  trailing7d: { windowSecs: 7 * 86_400, minCoveredSecs: 86_400 },
  trailing30d: { windowSecs: 30 * 86_400, minCoveredSecs: 8 * 86_400 },
} as const;

export interface YieldWindow {
  windowSecs: number;
  from: string;
  to: string;
  /** The part of the window the treasury existed for (all of it once it is old enough). */
  coveredSecs: number;
  /** The data a rate needs: `annualPerAshao` and `apr` are null until `coveredSecs` reaches it. */
  minCoveredSecs: number;
  /** USDC released to all stakers over the covered window. */
  released: Amount;
  /** USDC released per whole $ASHAO staked over the covered window (18 decimals). */
  perAshao: Amount;
  /** `perAshao` scaled to a year (× 365 d / covered); null while the window holds too little. */
  annualPerAshao: Amount | null;
  /** `annualPerAshao` over the price (0.12 is 12% a year); null without a price or a rate. */
  apr: number | null;
}

/**
 * What the reward stream releases now, before any new revenue arrives: the rate every staked
 * $ASHAO earns at this moment (a position's share is its stake over the total).
 */
export interface CurrentRewardRate {
  /** USDC a day released to all stakers at the stream's current rate (0 when nothing streams). */
  releasingPerDay: Amount;
  /** USDC a day per whole $ASHAO staked at that rate (18 decimals); null while nobody is staked. */
  perAshaoPerDay: Amount | null;
  /** When the stream runs dry unless more revenue arrives; null when nothing streams. */
  streamEndsAt: string | null;
}

export interface YieldReport {
  asOf: string;
  /** How the figures are computed, in a sentence. */
  method: string;
  price: YieldPrice | null;
  current: CurrentRewardRate;
  trailing7d: YieldWindow;
  trailing30d: YieldWindow;
}

const iso = (unix: bigint) => new Date(Number(unix) * 1000).toISOString();
const ASHAO_UNIT = 10n ** BigInt(ASHAO_DECIMALS);

/** USDC per whole $ASHAO at 18 decimals, from a change of the index. */
const perWholeAshao = (deltaAcc: bigint) =>
  (deltaAcc * ASHAO_UNIT * 10n ** BigInt(RATE_DECIMALS - USDC_DECIMALS)) / REWARD_PRECISION;

/** APR to 8 decimals (`annual` at 18 decimals of USDC, `price` at USDC's 6). */
function aprOf(annual: bigint, price: bigint): number {
  const scale = 10n ** 8n;
  return (
    Number((annual * scale) / (price * 10n ** BigInt(RATE_DECIMALS - USDC_DECIMALS))) /
    Number(scale)
  );
}

export function yieldWindow(
  history: RewardIndexHistory,
  now: RewardStream,
  nowTs: bigint,
  window: { windowSecs: number; minCoveredSecs: number },
  price: YieldPrice | null,
): YieldWindow {
  const { windowSecs, minCoveredSecs } = window;
  const from = nowTs - BigInt(windowSecs);
  const start = history.startTs !== null && history.startTs > from ? history.startTs : from;
  const covered = nowTs > start ? nowTs - start : 0n;
  const current = accrue(now, nowTs).stream;
  const past = history.at(start);
  const perAshao = perWholeAshao(current.accRewardPerShare - past.accRewardPerShare);
  const annual =
    covered > 0n && covered >= BigInt(minCoveredSecs)
      ? (perAshao * BigInt(YEAR_SECS)) / covered
      : null;
  const priceRaw = price ? BigInt(price.usdcPerAshao.raw) : 0n;
  return {
    windowSecs,
    from: iso(from),
    to: iso(nowTs),
    coveredSecs: Number(covered),
    minCoveredSecs,
    released: amount(current.totalRewardsReleased - past.released, USDC_DECIMALS),
    perAshao: amount(perAshao, RATE_DECIMALS),
    annualPerAshao: annual === null ? null : amount(annual, RATE_DECIMALS),
    apr: annual !== null && priceRaw > 0n ? aprOf(annual, priceRaw) : null,
  };
}

/** The stream's release rate at `nowTs`, a day's worth, in all and per whole $ASHAO staked. */
export function currentRewardRate(now: RewardStream, nowTs: bigint): CurrentRewardRate {
  const s = accrue(now, nowTs).stream;
  const left = s.streamEndTs - nowTs;
  // While nobody is staked the stream pauses: it releases nothing until someone stakes.
  const streaming = s.streamRemaining > 0n && left > 0n && s.totalStaked > 0n;
  const perDay = streaming ? (s.streamRemaining * 86_400n) / left : 0n;
  const perAshao = streaming
    ? (s.streamRemaining * 86_400n * ASHAO_UNIT * 10n ** BigInt(RATE_DECIMALS - USDC_DECIMALS)) /
      (left * s.totalStaked)
    : 0n;
  return {
    releasingPerDay: amount(perDay, USDC_DECIMALS),
    perAshaoPerDay: s.totalStaked > 0n ? amount(perAshao, RATE_DECIMALS) : null,
    streamEndsAt: s.streamRemaining > 0n && left > 0n ? iso(s.streamEndTs) : null,
  };
}

/** The trailing 7-day and 30-day yield at `nowTs`, with `now` the treasury's stream then. */
export function yieldReport(
  history: RewardIndexHistory,
  now: RewardStream,
  nowTs: bigint,
  price: YieldPrice | null,
): YieldReport {
  const valued = price
    ? `; the APR values $ASHAO at ${price.source === "oracle" ? "the oracle's price" : "the last buyback's price"} ` +
      `(${price.usdcPerAshao.ui} USDC at ${price.at})`
    : "; no APR until $ASHAO has an oracle or a buyback price";
  return {
    asOf: iso(nowTs),
    method:
      "USDC released to stakers per $ASHAO staked over the trailing window, read from the " +
      "program's reward index, annualised over 365 days (simple, not compounded), once the " +
      "window holds enough data (1 day for 7 days, 8 days for 30)" +
      valued,
    price,
    current: currentRewardRate(now, nowTs),
    trailing7d: yieldWindow(history, now, nowTs, YIELD_WINDOWS.trailing7d, price),
    trailing30d: yieldWindow(history, now, nowTs, YIELD_WINDOWS.trailing30d, price),
  };
}
