//! What must hold after every step, read from the accounts (never from the harness's own idea of
//! the treasury). The harness's bookkeeping is limited to its own inputs (plain transfers it
//! made) and the exact rational model of what each staker is owed.

use std::collections::BTreeMap;

use ashao_treasury::constants::{REWARD_PRECISION, TIMELOCK_GRACE_SECS};
use ashao_treasury::math::usage::{settle_batch, WorkerShare};
use ashao_treasury::oracle::PriceGuard;
use ashao_treasury::state::{
    ConfigChange, ConfigChangeOutcome, StakePosition, TreasuryConfig, TreasuryParams,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use solana_address::Address;

use crate::exec::{oracle_min_out, Executed, Expect};
use crate::ops::Op;
use crate::world::{Actor, World};

/// The chain's figures at one instant.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub now: i64,
    pub config: Option<TreasuryConfig>,
    pub positions: BTreeMap<Actor, StakePosition>,
    pub buyback_vault: u64,
    pub rewards_vault: u64,
    pub stake_vault: u64,
    pub usdc_supply: u64,
    pub ashao_supply: u64,
    /// Every USDC account the run knows of, summed.
    pub usdc_held: u64,
    pub crank_usdc: u64,
    pub crank_ashao: u64,
    pub pool_usdc: u64,
    pub pool_ashao: u64,
    /// The balance of the step's user-side token account, when it has one.
    pub user: Option<u64>,
}

impl Snapshot {
    pub fn read(world: &World, user: Option<Address>) -> Snapshot {
        let positions = Actor::STAKERS
            .iter()
            .filter_map(|a| world.position(*a).map(|p| (*a, p)))
            .collect();
        let mut usdc_accounts: Vec<Address> =
            Actor::ALL.iter().map(|a| world.usdc_account(*a)).collect();
        usdc_accounts.extend([
            world.buyback_vault,
            world.rewards_vault,
            world.pool_usdc_vault,
        ]);
        Snapshot {
            now: world.now,
            config: world.treasury(),
            positions,
            buyback_vault: world.balance(&world.buyback_vault),
            rewards_vault: world.balance(&world.rewards_vault),
            stake_vault: world.balance(&world.stake_vault),
            usdc_supply: world.mint_supply(&world.usdc_mint),
            ashao_supply: world.mint_supply(&world.ashao_mint),
            usdc_held: usdc_accounts.iter().map(|a| world.balance(a)).sum(),
            crank_usdc: world.balance(&world.usdc_account(Actor::Crank)),
            crank_ashao: world.balance(&world.ashao_account(Actor::Crank)),
            pool_usdc: world.balance(&world.pool_usdc_vault),
            pool_ashao: world.balance(&world.pool_ashao_vault),
            user: user.map(|u| world.balance(&u)),
        }
    }
}

/// A property that failed, with what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The property (stable, used to recognise the same failure while shrinking).
    pub what: String,
    pub detail: String,
}

fn violation(what: &str, detail: String) -> Violation {
    Violation {
        what: what.to_string(),
        detail,
    }
}

macro_rules! ensure {
    ($cond:expr, $what:expr, $($detail:tt)*) => {
        if !$cond {
            return Err(violation($what, format!($($detail)*)));
        }
    };
}

/// The stakers' stream, by its rules (docs/ARCHITECTURE.md, "Rewards"), written independently of
/// the program's `RewardStream`: every instruction that touches the stream first releases
/// `floor(remaining × elapsed / (end − last))` (everything once the end has passed; nothing, and
/// the end moves by the elapsed time, while nobody is staked); a deposit's or sync's half for
/// stakers then joins it, ending at the earlier of `now + period` and the latest end that keeps
/// the old release rate, `now + floor((end − now) × (remaining + added) / remaining)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamModel {
    pub remaining: u64,
    pub end: i64,
    pub last: i64,
    pub released: u64,
}

impl StreamModel {
    /// Releases up to `now` over `staked`; returns what was released.
    fn accrue(&mut self, now: i64, staked: u128) -> u64 {
        let last = self.last;
        let now = now.max(last);
        self.last = now;
        if staked == 0 {
            if self.remaining > 0 {
                self.end += now - last;
            }
            return 0;
        }
        let release = if self.remaining == 0 {
            0
        } else if now >= self.end {
            self.remaining
        } else if now == last {
            0
        } else {
            let share =
                i128::from(self.remaining) * i128::from(now - last) / i128::from(self.end - last);
            u64::try_from(share).unwrap_or(u64::MAX)
        };
        self.remaining -= release;
        self.released += release;
        release
    }

    fn add(&mut self, added: u64, now: i64, period: u32) {
        if added == 0 {
            return;
        }
        let period_end = now + i64::from(period);
        self.end = if self.remaining == 0 || self.end <= now {
            period_end
        } else {
            let left = i128::from(self.end - now);
            let keeps_rate = left * (i128::from(self.remaining) + i128::from(added))
                / i128::from(self.remaining);
            now + i64::try_from(keeps_rate.min(i128::from(period))).unwrap_or(i64::MAX)
        };
        self.remaining += added;
    }
}

/// What each staker is owed, exactly: every release is shared over the positions staked before
/// it in proportion to their stake, in rationals. The program's figure may differ from it only
/// by its roundings, each stated in [`Model::check`].
#[derive(Clone, Debug, Default)]
pub struct Model {
    entitled: BTreeMap<Actor, BigRational>,
    /// Settlements of each actor's positions (each floors once, in the protocol's favour).
    settlements: BTreeMap<Actor, u64>,
    /// `total_claimed` of each actor's closed positions.
    closed_claimed: BTreeMap<Actor, u64>,
    /// The carry's share: when total stake changes, the undistributed remainder of the last
    /// division (`reward_carry`, under `1e-18` of a base unit per staked unit) is shared over the
    /// new stake instead of the old.
    slack: BTreeMap<Actor, BigRational>,
    /// The stream, run by the harness: what each step released comes from here.
    pub stream: StreamModel,
}

fn pending(position: &StakePosition, acc: u128) -> BigInt {
    let delta = BigInt::from(acc) - BigInt::from(position.reward_checkpoint);
    BigInt::from(position.staked) * delta / BigInt::from(REWARD_PRECISION)
}

impl Model {
    /// Books a step that succeeded: what the stream released (from the harness's own stream,
    /// shared over the positions staked before the step) and the settlements it made.
    pub fn update(&mut self, op: &Op, amount: Option<u64>, before: &Snapshot, after: &Snapshot) {
        let (Some(b), Some(a)) = (&before.config, &after.config) else {
            return;
        };
        let staked_before: u128 = before
            .positions
            .values()
            .map(|p| u128::from(p.staked))
            .sum();
        // A settlement touches the stream only when it leaves revenue: boosts may take the
        // whole remainder, and then nothing reaches the treasury.
        let touches_stream = match op {
            Op::SettleUsage { .. } => a.total_revenue > b.total_revenue,
            _ => matches!(
                op,
                Op::Stake { .. }
                    | Op::RequestUnstake { .. }
                    | Op::Claim { .. }
                    | Op::DepositRevenue { .. }
                    | Op::SyncRevenue { .. }
                    | Op::UpdateConfig { .. }
                    | Op::ApplyConfigChange { .. }
            ),
        };
        let released = if touches_stream {
            self.stream.accrue(after.now, staked_before)
        } else {
            0
        };
        // Half of the revenue, rounded down, goes to the stakers. A settlement's revenue is what
        // its gross leaves after the workers: the step's own check (`check_step`) holds it to the
        // payment rule.
        let revenue = match op {
            Op::DepositRevenue { .. } | Op::SyncRevenue { .. } => amount.unwrap_or(0),
            Op::SettleUsage { .. } => a.total_revenue - b.total_revenue,
            _ => 0,
        };
        self.stream
            .add(revenue / 2, after.now, b.stream_period_secs);
        if released > 0 {
            for (actor, p) in &before.positions {
                if p.staked > 0 {
                    *self.entitled.entry(*actor).or_default() += BigRational::new(
                        BigInt::from(released) * BigInt::from(p.staked),
                        BigInt::from(staked_before),
                    );
                }
            }
        }
        if a.total_staked != b.total_staked {
            for actor in Actor::STAKERS {
                let stake = before
                    .positions
                    .get(&actor)
                    .map_or(0, |p| p.staked)
                    .max(after.positions.get(&actor).map_or(0, |p| p.staked));
                *self.slack.entry(actor).or_default() += BigRational::new(
                    BigInt::from(a.reward_carry) + BigInt::from(stake),
                    BigInt::from(REWARD_PRECISION),
                );
            }
        }
        for actor in Actor::STAKERS {
            match (before.positions.get(&actor), after.positions.get(&actor)) {
                (Some(p), None) => {
                    *self.closed_claimed.entry(actor).or_default() += p.total_claimed;
                }
                (Some(p), Some(q)) if p.reward_checkpoint != q.reward_checkpoint => {
                    *self.settlements.entry(actor).or_default() += 1;
                }
                _ => {}
            }
        }
    }

    /// Each staker's realised rewards (claimed, owed, pending) against the exact model:
    /// `entitled − realised` is at most one base unit per settlement plus one (the floors, in the
    /// protocol's favour) and at least −1, both widened by the carry's share.
    pub fn check(&self, after: &Snapshot) -> Result<(), Violation> {
        let Some(c) = &after.config else {
            return Ok(());
        };
        let s = &self.stream;
        ensure!(
            c.total_rewards_released == s.released
                && c.stream_remaining == s.remaining
                && (s.remaining == 0 || c.stream_end_ts == s.end),
            "the stream releases what its rule says",
            "released {} (model {}), streaming {} (model {}), ends {} (model {})",
            c.total_rewards_released,
            s.released,
            c.stream_remaining,
            s.remaining,
            c.stream_end_ts,
            s.end
        );
        for actor in Actor::STAKERS {
            let position = after.positions.get(&actor);
            let realised = BigInt::from(*self.closed_claimed.get(&actor).unwrap_or(&0))
                + position.map_or(BigInt::zero(), |p| {
                    BigInt::from(p.total_claimed)
                        + BigInt::from(p.owed_rewards)
                        + pending(p, c.acc_reward_per_share)
                });
            let realised = BigRational::from_integer(realised);
            let entitled = self.entitled.get(&actor).cloned().unwrap_or_default();
            let slack = self.slack.get(&actor).cloned().unwrap_or_default();
            let settlements = *self.settlements.get(&actor).unwrap_or(&0);
            let gap = &entitled - &realised;
            let upper = BigRational::from_integer(BigInt::from(settlements + 1)) + &slack;
            let lower = -(BigRational::from_integer(BigInt::from(1)) + &slack);
            ensure!(
                gap <= upper && gap >= lower,
                "claimable within the bound of the exact model",
                "{actor:?}: exact {:.3}, realised {}, gap {:.3} outside [{:.3}, {:.3}] \
                 ({settlements} settlements)",
                entitled.to_f64().unwrap_or(f64::NAN),
                realised,
                gap.to_f64().unwrap_or(f64::NAN),
                lower.to_f64().unwrap_or(f64::NAN),
                upper.to_f64().unwrap_or(f64::NAN)
            );
        }
        Ok(())
    }
}

/// The risk-adding moves of the rules (docs/ARCHITECTURE.md, "Admin changes"), written out
/// independently of the program's `change_adds_risk`: what `update_config` may not apply at once.
pub fn params_changed_safely(old: &TreasuryParams, new: &TreasuryParams) -> Result<(), String> {
    let mut risky = Vec::new();
    if new.stream_period_secs != old.stream_period_secs {
        risky.push("stream period");
    }
    if new.boost_tiers != old.boost_tiers {
        risky.push("boost tiers");
    }
    if new.unstake_cooldown_secs != old.unstake_cooldown_secs {
        risky.push("another cooldown");
    }
    if new.max_buyback_usdc > old.max_buyback_usdc {
        risky.push("higher cap");
    }
    if new.min_buyback_interval_secs < old.min_buyback_interval_secs {
        risky.push("shorter interval");
    }
    if new.max_slippage_bps > old.max_slippage_bps {
        risky.push("higher slippage");
    }
    if new.timelock_secs < old.timelock_secs {
        risky.push("shorter timelock");
    }
    if new.cranks.iter().any(|c| !old.cranks.contains(c)) {
        risky.push("crank added");
    }
    if new.swap_program != old.swap_program && new.swap_program != Address::default() {
        risky.push("other swap program");
    }
    if new.price_guard != old.price_guard && new.price_guard != PriceGuard::None {
        risky.push("other price guard");
    }
    if risky.is_empty() {
        Ok(())
    } else {
        Err(risky.join(", "))
    }
}

/// Each parameter by name with its value as text, written out field by field (not through the
/// program's `ConfigChange::applied_to` or `overlaps`).
pub fn param_values(p: &TreasuryParams) -> [(&'static str, String); 10] {
    [
        ("stream_period_secs", p.stream_period_secs.to_string()),
        ("unstake_cooldown_secs", p.unstake_cooldown_secs.to_string()),
        ("boost_tiers", format!("{:?}", p.boost_tiers)),
        ("max_buyback_usdc", p.max_buyback_usdc.to_string()),
        (
            "min_buyback_interval_secs",
            p.min_buyback_interval_secs.to_string(),
        ),
        ("max_slippage_bps", p.max_slippage_bps.to_string()),
        ("swap_program", p.swap_program.to_string()),
        ("cranks", format!("{:?}", p.cranks)),
        ("price_guard", format!("{:?}", p.price_guard)),
        ("timelock_secs", p.timelock_secs.to_string()),
    ]
}

/// The parameters a change sets, by name, with the value it sets them to.
pub fn change_values(c: &ConfigChange) -> Vec<(&'static str, String)> {
    let fields: [(&'static str, Option<String>); 10] = [
        (
            "stream_period_secs",
            c.stream_period_secs.map(|v| v.to_string()),
        ),
        (
            "unstake_cooldown_secs",
            c.unstake_cooldown_secs.map(|v| v.to_string()),
        ),
        (
            "boost_tiers",
            c.boost_tiers.as_ref().map(|v| format!("{v:?}")),
        ),
        (
            "max_buyback_usdc",
            c.max_buyback_usdc.map(|v| v.to_string()),
        ),
        (
            "min_buyback_interval_secs",
            c.min_buyback_interval_secs.map(|v| v.to_string()),
        ),
        (
            "max_slippage_bps",
            c.max_slippage_bps.map(|v| v.to_string()),
        ),
        ("swap_program", c.swap_program.map(|v| v.to_string())),
        ("cranks", c.cranks.as_ref().map(|v| format!("{v:?}"))),
        ("price_guard", c.price_guard.map(|v| format!("{v:?}"))),
        ("timelock_secs", c.timelock_secs.map(|v| v.to_string())),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect()
}

/// The parameters whose value differs between two sets, by name.
fn moved_params(old: &TreasuryParams, new: &TreasuryParams) -> Vec<&'static str> {
    param_values(old)
        .into_iter()
        .zip(param_values(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, _), _)| name)
        .collect()
}

/// Everything that must hold after a step.
pub fn check_step(
    world: &World,
    op: &Op,
    executed: &Executed,
    before: &Snapshot,
    after: &Snapshot,
    model: &Model,
) -> Result<(), Violation> {
    check_outcome(world, executed)?;
    check_state(world, after)?;
    if let (Some(b), Some(a)) = (&before.config, &after.config) {
        check_transition(world, op, executed, before, after, b, a)?;
    }
    model.check(after)
}

/// No panic, every refusal named, the rules' predictions kept, and a refusal changed nothing.
fn check_outcome(world: &World, executed: &Executed) -> Result<(), Violation> {
    if !executed.sent {
        return Ok(());
    }
    if let Err(refusal) = &executed.outcome {
        ensure!(
            refusal.is_named(),
            "every refusal is a named program error",
            "{} ({:?})\n{}",
            refusal.name(),
            executed.tx_error,
            executed.logs.join("\n")
        );
        for (address, was) in &executed.accounts {
            ensure!(
                world.account(address) == *was,
                "a refused instruction changed no account",
                "{address} changed although the transaction failed with {}",
                refusal.name()
            );
        }
    }
    match (&executed.expect, &executed.outcome) {
        (Expect::Ok(why), Err(refusal)) => Err(violation(
            "what the rules allow succeeds",
            format!(
                "{why}: refused with {}\n{}",
                refusal.name(),
                executed.logs.join("\n")
            ),
        )),
        (Expect::Refused(name), Ok(())) => Err(violation(
            "what the rules forbid is refused",
            format!(
                "succeeded, expected {}",
                name.as_deref().unwrap_or("a refusal")
            ),
        )),
        (Expect::Refused(Some(name)), Err(refusal)) if refusal.name() != name => Err(violation(
            "refused by the rule's own name",
            format!("expected {name}, got {}", refusal.name()),
        )),
        _ => Ok(()),
    }
}

/// The books against the vaults, the positions and the mints, at one instant.
fn check_state(world: &World, s: &Snapshot) -> Result<(), Violation> {
    ensure!(
        s.usdc_held == world.usdc_supply && s.usdc_supply == world.usdc_supply,
        "no USDC appears or vanishes",
        "supply {} (was {}), held by the run's accounts {}",
        s.usdc_supply,
        world.usdc_supply,
        s.usdc_held
    );
    let Some(c) = &s.config else {
        return Ok(());
    };
    // The books' relations, restated from the rules (the program's own `invariant()` runs in
    // every handler, so calling it here could never fail).
    let wide = u128::from;
    ensure!(
        wide(c.total_to_buyback) + wide(c.total_to_stakers) == wide(c.total_revenue)
            && c.total_to_buyback >= c.total_to_stakers,
        "revenue splits into the two halves, the odd units to the buyback",
        "revenue {}, to buyback {}, to stakers {}",
        c.total_revenue,
        c.total_to_buyback,
        c.total_to_stakers
    );
    ensure!(
        wide(c.buyback_bucket) + wide(c.total_buyback_usdc_spent) == wide(c.total_to_buyback),
        "the bucket is the buyback half less what buybacks spent",
        "bucket {}, spent {}, to buyback {}",
        c.buyback_bucket,
        c.total_buyback_usdc_spent,
        c.total_to_buyback
    );
    ensure!(
        wide(c.total_rewards_released) + wide(c.stream_remaining) == wide(c.total_to_stakers),
        "the stakers' half is released or still streaming",
        "released {}, streaming {}, to stakers {}",
        c.total_rewards_released,
        c.stream_remaining,
        c.total_to_stakers
    );
    ensure!(
        (c.pending_authority == Address::default()) == (c.pending_authority_eta == 0)
            && (c.queued_change_eta != 0 || c.queued_change == ConfigChange::default()),
        "a proposal and a queued change each have an eta, and only then",
        "pending {} at {}, queued eta {} for {:?}",
        c.pending_authority,
        c.pending_authority_eta,
        c.queued_change_eta,
        c.queued_change
    );
    for (actor, p) in &s.positions {
        // Read from the raw slots: the requests first, then free (all-zero) slots.
        let used = p
            .unstake_tickets
            .iter()
            .take_while(|t| t.amount > 0)
            .count();
        let requested: u128 = p.unstake_tickets[..used]
            .iter()
            .map(|t| wide(t.amount))
            .sum();
        ensure!(
            p.unstake_tickets[used..]
                .iter()
                .all(|t| t.amount == 0 && t.available_at == 0)
                && requested == wide(p.unstaking),
            "a position's unstake tickets add up to what it is unstaking",
            "{actor:?}: tickets {:?}, unstaking {}",
            p.unstake_tickets,
            p.unstaking
        );
        ensure!(
            p.reward_checkpoint <= c.acc_reward_per_share,
            "no position is settled past the accumulator",
            "{actor:?}: checkpoint {} > accumulator {}",
            p.reward_checkpoint,
            c.acc_reward_per_share
        );
        ensure!(
            p.owner == world.pubkey(*actor),
            "a position belongs to its owner",
            "{actor:?}'s position names {}",
            p.owner
        );
    }
    ensure!(
        !c.pending_buyback.in_progress,
        "no buyback stays open between transactions",
        "{:?}",
        c.pending_buyback
    );
    // $ASHAO
    let principal = u128::from(c.total_staked) + u128::from(c.total_unstaking);
    ensure!(
        u128::from(s.stake_vault) == principal + u128::from(world.donated_ashao),
        "stake vault == total staked + total unstaking",
        "vault {} vs staked {} + unstaking {} (+ {} donated)",
        s.stake_vault,
        c.total_staked,
        c.total_unstaking,
        world.donated_ashao
    );
    let staked: u128 = s.positions.values().map(|p| u128::from(p.staked)).sum();
    let unstaking: u128 = s.positions.values().map(|p| u128::from(p.unstaking)).sum();
    let stakers = s.positions.values().filter(|p| p.staked > 0).count();
    ensure!(
        staked == u128::from(c.total_staked)
            && unstaking == u128::from(c.total_unstaking)
            && stakers == c.staker_count as usize,
        "positions add up to the totals",
        "positions: staked {staked}, unstaking {unstaking}, {stakers} stakers; config: {}, {}, {}",
        c.total_staked,
        c.total_unstaking,
        c.staker_count
    );
    ensure!(
        u128::from(world.initial_ashao_supply)
            == u128::from(s.ashao_supply) + u128::from(c.total_ashao_burned),
        "mint supply fall == $ASHAO burned",
        "supply {} → {}, burned {}",
        world.initial_ashao_supply,
        s.ashao_supply,
        c.total_ashao_burned
    );
    // USDC
    ensure!(
        c.total_rewards_claimed <= c.total_rewards_released
            && c.total_rewards_released <= c.total_to_stakers,
        "rewards claimed <= released <= revenue to stakers",
        "claimed {}, released {}, to stakers {}",
        c.total_rewards_claimed,
        c.total_rewards_released,
        c.total_to_stakers
    );
    let expected_rewards = c.rewards_vault_expected().unwrap_or(u64::MAX);
    ensure!(
        s.buyback_vault >= c.buyback_bucket && s.rewards_vault >= expected_rewards,
        "the vaults hold what the books owe",
        "buyback vault {} (bucket {}), rewards vault {} (owes {})",
        s.buyback_vault,
        c.buyback_bucket,
        s.rewards_vault,
        expected_rewards
    );
    let held = i128::from(s.buyback_vault) + i128::from(s.rewards_vault);
    let booked = i128::from(c.total_revenue)
        - i128::from(c.total_buyback_usdc_spent)
        - i128::from(c.total_rewards_claimed)
        + i128::from(world.unsynced_usdc);
    ensure!(
        held == booked,
        "USDC conservation across both vaults and the books",
        "vaults hold {held}; revenue {} − spent {} − claimed {} + unsynced transfers {} = {booked}",
        c.total_revenue,
        c.total_buyback_usdc_spent,
        c.total_rewards_claimed,
        world.unsynced_usdc
    );
    let owed: BigInt = s
        .positions
        .values()
        .map(|p| BigInt::from(p.owed_rewards) + pending(p, c.acc_reward_per_share))
        .sum();
    ensure!(
        owed <= BigInt::from(c.total_rewards_released - c.total_rewards_claimed),
        "stakers' claims never exceed released − claimed",
        "owed {owed}, released {} − claimed {}",
        c.total_rewards_released,
        c.total_rewards_claimed
    );
    Ok(())
}

/// How the figures moved in one step.
#[allow(clippy::too_many_arguments)]
fn check_transition(
    world: &World,
    op: &Op,
    executed: &Executed,
    before: &Snapshot,
    after: &Snapshot,
    b: &TreasuryConfig,
    a: &TreasuryConfig,
) -> Result<(), Violation> {
    let now = world.now;
    // Cumulative figures only grow.
    for (name, old, new) in [
        ("total_revenue", b.total_revenue, a.total_revenue),
        (
            "total_buyback_usdc_spent",
            b.total_buyback_usdc_spent,
            a.total_buyback_usdc_spent,
        ),
        (
            "total_ashao_burned",
            b.total_ashao_burned,
            a.total_ashao_burned,
        ),
        (
            "total_rewards_released",
            b.total_rewards_released,
            a.total_rewards_released,
        ),
        (
            "total_rewards_claimed",
            b.total_rewards_claimed,
            a.total_rewards_claimed,
        ),
        ("buyback_count", b.buyback_count, a.buyback_count),
    ] {
        ensure!(
            new >= old,
            "cumulative figures never decrease",
            "{name}: {old} → {new}"
        );
    }
    ensure!(
        a.acc_reward_per_share >= b.acc_reward_per_share,
        "cumulative figures never decrease",
        "acc_reward_per_share {} → {}",
        b.acc_reward_per_share,
        a.acc_reward_per_share
    );
    ensure!(
        a.total_rewards_released == b.total_rewards_released || b.total_staked > 0,
        "the stream releases nothing while nobody is staked",
        "released {} → {} with nothing staked",
        b.total_rewards_released,
        a.total_rewards_released
    );
    let succeeded = executed.sent && executed.outcome.is_ok();
    let treasury_op = !matches!(
        op,
        Op::Warp(_) | Op::PlainTransfer { .. } | Op::MarketSwap { .. }
    );
    if !succeeded || !treasury_op {
        ensure!(
            same_config(a, b),
            "only a treasury instruction that succeeded changes the config",
            "{} changed the config",
            op.kind()
        );
    }
    if !succeeded {
        return Ok(());
    }
    let (old, new) = (b.params(), a.params());
    let params_moved = old != new;
    let who_signed = match op {
        Op::UpdateConfig { who, .. }
        | Op::QueueConfigChange { who, .. }
        | Op::CancelConfigChange { who }
        | Op::ProposeAuthority { who, .. }
        | Op::SetPaused { who, .. } => Some(world.pubkey(*who)),
        _ => None,
    };
    if let Some(signer) = who_signed {
        ensure!(
            signer == b.authority,
            "only the authority administers",
            "{} by {signer}, authority {}",
            op.kind(),
            b.authority
        );
    }
    match op {
        Op::UpdateConfig { .. } => {
            if let Err(risky) = params_changed_safely(&old, &new) {
                return Err(violation(
                    "update_config applies only risk-reducing changes",
                    format!("applied at once: {risky}"),
                ));
            }
            // A queued change that sets a field this update moved is dropped; another stays.
            let moved = moved_params(&old, &new);
            let overlapping: Vec<&str> = change_values(&b.queued_change)
                .into_iter()
                .map(|(name, _)| name)
                .filter(|name| moved.contains(name))
                .collect();
            if b.queued_change_eta != 0 && !overlapping.is_empty() {
                ensure!(
                    a.queued_change_eta == 0
                        && matches!(
                            a.last_queued_change.outcome,
                            ConfigChangeOutcome::Superseded | ConfigChangeOutcome::Expired
                        )
                        && a.last_queued_change.eta == b.queued_change_eta,
                    "an update drops a queued change that would undo it",
                    "update moved {overlapping:?}; queued eta {} → {}, record {:?}",
                    b.queued_change_eta,
                    a.queued_change_eta,
                    a.last_queued_change
                );
            } else {
                ensure!(
                    a.queued_change == b.queued_change
                        && a.queued_change_eta == b.queued_change_eta,
                    "an update leaves a queued change it does not overlap",
                    "update moved {moved:?}; queued eta {} → {}",
                    b.queued_change_eta,
                    a.queued_change_eta
                );
            }
        }
        Op::ApplyConfigChange { .. } => {
            ensure!(
                b.queued_change_eta != 0
                    && now >= b.queued_change_eta
                    && now <= b.queued_change_eta + i64::from(TIMELOCK_GRACE_SECS)
                    && a.queued_change_eta == 0,
                "a queued change applies only inside its window",
                "eta {}, now {now}",
                b.queued_change_eta
            );
            // An emergency sticks: every parameter the authority moved by update_config since
            // the change was queued keeps the value the authority gave it.
            let values = param_values(&new);
            for (name, set) in &world.moved_since_queue {
                let now_value = values.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                ensure!(
                    now_value == Some(set),
                    "no queued change undoes a later update_config",
                    "{name}: set to {set} by update_config after the queue, {now_value:?} after apply"
                );
            }
        }
        _ => ensure!(
            !params_moved,
            "parameters change only through update_config or apply_config_change",
            "{} changed them: {old:?} → {new:?}",
            op.kind()
        ),
    }
    if let Op::QueueConfigChange { .. } = op {
        ensure!(
            a.queued_change_eta == now + i64::from(b.timelock_secs),
            "a queued change waits out the timelock",
            "eta {} at {now} with timelock {}",
            a.queued_change_eta,
            b.timelock_secs
        );
        ensure!(
            b.queued_change_eta == 0
                || (now > b.queued_change_eta + i64::from(TIMELOCK_GRACE_SECS)
                    && a.last_queued_change.outcome == ConfigChangeOutcome::Expired),
            "a new change replaces only an expired one",
            "queued at {now} over eta {} (record {:?})",
            b.queued_change_eta,
            a.last_queued_change
        );
    }
    if a.authority != b.authority {
        ensure!(
            matches!(op, Op::AcceptAuthority { .. })
                && a.authority == b.pending_authority
                && now >= b.pending_authority_eta
                && now <= b.pending_authority_eta + i64::from(TIMELOCK_GRACE_SECS),
            "authority changes hands only by acceptance after the timelock, before it expires",
            "{} → {} by {} (pending {}, eta {}, now {now})",
            b.authority,
            a.authority,
            op.kind(),
            b.pending_authority,
            b.pending_authority_eta
        );
    }
    if let Op::ProposeAuthority { .. } = op {
        let eta = if a.pending_authority == Address::default() {
            0
        } else {
            now + i64::from(b.timelock_secs)
        };
        ensure!(
            a.pending_authority_eta == eta,
            "a handover waits out the timelock",
            "eta {} at {now} with timelock {}",
            a.pending_authority_eta,
            b.timelock_secs
        );
    }
    if a.paused != b.paused {
        ensure!(
            matches!(op, Op::SetPaused { .. }),
            "only set_paused pauses",
            "{} changed paused",
            op.kind()
        );
    }

    let amount = executed.amount.unwrap_or(0);
    let x = i128::from(amount);
    let d = |old: u64, new: u64| i128::from(new) - i128::from(old);
    let user = match (before.user, after.user) {
        (Some(old), Some(new)) => d(old, new),
        _ => 0,
    };
    let buyback_vault = d(before.buyback_vault, after.buyback_vault);
    let rewards_vault = d(before.rewards_vault, after.rewards_vault);
    let stake_vault = d(before.stake_vault, after.stake_vault);
    let revenue = d(b.total_revenue, a.total_revenue);
    match op {
        Op::DepositRevenue { .. } => {
            let to_stakers = i128::from(amount / 2);
            let to_buyback = x - to_stakers;
            ensure!(
                revenue == x
                    && user == -x
                    && buyback_vault == to_buyback
                    && rewards_vault == to_stakers
                    && d(b.buyback_bucket, a.buyback_bucket) == to_buyback
                    && d(b.total_to_stakers, a.total_to_stakers) == to_stakers,
                "a deposit splits 50/50, the odd unit to the buyback bucket",
                "amount {amount}: revenue {revenue:+}, payer {user:+}, vaults {buyback_vault:+} / {rewards_vault:+}"
            );
        }
        Op::SettleUsage { who, workers, .. } => {
            // Each worker: its base plus the boost its warmed-up staked principal earned just
            // before, out of the remainder; the rest is revenue, split like a deposit.
            let shares: Vec<WorkerShare> = workers
                .iter()
                .map(|(worker, base)| WorkerShare {
                    base: *base,
                    boost_bps: b.boost_bps_for(
                        before
                            .positions
                            .get(worker)
                            .map_or(0, |p| p.boost_stake(now)),
                    ),
                })
                .collect();
            let Ok((payments, totals)) = settle_batch(amount, &shares) else {
                return Err(violation(
                    "a settlement that succeeded pays what the rule says",
                    format!("gross {amount}, shares {shares:?}: the rule refuses them"),
                ));
            };
            let mut to_payer = 0i128;
            for ((worker, _), payment) in workers.iter().zip(&payments) {
                let address = world.usdc_account(*worker);
                let was = executed
                    .accounts
                    .iter()
                    .find(|(a, _)| *a == address)
                    .and_then(|(_, account)| account.as_ref())
                    .and_then(|account| account.data.get(64..72)?.try_into().ok())
                    .map_or(0, u64::from_le_bytes);
                let got = d(was, world.balance(&address));
                if worker == who {
                    to_payer = i128::from(payment.paid);
                } else {
                    ensure!(
                        got == i128::from(payment.paid),
                        "each worker is paid base × (1 + the boost its warmed-up stake earns)",
                        "{worker:?}: got {got:+}, owed {payment:?}"
                    );
                }
            }
            let to_stakers = i128::from(totals.revenue / 2);
            let usage_revenue = i128::from(totals.revenue);
            ensure!(
                revenue == usage_revenue
                    && user == to_payer - x
                    && rewards_vault == to_stakers
                    && buyback_vault == usage_revenue - to_stakers
                    && d(b.total_usage_gross, a.total_usage_gross) == x
                    && d(b.total_paid_to_workers, a.total_paid_to_workers)
                        == i128::from(totals.paid_to_workers)
                    && d(b.total_boost_paid, a.total_boost_paid) == i128::from(totals.boost_paid)
                    && d(b.total_usage_revenue, a.total_usage_revenue) == usage_revenue,
                "a settlement pays the gross exactly: workers, then revenue split 50/50",
                "gross {amount}: {totals:?}; revenue {revenue:+}, payer {user:+}, vaults {buyback_vault:+} / {rewards_vault:+}"
            );
        }
        Op::SyncRevenue { .. } => {
            ensure!(
                revenue == x
                    && after.buyback_vault == a.buyback_bucket
                    && Some(after.rewards_vault) == a.rewards_vault_expected().ok(),
                "a sync accounts exactly the plain transfers",
                "excess {amount}, revenue {revenue:+}, vaults {} / {} vs books {} / {:?}",
                after.buyback_vault,
                after.rewards_vault,
                a.buyback_bucket,
                a.rewards_vault_expected().ok()
            );
        }
        Op::Stake { .. } => {
            ensure!(
                user == -x && stake_vault == x,
                "a stake moves exactly its amount into the stake vault",
                "amount {amount}, owner {user:+}, vault {stake_vault:+}"
            );
        }
        Op::Withdraw { who, .. } => {
            // Exactly the requests matured by now leave; the others keep their maturity.
            let (was, left) = (tickets(before, who), tickets(after, who));
            let matured: u64 = was.iter().filter(|t| t.1 <= now).map(|t| t.0).sum();
            let waiting: Vec<(u64, i64)> = was.iter().copied().filter(|t| t.1 > now).collect();
            ensure!(
                amount == matured
                    && matured > 0
                    && user == x
                    && stake_vault == -x
                    && left == waiting,
                "a withdrawal returns exactly the matured requests",
                "matured {matured}, withdrew {amount}, destination {user:+}, vault {stake_vault:+}, tickets {was:?} → {left:?} at {now}"
            );
        }
        Op::RequestUnstake { who, .. } => {
            // A new request never delays an earlier one: the earlier tickets are untouched and
            // this one matures a cooldown from now (joining the newest if that matures then).
            let (was, is) = (tickets(before, who), tickets(after, who));
            let matures = now + i64::from(b.unstake_cooldown_secs);
            let mut expected = was.clone();
            match expected.last_mut() {
                Some(last) if last.1 == matures => last.0 += amount,
                _ => expected.push((amount, matures)),
            }
            ensure!(
                is == expected,
                "an unstake request never delays an earlier one",
                "requested {amount} at {now} (cooldown {}): tickets {was:?} → {is:?}",
                b.unstake_cooldown_secs
            );
        }
        Op::Claim { .. } => {
            let claimed = d(b.total_rewards_claimed, a.total_rewards_claimed);
            ensure!(
                claimed == x && user == x && rewards_vault == -x,
                "a claim pays exactly what is owed",
                "claimable {amount}, claimed {claimed}, destination {user:+}, vault {rewards_vault:+}"
            );
        }
        Op::Buyback { .. } => {
            let spent = a.total_buyback_usdc_spent - b.total_buyback_usdc_spent;
            let burned = a.total_ashao_burned - b.total_ashao_burned;
            let (spent_i, burned_i) = (i128::from(spent), i128::from(burned));
            ensure!(
                after.crank_usdc == before.crank_usdc
                    && after.crank_ashao == before.crank_ashao
                    && d(before.pool_usdc, after.pool_usdc) == spent_i
                    && d(before.pool_ashao, after.pool_ashao) == -burned_i
                    && d(before.ashao_supply, after.ashao_supply) == -burned_i
                    && d(b.buyback_bucket, a.buyback_bucket) == -spent_i
                    && buyback_vault == -spent_i
                    && a.buyback_count == b.buyback_count + 1,
                "a buyback burns what it bought and the crank keeps nothing",
                "spent {spent}, burned {burned}; crank USDC {} → {}, $ASHAO {} → {}; pool $ASHAO {} → {}",
                before.crank_usdc,
                after.crank_usdc,
                before.crank_ashao,
                after.crank_ashao,
                before.pool_ashao,
                after.pool_ashao
            );
            if let Some(price) = &executed.price {
                // At the low end of the confidence interval: the oracle's uncertainty counts for
                // the treasury.
                let low =
                    i64::try_from(i128::from(price.price) - i128::from(price.conf)).unwrap_or(0);
                let least = oracle_min_out(
                    spent,
                    low,
                    price.exponent,
                    world.setup.ashao_decimals,
                    price.slippage_bps,
                );
                ensure!(
                    least.is_some_and(|m| BigInt::from(burned) >= m),
                    "a buyback meets the oracle price, less its confidence and slippage",
                    "spent {spent}, burned {burned}, price {} ± {} e{}, slippage {} bps",
                    price.price,
                    price.conf,
                    price.exponent,
                    price.slippage_bps
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// A staker's unstake tickets in a snapshot: (amount, matures at), oldest request first.
fn tickets(s: &Snapshot, who: &Actor) -> Vec<(u64, i64)> {
    s.positions
        .get(who)
        .map(|p| {
            p.unstake_tickets
                .iter()
                .take_while(|t| t.amount > 0)
                .map(|t| (t.amount, t.available_at))
                .collect()
        })
        .unwrap_or_default()
}

fn same_config(a: &TreasuryConfig, b: &TreasuryConfig) -> bool {
    use anchor_lang::AnchorSerialize;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    a.serialize(&mut x).is_ok() && b.serialize(&mut y).is_ok() && x == y
}
