//! Streaming reward-per-share accounting.
//!
//! Revenue for stakers enters a stream that releases linearly until `stream_end_ts`. Released
//! USDC is distributed over `total_staked` through `acc_reward_per_share` (×1e18); the remainder
//! of each division is carried (`reward_carry`, in ×1e18 units) into the next one, so no dust is
//! lost. A position is owed `floor(staked × (acc − checkpoint) / 1e18)`.

use anchor_lang::prelude::*;

use crate::{constants::REWARD_PRECISION, errors::TreasuryError};

/// USDC released by the stream between `last_update_ts` and `now`.
///
/// All of `stream_remaining` once `now >= stream_end_ts`; otherwise
/// `floor(stream_remaining × (now − last_update_ts) / (stream_end_ts − last_update_ts))`.
pub fn release_amount(
    stream_remaining: u64,
    last_update_ts: i64,
    stream_end_ts: i64,
    now: i64,
) -> Result<u64> {
    if stream_remaining == 0 {
        return Ok(0);
    }
    if now >= stream_end_ts {
        return Ok(stream_remaining);
    }
    if now <= last_update_ts {
        return Ok(0);
    }
    // last_update_ts < now < stream_end_ts, so both differences are positive.
    let elapsed = now
        .checked_sub(last_update_ts)
        .ok_or(TreasuryError::MathOverflow)?;
    let duration = stream_end_ts
        .checked_sub(last_update_ts)
        .ok_or(TreasuryError::MathOverflow)?;
    let elapsed = u128::try_from(elapsed).map_err(|_| TreasuryError::MathOverflow)?;
    let duration = u128::try_from(duration).map_err(|_| TreasuryError::MathOverflow)?;
    let released = u128::from(stream_remaining)
        .checked_mul(elapsed)
        .ok_or(TreasuryError::MathOverflow)?
        .checked_div(duration)
        .ok_or(TreasuryError::MathOverflow)?;
    Ok(u64::try_from(released).map_err(|_| TreasuryError::MathOverflow)?)
}

/// Distributes `release` over `total_staked`: returns the new `(acc_reward_per_share,
/// reward_carry)`.
///
/// `scaled = release × 1e18 + carry; acc += scaled / total_staked; carry = scaled % total_staked`.
/// With `total_staked == 0` nothing changes (the caller does not release in that case).
pub fn distribute(release: u64, total_staked: u64, acc: u128, carry: u128) -> Result<(u128, u128)> {
    if total_staked == 0 {
        return Ok((acc, carry));
    }
    let scaled = u128::from(release)
        .checked_mul(REWARD_PRECISION)
        .ok_or(TreasuryError::MathOverflow)?
        .checked_add(carry)
        .ok_or(TreasuryError::MathOverflow)?;
    let staked = u128::from(total_staked);
    let delta = scaled / staked;
    let new_carry = scaled % staked;
    let new_acc = acc.checked_add(delta).ok_or(TreasuryError::MathOverflow)?;
    Ok((new_acc, new_carry))
}

/// `floor(a × b / REWARD_PRECISION)` for a u64 `a` and a u128 `b`, exact over the full range
/// (the product may need 192 bits).
///
/// Writes `b = q × P + r` with `r < P`; then `a × b / P = a × q + floor(a × r / P)` exactly, and
/// `a × r < 2^64 × 10^18 < 2^124` fits u128.
pub fn mul_div_precision(a: u64, b: u128) -> Result<u128> {
    let a = u128::from(a);
    let q = b / REWARD_PRECISION;
    let r = b % REWARD_PRECISION;
    let high = a.checked_mul(q).ok_or(TreasuryError::MathOverflow)?;
    let low = a.checked_mul(r).ok_or(TreasuryError::MathOverflow)? / REWARD_PRECISION;
    Ok(high.checked_add(low).ok_or(TreasuryError::MathOverflow)?)
}

/// Rewards a position earned since its checkpoint: `floor(staked × (acc − checkpoint) / 1e18)`.
pub fn pending_rewards(staked: u64, acc: u128, checkpoint: u128) -> Result<u64> {
    let delta = acc
        .checked_sub(checkpoint)
        .ok_or(TreasuryError::MathOverflow)?;
    let owed = mul_div_precision(staked, delta)?;
    Ok(u64::try_from(owed).map_err(|_| TreasuryError::MathOverflow)?)
}

/// The streaming part of the treasury's state, as a value: `TreasuryConfig` copies its fields in,
/// calls [`RewardStream::accrue`] / [`RewardStream::add`], and writes the result back (compute
/// the update, then apply it). The TypeScript SDK mirrors these two functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RewardStream {
    /// $ASHAO earning rewards.
    pub total_staked: u64,
    /// USDC per staked base unit, × 1e18.
    pub acc_reward_per_share: u128,
    /// Remainder of the last distribution, in ×1e18 units.
    pub reward_carry: u128,
    /// Stakers' revenue not yet released.
    pub stream_remaining: u64,
    pub stream_end_ts: i64,
    pub last_update_ts: i64,
    pub total_rewards_released: u64,
}

impl RewardStream {
    /// Releases the stream up to `now` into the accumulator. Returns the new state and the
    /// amount released.
    ///
    /// With `total_staked == 0` nothing is released and the stream pauses: `stream_end_ts` moves
    /// forward by the elapsed time, so the first stakers receive it over the remaining duration
    /// rather than nobody (lost) or whoever stakes first (all at once). A clock earlier than
    /// `last_update_ts` is treated as `last_update_ts`.
    pub fn accrue(self, now: i64) -> Result<(Self, u64)> {
        let now = now.max(self.last_update_ts);
        let mut next = self;
        next.last_update_ts = now;
        if self.total_staked == 0 {
            if self.stream_remaining > 0 {
                let elapsed = now
                    .checked_sub(self.last_update_ts)
                    .ok_or(TreasuryError::MathOverflow)?;
                next.stream_end_ts = self
                    .stream_end_ts
                    .checked_add(elapsed)
                    .ok_or(TreasuryError::MathOverflow)?;
            }
            return Ok((next, 0));
        }
        let release = release_amount(
            self.stream_remaining,
            self.last_update_ts,
            self.stream_end_ts,
            now,
        )?;
        let (acc, carry) = distribute(
            release,
            self.total_staked,
            self.acc_reward_per_share,
            self.reward_carry,
        )?;
        next.acc_reward_per_share = acc;
        next.reward_carry = carry;
        next.stream_remaining = self
            .stream_remaining
            .checked_sub(release)
            .ok_or(TreasuryError::MathOverflow)?;
        next.total_rewards_released = self
            .total_rewards_released
            .checked_add(release)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok((next, release))
    }

    /// Accrues to `now`, then adds `to_stakers` to the stream, which then ends at
    /// [`merged_stream_end`]: new revenue streams over about `period_secs` without ever slowing
    /// what was already streaming.
    pub fn add(self, to_stakers: u64, now: i64, period_secs: u32) -> Result<Self> {
        let (mut next, _) = self.accrue(now)?;
        if to_stakers == 0 {
            return Ok(next);
        }
        next.stream_end_ts = merged_stream_end(
            next.stream_remaining,
            next.stream_end_ts,
            to_stakers,
            next.last_update_ts,
            period_secs,
        )?;
        next.stream_remaining = next
            .stream_remaining
            .checked_add(to_stakers)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(next)
    }
}

/// When the stream ends after `added` joins `remaining` (ending at `end_ts`) at `now`.
///
/// The merged stream releases `remaining + added` linearly from `now`. Ending it at
/// `now + period` alone would let anyone stall a large stream with dust deposits (each one
/// pushing the end out again). Instead the end is the earlier of `now + period` and the latest
/// end that keeps the release rate at least the old one,
/// `now + floor((end_ts − now) × (remaining + added) / remaining)`: so by any time the merged
/// stream has released at least what the old stream alone would have, and a dust deposit
/// barely moves the end. With nothing streaming, the new revenue simply streams over `period`.
pub fn merged_stream_end(
    remaining: u64,
    end_ts: i64,
    added: u64,
    now: i64,
    period_secs: u32,
) -> Result<i64> {
    let period_end = now
        .checked_add(i64::from(period_secs))
        .ok_or(TreasuryError::MathOverflow)?;
    if remaining == 0 || end_ts <= now {
        return Ok(period_end);
    }
    // 0 < left; when it is at least the period, the period end is the earlier of the two.
    let left = end_ts.checked_sub(now).ok_or(TreasuryError::MathOverflow)?;
    if left >= i64::from(period_secs) {
        return Ok(period_end);
    }
    // left < period <= u32::MAX, so the product fits u128.
    let total = u128::from(remaining)
        .checked_add(u128::from(added))
        .ok_or(TreasuryError::MathOverflow)?;
    let left = u128::try_from(left).map_err(|_| TreasuryError::MathOverflow)?;
    let rate_preserving =
        left.checked_mul(total).ok_or(TreasuryError::MathOverflow)? / u128::from(remaining);
    let duration = rate_preserving.min(u128::from(period_secs));
    let duration = i64::try_from(duration).map_err(|_| TreasuryError::MathOverflow)?;
    Ok(now
        .checked_add(duration)
        .ok_or(TreasuryError::MathOverflow)?)
}

/// Settles a position against an accrued accumulator: returns `(rewards_owed, checkpoint)`
/// with `rewards_owed += floor(staked × (acc − checkpoint) / 1e18)` and `checkpoint = acc`.
pub fn settle(staked: u64, rewards_owed: u64, checkpoint: u128, acc: u128) -> Result<(u64, u128)> {
    let pending = pending_rewards(staked, acc, checkpoint)?;
    let owed = rewards_owed
        .checked_add(pending)
        .ok_or(TreasuryError::MathOverflow)?;
    Ok((owed, acc))
}

#[cfg(test)]
mod tests;
