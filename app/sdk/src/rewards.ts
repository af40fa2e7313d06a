/**
 * The program's reward math on bigints, so off-chain figures equal on-chain ones to the unit.
 * Mirrors `programs/ashao-treasury/src/math/` function for function; both replay
 * `programs/ashao-treasury/tests/fixtures/reward_math_cases.json`.
 */

import { REWARD_PRECISION } from "./constants";

/** Fixed-point scale of `accRewardPerShare` (constants.rs `REWARD_PRECISION`). */
export { REWARD_PRECISION };
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

/** The program's `MathOverflow`: a value left the range of its on-chain integer type. */
export class RewardMathOverflow extends Error {
  constructor() {
    super("MathOverflow");
    this.name = "RewardMathOverflow";
  }
}

function within(value: bigint, max: bigint, min = 0n): bigint {
  if (value < min || value > max) throw new RewardMathOverflow();
  return value;
}

/** The fixed 50/50 split: the odd base unit goes to the buyback bucket. */
export function splitRevenue(amount: bigint): { toBuyback: bigint; toStakers: bigint } {
  within(amount, U64_MAX);
  const toStakers = amount / 2n;
  return { toBuyback: amount - toStakers, toStakers };
}

/** USDC the stream releases between `lastUpdateTs` and `now` (floored). */
export function releaseAmount(
  streamRemaining: bigint,
  lastUpdateTs: bigint,
  streamEndTs: bigint,
  now: bigint,
): bigint {
  if (streamRemaining === 0n) return 0n;
  if (now >= streamEndTs) return streamRemaining;
  if (now <= lastUpdateTs) return 0n;
  return within((streamRemaining * (now - lastUpdateTs)) / (streamEndTs - lastUpdateTs), U64_MAX);
}

/** Spreads `release` over `totalStaked`, carrying the division's remainder. */
export function distribute(
  release: bigint,
  totalStaked: bigint,
  accRewardPerShare: bigint,
  rewardCarry: bigint,
): { accRewardPerShare: bigint; rewardCarry: bigint } {
  if (totalStaked === 0n) return { accRewardPerShare, rewardCarry };
  const scaled = within(release * REWARD_PRECISION + rewardCarry, U128_MAX);
  return {
    accRewardPerShare: within(accRewardPerShare + scaled / totalStaked, U128_MAX),
    rewardCarry: scaled % totalStaked,
  };
}

/** `floor(staked × (acc − checkpoint) / 1e18)`: what a position earned since its checkpoint. */
export function earnedSince(staked: bigint, acc: bigint, checkpoint: bigint): bigint {
  const delta = within(acc - checkpoint, U128_MAX);
  return within((staked * delta) / REWARD_PRECISION, U64_MAX);
}

/** Settles a position at `acc`: its new owed rewards and checkpoint. */
export function settle(
  staked: bigint,
  rewardsOwed: bigint,
  checkpoint: bigint,
  acc: bigint,
): { rewardsOwed: bigint; checkpoint: bigint } {
  const owed = within(rewardsOwed + earnedSince(staked, acc, checkpoint), U64_MAX);
  return { rewardsOwed: owed, checkpoint: acc };
}

/** The treasury's stream and accumulator, as `TreasuryConfig` stores them. */
export interface RewardStream {
  totalStaked: bigint;
  accRewardPerShare: bigint;
  rewardCarry: bigint;
  streamRemaining: bigint;
  streamEndTs: bigint;
  lastUpdateTs: bigint;
  totalRewardsReleased: bigint;
}

/** Brings the stream up to `now`; with nothing staked the stream pauses instead of releasing. */
export function accrue(
  stream: RewardStream,
  now: bigint,
): { stream: RewardStream; released: bigint } {
  const at = now > stream.lastUpdateTs ? now : stream.lastUpdateTs;
  if (stream.totalStaked === 0n) {
    const streamEndTs =
      stream.streamRemaining > 0n
        ? within(stream.streamEndTs + (at - stream.lastUpdateTs), I64_MAX)
        : stream.streamEndTs;
    return { stream: { ...stream, lastUpdateTs: at, streamEndTs }, released: 0n };
  }
  const released = releaseAmount(
    stream.streamRemaining,
    stream.lastUpdateTs,
    stream.streamEndTs,
    at,
  );
  const { accRewardPerShare, rewardCarry } = distribute(
    released,
    stream.totalStaked,
    stream.accRewardPerShare,
    stream.rewardCarry,
  );
  return {
    stream: {
      ...stream,
      lastUpdateTs: at,
      accRewardPerShare,
      rewardCarry,
      streamRemaining: stream.streamRemaining - released,
      totalRewardsReleased: within(stream.totalRewardsReleased + released, U64_MAX),
    },
    released,
  };
}

/**
 * When the stream ends after `added` joins `remaining` (ending at `endTs`) at `now`: the earlier
 * of `now + period` and the latest end that keeps the old release rate, so later revenue never
 * slows what is already streaming (mirrors `merged_stream_end`).
 */
export function mergedStreamEnd(
  remaining: bigint,
  endTs: bigint,
  added: bigint,
  now: bigint,
  periodSecs: bigint,
): bigint {
  const periodEnd = now + periodSecs;
  if (remaining === 0n || endTs <= now) return periodEnd;
  const left = endTs - now;
  if (left >= periodSecs) return periodEnd;
  const ratePreserving = (left * (remaining + added)) / remaining;
  return now + (ratePreserving < periodSecs ? ratePreserving : periodSecs);
}

/** Accrues, then adds stakers' revenue to the stream (ending at `mergedStreamEnd`). */
export function addToStream(
  stream: RewardStream,
  toStakers: bigint,
  now: bigint,
  periodSecs: bigint,
): RewardStream {
  const next = accrue(stream, now).stream;
  if (toStakers === 0n) return next;
  return {
    ...next,
    streamRemaining: within(next.streamRemaining + toStakers, U64_MAX),
    streamEndTs: within(
      mergedStreamEnd(
        next.streamRemaining,
        next.streamEndTs,
        toStakers,
        next.lastUpdateTs,
        periodSecs,
      ),
      I64_MAX,
    ),
  };
}

/** The parts of `TreasuryConfig` the reward math reads. */
export type RewardConfig = RewardStream;

/** The parts of `StakePosition` the reward math reads. */
export interface RewardPosition {
  staked: bigint;
  rewardCheckpoint: bigint;
  owedRewards: bigint;
}

/**
 * USDC a position could claim at `nowUnixTs`: its owed rewards plus what it earned since its
 * checkpoint once the stream is accrued to `nowUnixTs` (what `claim` would pay then).
 */
export function pendingRewards(
  config: RewardConfig,
  position: RewardPosition,
  nowUnixTs: bigint | number,
): bigint {
  return settle(
    position.staked,
    position.owedRewards,
    position.rewardCheckpoint,
    accRewardPerShareAt(config, BigInt(nowUnixTs)),
  ).rewardsOwed;
}

/**
 * The accumulator `accrue` would leave at `now`, without building the accrued stream (the API
 * asks it for every staker's answer, with the whole config as the stream).
 */
export function accRewardPerShareAt(stream: RewardStream, now: bigint): bigint {
  if (stream.totalStaked === 0n) return stream.accRewardPerShare;
  const at = now > stream.lastUpdateTs ? now : stream.lastUpdateTs;
  const released = releaseAmount(
    stream.streamRemaining,
    stream.lastUpdateTs,
    stream.streamEndTs,
    at,
  );
  return distribute(released, stream.totalStaked, stream.accRewardPerShare, stream.rewardCarry)
    .accRewardPerShare;
}
