use anchor_lang::prelude::*;

use crate::{
    constants::{
        MAX_BILLING_AUTHORITIES, MAX_BOOST_BPS, MAX_BOOST_TIERS, MAX_BUYBACK_INTERVAL_SECS,
        MAX_BUYBACK_USDC, MAX_CRANKS, MAX_SLIPPAGE_BPS, MAX_STREAM_PERIOD_SECS, MAX_TIMELOCK_SECS,
        MAX_UNSTAKE_COOLDOWN_SECS, MIN_BUYBACK_INTERVAL_SECS, MIN_STREAM_PERIOD_SECS,
        MIN_UNSTAKE_COOLDOWN_SECS, REACTION_WINDOW_SECS, TIMELOCK_GRACE_SECS,
    },
    errors::TreasuryError,
    math::{
        buyback::{measure_buyback, next_buyback_allowed_at, BuybackOutcome, BuybackSnapshot},
        price::min_ashao_out,
        rewards::RewardStream,
        split::split_revenue,
        usage::SettlementTotals,
    },
    oracle::{OraclePrice, PriceGuard},
    state::{ConfigChange, ConfigChangeOutcome, ConfigChangeRecord, StakePosition},
};

/// One worker-boost tier: a position staking at least `min_stake` gets `boost_bps`.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct BoostTier {
    pub min_stake: u64,
    pub boost_bps: u16,
}

/// The parameters the authority may set, each bounded by the program.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct TreasuryParams {
    pub stream_period_secs: u32,
    pub unstake_cooldown_secs: u32,
    pub boost_tiers: Vec<BoostTier>,
    pub max_buyback_usdc: u64,
    pub min_buyback_interval_secs: u32,
    pub max_slippage_bps: u16,
    pub swap_program: Pubkey,
    pub cranks: Vec<Pubkey>,
    /// The wallets that may settle usage (`settle_usage`): the network's billing services.
    pub billing_authorities: Vec<Pubkey>,
    /// The oracle price buybacks must meet; `PriceGuard::None` allows no buyback.
    pub price_guard: PriceGuard,
    /// How long a risk-adding admin change waits between queue and apply.
    pub timelock_secs: u32,
}

impl TreasuryParams {
    /// Checks every bound; the 50/50 split is not a parameter.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.stream_period_secs <= MAX_STREAM_PERIOD_SECS,
            TreasuryError::StreamPeriodTooLong
        );
        require!(
            self.stream_period_secs >= MIN_STREAM_PERIOD_SECS,
            TreasuryError::StreamPeriodTooShort
        );
        require!(
            self.unstake_cooldown_secs <= MAX_UNSTAKE_COOLDOWN_SECS,
            TreasuryError::UnstakeCooldownTooLong
        );
        require!(
            self.unstake_cooldown_secs >= MIN_UNSTAKE_COOLDOWN_SECS,
            TreasuryError::UnstakeCooldownTooShort
        );
        // A staker who disagrees with a queued change has a whole reaction window to request
        // unstake and still withdraw before it applies. (The sum fits u32: both are bounded.)
        let least_timelock = u64::from(self.unstake_cooldown_secs)
            .checked_add(u64::from(REACTION_WINDOW_SECS))
            .ok_or(TreasuryError::MathOverflow)?;
        require!(
            u64::from(self.timelock_secs) >= least_timelock
                && self.timelock_secs <= MAX_TIMELOCK_SECS,
            TreasuryError::InvalidTimelock
        );
        require!(
            self.boost_tiers.len() <= usize::from(MAX_BOOST_TIERS),
            TreasuryError::TooManyBoostTiers
        );
        let mut previous: Option<&BoostTier> = None;
        for tier in &self.boost_tiers {
            require!(tier.min_stake > 0, TreasuryError::BoostTiersNotAscending);
            require!(
                tier.boost_bps <= MAX_BOOST_BPS,
                TreasuryError::BoostBpsTooHigh
            );
            if let Some(prev) = previous {
                require!(
                    tier.min_stake > prev.min_stake,
                    TreasuryError::BoostTiersNotAscending
                );
                require!(
                    tier.boost_bps >= prev.boost_bps,
                    TreasuryError::BoostBpsDecreasing
                );
            }
            previous = Some(tier);
        }
        require!(
            self.max_buyback_usdc > 0 && self.max_buyback_usdc <= MAX_BUYBACK_USDC,
            TreasuryError::InvalidMaxBuyback
        );
        require!(
            self.min_buyback_interval_secs <= MAX_BUYBACK_INTERVAL_SECS,
            TreasuryError::BuybackIntervalTooLong
        );
        require!(
            self.min_buyback_interval_secs >= MIN_BUYBACK_INTERVAL_SECS,
            TreasuryError::BuybackIntervalTooShort
        );
        self.price_guard.validate()?;
        require!(
            self.max_slippage_bps >= 1 && self.max_slippage_bps <= MAX_SLIPPAGE_BPS,
            TreasuryError::InvalidSlippage
        );
        require!(
            self.cranks.len() <= usize::from(MAX_CRANKS),
            TreasuryError::TooManyCranks
        );
        for (i, crank) in self.cranks.iter().enumerate() {
            require!(*crank != Pubkey::default(), TreasuryError::InvalidCrank);
            require!(
                !self.cranks[..i].contains(crank),
                TreasuryError::InvalidCrank
            );
        }
        require!(
            self.billing_authorities.len() <= usize::from(MAX_BILLING_AUTHORITIES),
            TreasuryError::TooManyBillingAuthorities
        );
        for (i, billing) in self.billing_authorities.iter().enumerate() {
            require!(
                *billing != Pubkey::default() && !self.billing_authorities[..i].contains(billing),
                TreasuryError::InvalidBillingAuthority
            );
        }
        Ok(())
    }

    /// Whether moving from `self` to `next` adds risk for stakers or the treasury, and so must
    /// wait out the timelock. Only changes that each move in the safe direction apply at once:
    /// removing cranks or billing authorities, lowering the cap or the slippage, lengthening the
    /// interval or the timelock, and switching buybacks off (no swap program, no guard). Adding a
    /// billing authority waits: it decides which worker is paid what boost out of the remainder
    /// of the usage it settles, and its settlements are the published usage figures. Anything
    /// else waits,
    /// including any change to the stream period, the boost tiers or the cooldown: a longer
    /// cooldown holds stakers longer, a shorter one weakens the bound on just-in-time staking
    /// (half of it, with the stream).
    pub fn change_adds_risk(&self, next: &TreasuryParams) -> bool {
        let cranks_added = next.cranks.iter().any(|c| !self.cranks.contains(c));
        let billing_added = next
            .billing_authorities
            .iter()
            .any(|b| !self.billing_authorities.contains(b));
        let swap_changed =
            next.swap_program != self.swap_program && next.swap_program != Pubkey::default();
        let guard_changed =
            next.price_guard != self.price_guard && next.price_guard.is_configured();
        next.stream_period_secs != self.stream_period_secs
            || next.boost_tiers != self.boost_tiers
            || next.unstake_cooldown_secs != self.unstake_cooldown_secs
            || next.max_buyback_usdc > self.max_buyback_usdc
            || next.min_buyback_interval_secs < self.min_buyback_interval_secs
            || next.max_slippage_bps > self.max_slippage_bps
            || next.timelock_secs < self.timelock_secs
            || cranks_added
            || billing_added
            || swap_changed
            || guard_changed
    }
}

/// The treasury: who governs it, where its money is, its parameters and every cumulative figure.
#[account]
#[derive(InitSpace, Debug)]
pub struct TreasuryConfig {
    pub bump: u8,
    pub buyback_vault_bump: u8,
    pub rewards_vault_bump: u8,
    pub stake_vault_bump: u8,

    pub authority: Pubkey,
    /// `Pubkey::default()` when no transfer is pending.
    pub pending_authority: Pubkey,
    /// When the pending authority may accept (the timelock after `propose_authority`).
    pub pending_authority_eta: i64,
    pub usdc_mint: Pubkey,
    pub ashao_mint: Pubkey,
    pub ashao_token_program: Pubkey,
    pub buyback_vault: Pubkey,
    pub rewards_vault: Pubkey,
    pub stake_vault: Pubkey,
    pub paused: bool,

    // Parameters.
    pub stream_period_secs: u32,
    pub unstake_cooldown_secs: u32,
    pub boost_tier_count: u8,
    pub boost_tiers: [BoostTier; MAX_BOOST_TIERS as usize],
    pub max_buyback_usdc: u64,
    pub min_buyback_interval_secs: u32,
    pub max_slippage_bps: u16,
    pub swap_program: Pubkey,
    pub crank_count: u8,
    pub cranks: [Pubkey; MAX_CRANKS as usize],
    pub price_guard: PriceGuard,
    pub timelock_secs: u32,
    pub billing_authority_count: u8,
    pub billing_authorities: [Pubkey; MAX_BILLING_AUTHORITIES as usize],

    /// A risk-adding change waiting out the timelock: applicable from `queued_change_eta`
    /// (0 when nothing is queued) for `TIMELOCK_GRACE_SECS`.
    pub queued_change: ConfigChange,
    pub queued_change_eta: i64,
    /// What became of the last queued change to leave the queue (applied, cancelled,
    /// superseded by an `update_config`, expired).
    pub last_queued_change: ConfigChangeRecord,

    // Revenue and buyback figures.
    pub total_revenue: u64,
    pub total_to_buyback: u64,
    pub total_to_stakers: u64,
    pub buyback_bucket: u64,
    pub total_buyback_usdc_spent: u64,
    pub total_ashao_burned: u64,
    pub buyback_count: u64,
    pub last_buyback_ts: i64,

    // Staking and rewards.
    pub total_staked: u64,
    pub total_unstaking: u64,
    pub staker_count: u32,
    pub acc_reward_per_share: u128,
    pub reward_carry: u128,
    pub stream_remaining: u64,
    pub stream_end_ts: i64,
    pub last_update_ts: i64,
    pub total_rewards_released: u64,
    pub total_rewards_claimed: u64,

    // Usage settled by `settle_usage`: total_usage_gross = total_paid_to_workers +
    // total_usage_revenue, and total_usage_revenue is part of total_revenue (the rest of which
    // came by deposit or sync).
    pub usage_batch_count: u64,
    pub worker_payment_count: u64,
    pub total_usage_gross: u64,
    pub total_paid_to_workers: u64,
    /// The boosts within `total_paid_to_workers`.
    pub total_boost_paid: u64,
    pub total_usage_revenue: u64,

    /// The buyback between `begin_buyback` and `finish_buyback`; only ever set inside one
    /// transaction, since a `begin_buyback` without its `finish_buyback` fails.
    pub pending_buyback: PendingBuyback,

    /// Room for later fields without a migration (zero).
    pub reserved: [u8; 64],
}

/// What `begin_buyback` snapshots for `finish_buyback` to measure against.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct PendingBuyback {
    pub in_progress: bool,
    pub crank: Pubkey,
    pub usdc_amount: u64,
    pub min_ashao_out: u64,
    pub crank_usdc_after_begin: u64,
    pub crank_ashao_before: u64,
}

impl PendingBuyback {
    pub fn snapshot(&self) -> BuybackSnapshot {
        BuybackSnapshot {
            usdc_amount: self.usdc_amount,
            crank_usdc_after_begin: self.crank_usdc_after_begin,
            crank_ashao_before: self.crank_ashao_before,
            min_ashao_out: self.min_ashao_out,
        }
    }
}

impl TreasuryConfig {
    /// Stores validated parameters.
    pub fn apply_params(&mut self, params: &TreasuryParams) -> Result<()> {
        params.validate()?;
        self.stream_period_secs = params.stream_period_secs;
        self.unstake_cooldown_secs = params.unstake_cooldown_secs;
        self.boost_tiers = [BoostTier::default(); MAX_BOOST_TIERS as usize];
        self.boost_tiers[..params.boost_tiers.len()].copy_from_slice(&params.boost_tiers);
        self.boost_tier_count =
            u8::try_from(params.boost_tiers.len()).map_err(|_| TreasuryError::TooManyBoostTiers)?;
        self.max_buyback_usdc = params.max_buyback_usdc;
        self.min_buyback_interval_secs = params.min_buyback_interval_secs;
        self.max_slippage_bps = params.max_slippage_bps;
        self.swap_program = params.swap_program;
        self.cranks = [Pubkey::default(); MAX_CRANKS as usize];
        self.cranks[..params.cranks.len()].copy_from_slice(&params.cranks);
        self.crank_count =
            u8::try_from(params.cranks.len()).map_err(|_| TreasuryError::TooManyCranks)?;
        self.price_guard = params.price_guard;
        self.timelock_secs = params.timelock_secs;
        self.billing_authorities = [Pubkey::default(); MAX_BILLING_AUTHORITIES as usize];
        self.billing_authorities[..params.billing_authorities.len()]
            .copy_from_slice(&params.billing_authorities);
        self.billing_authority_count = u8::try_from(params.billing_authorities.len())
            .map_err(|_| TreasuryError::TooManyBillingAuthorities)?;
        Ok(())
    }

    /// The active boost tiers.
    pub fn active_boost_tiers(&self) -> &[BoostTier] {
        &self.boost_tiers[..usize::from(self.boost_tier_count).min(self.boost_tiers.len())]
    }

    /// The worker boost for a stake: the highest tier whose `min_stake` it reaches, else 0.
    pub fn boost_bps_for(&self, stake: u64) -> u16 {
        self.active_boost_tiers()
            .iter()
            .rev()
            .find(|tier| stake >= tier.min_stake)
            .map_or(0, |tier| tier.boost_bps)
    }

    /// What the rewards vault must hold: the unreleased stream plus released-but-unclaimed.
    pub fn rewards_vault_expected(&self) -> Result<u64> {
        let owed = self
            .total_rewards_released
            .checked_sub(self.total_rewards_claimed)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(self
            .stream_remaining
            .checked_add(owed)
            .ok_or(TreasuryError::MathOverflow)?)
    }

    /// Relations between the figures that every handler must leave true.
    pub fn invariant(&self) -> Result<()> {
        self.params().validate()?;
        require_keys_neq!(self.usdc_mint, self.ashao_mint, TreasuryError::SameMint);
        let split_total = self
            .total_to_buyback
            .checked_add(self.total_to_stakers)
            .ok_or(TreasuryError::MathOverflow)?;
        require!(
            split_total == self.total_revenue,
            TreasuryError::InvariantViolated
        );
        require!(
            self.total_to_buyback >= self.total_to_stakers,
            TreasuryError::InvariantViolated
        );
        let bucket_out = self
            .buyback_bucket
            .checked_add(self.total_buyback_usdc_spent)
            .ok_or(TreasuryError::MathOverflow)?;
        require!(
            bucket_out == self.total_to_buyback,
            TreasuryError::InvariantViolated
        );
        require!(
            self.total_rewards_claimed <= self.total_rewards_released,
            TreasuryError::InvariantViolated
        );
        let rewards_out = self
            .total_rewards_released
            .checked_add(self.stream_remaining)
            .ok_or(TreasuryError::MathOverflow)?;
        require!(
            rewards_out == self.total_to_stakers,
            TreasuryError::InvariantViolated
        );
        require!(
            (self.total_staked == 0) == (self.staker_count == 0),
            TreasuryError::InvariantViolated
        );
        require!(
            usize::from(self.boost_tier_count) <= self.boost_tiers.len()
                && usize::from(self.crank_count) <= self.cranks.len()
                && usize::from(self.billing_authority_count) <= self.billing_authorities.len(),
            TreasuryError::InvariantViolated
        );
        // Usage: the gross is what workers were paid plus revenue, exactly; that revenue is part
        // of all revenue; boosts are part of what workers were paid.
        let usage_out = self
            .total_paid_to_workers
            .checked_add(self.total_usage_revenue)
            .ok_or(TreasuryError::MathOverflow)?;
        require!(
            usage_out == self.total_usage_gross
                && self.total_usage_revenue <= self.total_revenue
                && self.total_boost_paid <= self.total_paid_to_workers
                && (self.usage_batch_count > 0 || self.total_usage_gross == 0),
            TreasuryError::InvariantViolated
        );
        require!(
            (self.pending_authority == Pubkey::default()) == (self.pending_authority_eta == 0),
            TreasuryError::InvariantViolated
        );
        require!(
            self.queued_change_eta != 0 || self.queued_change == ConfigChange::default(),
            TreasuryError::InvariantViolated
        );
        require!(
            self.last_queued_change.outcome != ConfigChangeOutcome::None
                || self.last_queued_change == ConfigChangeRecord::default(),
            TreasuryError::InvariantViolated
        );
        Ok(())
    }
}

/// A queued change that left the queue without being applied, for its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedChange {
    pub change: ConfigChange,
    pub eta: i64,
    pub outcome: ConfigChangeOutcome,
}

/// Admin changes: what adds risk waits out `timelock_secs`, so a staker who disagrees can
/// request unstake and withdraw first (the timelock is at least the cooldown plus the reaction
/// window); what reduces risk applies at once and is never undone by a change queued before it.
impl TreasuryConfig {
    /// When something started now may take effect.
    fn timelock_eta(&self, now: i64) -> Result<i64> {
        Ok(now
            .checked_add(i64::from(self.timelock_secs))
            .ok_or(TreasuryError::MathOverflow)?)
    }

    /// Whether something that became possible at `eta` has gone unused past the grace period.
    fn expired(eta: i64, now: i64) -> Result<bool> {
        let expires_at = eta
            .checked_add(i64::from(TIMELOCK_GRACE_SECS))
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(now > expires_at)
    }

    /// Takes the queued change out of the queue, recording how it left.
    fn leave_queue(&mut self, outcome: ConfigChangeOutcome, now: i64) -> (ConfigChange, i64) {
        let eta = self.queued_change_eta;
        self.queued_change_eta = 0;
        self.last_queued_change = ConfigChangeRecord {
            outcome,
            eta,
            unix_timestamp: now,
        };
        (core::mem::take(&mut self.queued_change), eta)
    }

    /// Drops the queued change as `outcome`, or as `Expired` when its grace ran out already.
    fn drop_queued(&mut self, outcome: ConfigChangeOutcome, now: i64) -> Result<DroppedChange> {
        let outcome = if Self::expired(self.queued_change_eta, now)? {
            ConfigChangeOutcome::Expired
        } else {
            outcome
        };
        let (change, eta) = self.leave_queue(outcome, now);
        Ok(DroppedChange {
            change,
            eta,
            outcome,
        })
    }

    /// Applies `change` at once; refused when it adds risk. Accrues first, so a stream period
    /// change applies from the next revenue. A queued change that sets a field this one changes
    /// is dropped (`Superseded`) and returned: applied later, it would undo this change.
    pub fn update_now(&mut self, change: &ConfigChange, now: i64) -> Result<Option<DroppedChange>> {
        let current = self.params();
        let next = change.applied_to(&current);
        next.validate()?;
        require!(
            !current.change_adds_risk(&next),
            TreasuryError::ChangeNeedsTimelock
        );
        let superseded =
            self.queued_change_eta != 0 && self.queued_change.overlaps(&current, &next);
        self.accrue(now)?;
        self.apply_params(&next)?;
        if superseded {
            return Ok(Some(
                self.drop_queued(ConfigChangeOutcome::Superseded, now)?,
            ));
        }
        Ok(None)
    }

    /// Queues `change` to apply after the timelock. Returns when it may apply, and the expired
    /// change it replaced, if any.
    pub fn queue_change(
        &mut self,
        change: ConfigChange,
        now: i64,
    ) -> Result<(i64, Option<DroppedChange>)> {
        let replaced = if self.queued_change_eta == 0 {
            None
        } else {
            require!(
                Self::expired(self.queued_change_eta, now)?,
                TreasuryError::ConfigChangeAlreadyQueued
            );
            Some(self.drop_queued(ConfigChangeOutcome::Expired, now)?)
        };
        let current = self.params();
        let next = change.applied_to(&current);
        next.validate()?;
        require!(next != current, TreasuryError::NoConfigChange);
        let eta = self.timelock_eta(now)?;
        self.queued_change = change;
        self.queued_change_eta = eta;
        Ok((eta, replaced))
    }

    /// Applies the queued change once its timelock has passed, on top of the parameters as
    /// they are now (fields it does not name keep any change made since; a change made since to
    /// a field it names dropped it). Returns it.
    pub fn apply_queued_change(&mut self, now: i64) -> Result<ConfigChange> {
        let eta = self.queued_change_eta;
        require!(eta != 0, TreasuryError::NoQueuedConfigChange);
        require!(now >= eta, TreasuryError::TimelockNotElapsed);
        require!(
            !Self::expired(eta, now)?,
            TreasuryError::ConfigChangeExpired
        );
        let next = self.queued_change.applied_to(&self.params());
        next.validate()?;
        let (change, _) = self.leave_queue(ConfigChangeOutcome::Applied, now);
        self.accrue(now)?;
        self.apply_params(&next)?;
        Ok(change)
    }

    /// Drops the queued change (`Cancelled`, or `Expired` past its grace). Returns it.
    pub fn cancel_queued_change(&mut self, now: i64) -> Result<DroppedChange> {
        require!(
            self.queued_change_eta != 0,
            TreasuryError::NoQueuedConfigChange
        );
        self.drop_queued(ConfigChangeOutcome::Cancelled, now)
    }

    /// Names the next authority, who may accept after the timelock and within the grace period;
    /// `Pubkey::default()` cancels at once. Returns when the transfer may be accepted (0 when
    /// cancelled).
    pub fn propose_authority(&mut self, new_authority: Pubkey, now: i64) -> Result<i64> {
        require_keys_neq!(
            new_authority,
            self.authority,
            TreasuryError::InvalidNewAuthority
        );
        self.pending_authority = new_authority;
        self.pending_authority_eta = if new_authority == Pubkey::default() {
            0
        } else {
            self.timelock_eta(now)?
        };
        Ok(self.pending_authority_eta)
    }

    /// The pending authority takes over once the timelock has passed, within the grace period.
    pub fn accept_authority(&mut self, signer: Pubkey, now: i64) -> Result<()> {
        require_keys_neq!(
            self.pending_authority,
            Pubkey::default(),
            TreasuryError::NoPendingAuthority
        );
        require_keys_eq!(
            self.pending_authority,
            signer,
            TreasuryError::NotPendingAuthority
        );
        require!(
            now >= self.pending_authority_eta,
            TreasuryError::TimelockNotElapsed
        );
        require!(
            !Self::expired(self.pending_authority_eta, now)?,
            TreasuryError::AuthorityProposalExpired
        );
        self.authority = signer;
        self.pending_authority = Pubkey::default();
        self.pending_authority_eta = 0;
        Ok(())
    }
}

/// Reward stream and revenue accounting: the state changes are computed by the pure functions in
/// `math/` and applied here.
impl TreasuryConfig {
    /// The active crank operators.
    pub fn active_cranks(&self) -> &[Pubkey] {
        &self.cranks[..usize::from(self.crank_count).min(self.cranks.len())]
    }

    /// The active billing authorities.
    pub fn active_billing_authorities(&self) -> &[Pubkey] {
        &self.billing_authorities
            [..usize::from(self.billing_authority_count).min(self.billing_authorities.len())]
    }

    /// The current parameters, as `update_config` edits them.
    pub fn params(&self) -> TreasuryParams {
        TreasuryParams {
            stream_period_secs: self.stream_period_secs,
            unstake_cooldown_secs: self.unstake_cooldown_secs,
            boost_tiers: self.active_boost_tiers().to_vec(),
            max_buyback_usdc: self.max_buyback_usdc,
            min_buyback_interval_secs: self.min_buyback_interval_secs,
            max_slippage_bps: self.max_slippage_bps,
            swap_program: self.swap_program,
            cranks: self.active_cranks().to_vec(),
            billing_authorities: self.active_billing_authorities().to_vec(),
            price_guard: self.price_guard,
            timelock_secs: self.timelock_secs,
        }
    }

    fn stream(&self) -> RewardStream {
        RewardStream {
            total_staked: self.total_staked,
            acc_reward_per_share: self.acc_reward_per_share,
            reward_carry: self.reward_carry,
            stream_remaining: self.stream_remaining,
            stream_end_ts: self.stream_end_ts,
            last_update_ts: self.last_update_ts,
            total_rewards_released: self.total_rewards_released,
        }
    }

    fn set_stream(&mut self, s: RewardStream) {
        self.acc_reward_per_share = s.acc_reward_per_share;
        self.reward_carry = s.reward_carry;
        self.stream_remaining = s.stream_remaining;
        self.stream_end_ts = s.stream_end_ts;
        self.last_update_ts = s.last_update_ts;
        self.total_rewards_released = s.total_rewards_released;
    }

    /// Releases the stream up to `now` into `acc_reward_per_share`. Called before any change to
    /// `total_staked`, the stream, the stream period or a position's checkpoint.
    pub fn accrue(&mut self, now: i64) -> Result<()> {
        let (next, _released) = self.stream().accrue(now)?;
        self.set_stream(next);
        Ok(())
    }

    /// Accounts new revenue: accrues, splits 50/50 (odd unit to buyback), adds the buyback half
    /// to the bucket and the stakers' half to the stream. Returns `(to_buyback, to_stakers)`.
    pub fn add_revenue(&mut self, amount: u64, now: i64) -> Result<(u64, u64)> {
        let (to_buyback, to_stakers) = split_revenue(amount);
        let next = self
            .stream()
            .add(to_stakers, now, self.stream_period_secs)?;
        self.set_stream(next);
        self.total_revenue = self
            .total_revenue
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_to_buyback = self
            .total_to_buyback
            .checked_add(to_buyback)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_to_stakers = self
            .total_to_stakers
            .checked_add(to_stakers)
            .ok_or(TreasuryError::MathOverflow)?;
        self.buyback_bucket = self
            .buyback_bucket
            .checked_add(to_buyback)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok((to_buyback, to_stakers))
    }

    /// Accounts USDC that reached the vaults by plain transfer: the excess of each vault over
    /// what the treasury expects there (`buyback_bucket`; [`Self::rewards_vault_expected`]) is
    /// revenue, split like a deposit. Returns the amounts and the transfer between the vaults
    /// that leaves each holding exactly what it should. Vault balances are only compared with
    /// the treasury's own figures, never used as anyone's entitlement.
    pub fn sync(
        &mut self,
        buyback_vault_balance: u64,
        rewards_vault_balance: u64,
        now: i64,
    ) -> Result<SyncOutcome> {
        // Accrual moves value from the stream to "released", both inside the rewards vault, so
        // the expected balances do not depend on it.
        let buyback_excess = buyback_vault_balance
            .checked_sub(self.buyback_bucket)
            .ok_or(TreasuryError::VaultShortfall)?;
        let rewards_excess = rewards_vault_balance
            .checked_sub(self.rewards_vault_expected()?)
            .ok_or(TreasuryError::VaultShortfall)?;
        let amount = buyback_excess
            .checked_add(rewards_excess)
            .ok_or(TreasuryError::MathOverflow)?;
        require!(amount > 0, TreasuryError::NothingToSync);
        let (to_buyback, to_stakers) = self.add_revenue(amount, now)?;
        // buyback_excess + rewards_excess == to_buyback + to_stakers: one vault sends what the
        // other lacks.
        let rebalance = if buyback_excess > to_buyback {
            Rebalance::BuybackToRewards(
                buyback_excess
                    .checked_sub(to_buyback)
                    .ok_or(TreasuryError::MathOverflow)?,
            )
        } else {
            Rebalance::RewardsToBuyback(
                to_buyback
                    .checked_sub(buyback_excess)
                    .ok_or(TreasuryError::MathOverflow)?,
            )
        };
        Ok(SyncOutcome {
            amount,
            to_buyback,
            to_stakers,
            rebalance,
        })
    }
}

/// Position bookkeeping: each method accrues the stream and settles the position before any
/// balance changes, then updates the position and the global totals together. Handlers move the
/// tokens; these methods are what the property tests drive.
impl TreasuryConfig {
    /// Adds `amount` to the position's stake.
    pub fn stake(&mut self, position: &mut StakePosition, amount: u64, now: i64) -> Result<()> {
        require!(amount > 0, TreasuryError::ZeroAmount);
        self.accrue(now)?;
        position.settle(self.acc_reward_per_share)?;
        position.start_warmup(amount, now, self.unstake_cooldown_secs)?;
        let was_empty = position.staked == 0;
        position.staked = position
            .staked
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_staked = self
            .total_staked
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        if was_empty {
            self.staker_count = self
                .staker_count
                .checked_add(1)
                .ok_or(TreasuryError::MathOverflow)?;
        }
        Ok(())
    }

    /// Moves `amount` from staked (earning) to unstaking (not earning) in a ticket of its own
    /// that matures after the cooldown from `now`; earlier tickets keep their own. Returns when
    /// it matures.
    pub fn request_unstake(
        &mut self,
        position: &mut StakePosition,
        amount: u64,
        now: i64,
    ) -> Result<i64> {
        require!(amount > 0, TreasuryError::ZeroAmount);
        require!(amount <= position.staked, TreasuryError::InsufficientStake);
        self.accrue(now)?;
        position.settle(self.acc_reward_per_share)?;
        position.staked = position
            .staked
            .checked_sub(amount)
            .ok_or(TreasuryError::InsufficientStake)?;
        position.end_warmup_of(amount, now);
        position.unstaking = position
            .unstaking
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        let available_at = now
            .checked_add(i64::from(self.unstake_cooldown_secs))
            .ok_or(TreasuryError::MathOverflow)?;
        position.add_ticket(amount, available_at)?;
        self.total_staked = self
            .total_staked
            .checked_sub(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_unstaking = self
            .total_unstaking
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        if position.staked == 0 {
            self.staker_count = self
                .staker_count
                .checked_sub(1)
                .ok_or(TreasuryError::MathOverflow)?;
        }
        Ok(available_at)
    }

    /// Releases the principal of every ticket whose cooldown has passed; the others keep
    /// cooling down. Returns the $ASHAO to send back.
    pub fn withdraw(&mut self, position: &mut StakePosition, now: i64) -> Result<u64> {
        require!(position.unstaking > 0, TreasuryError::NothingToWithdraw);
        let amount = position.take_matured(now)?;
        require!(amount > 0, TreasuryError::CooldownNotElapsed);
        position.unstaking = position
            .unstaking
            .checked_sub(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_unstaking = self
            .total_unstaking
            .checked_sub(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(amount)
    }

    /// Settles the position and empties its owed rewards. Returns the USDC to pay.
    pub fn claim(&mut self, position: &mut StakePosition, now: i64) -> Result<u64> {
        self.accrue(now)?;
        position.settle(self.acc_reward_per_share)?;
        let amount = position.owed_rewards;
        require!(amount > 0, TreasuryError::NothingToClaim);
        position.owed_rewards = 0;
        position.total_claimed = position
            .total_claimed
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_rewards_claimed = self
            .total_rewards_claimed
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(amount)
    }
}

/// Usage bookkeeping: `settle_usage` pays the workers from the billing authority's account and
/// books the figures here; its revenue goes the way of a deposit (`pay_revenue`).
impl TreasuryConfig {
    /// Books a settled batch's figures (its revenue is booked by `add_revenue`).
    pub fn record_usage(&mut self, totals: &SettlementTotals, workers: u64) -> Result<()> {
        self.usage_batch_count = self
            .usage_batch_count
            .checked_add(1)
            .ok_or(TreasuryError::MathOverflow)?;
        self.worker_payment_count = self
            .worker_payment_count
            .checked_add(workers)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_usage_gross = self
            .total_usage_gross
            .checked_add(totals.gross)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_paid_to_workers = self
            .total_paid_to_workers
            .checked_add(totals.paid_to_workers)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_boost_paid = self
            .total_boost_paid
            .checked_add(totals.boost_paid)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_usage_revenue = self
            .total_usage_revenue
            .checked_add(totals.revenue)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(())
    }

    /// Whether `signer` may settle usage.
    pub fn is_billing_authority(&self, signer: &Pubkey) -> bool {
        self.active_billing_authorities().contains(signer)
    }
}

/// USDC moved between the two USDC vaults by `sync_revenue` (PDA-signed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rebalance {
    BuybackToRewards(u64),
    RewardsToBuyback(u64),
}

/// What `sync_revenue` accounted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncOutcome {
    pub amount: u64,
    pub to_buyback: u64,
    pub to_stakers: u64,
    pub rebalance: Rebalance,
}

/// Buyback bookkeeping: `begin_buyback` checks and snapshots, `finish_buyback` measures and
/// books. Handlers move the tokens and check the transaction's shape.
impl TreasuryConfig {
    /// Checks that `crank` may take `usdc_amount` from the bucket now, and records the snapshot
    /// `finish_buyback` will measure against.
    pub fn begin_buyback(
        &mut self,
        crank: Pubkey,
        usdc_amount: u64,
        min_ashao_out: u64,
        crank_usdc_before: u64,
        crank_ashao_before: u64,
        now: i64,
    ) -> Result<()> {
        require!(!self.paused, TreasuryError::Paused);
        require!(
            self.active_cranks().contains(&crank),
            TreasuryError::CrankNotAllowed
        );
        require!(
            self.price_guard.is_configured(),
            TreasuryError::NoPriceGuard
        );
        require!(
            !self.pending_buyback.in_progress,
            TreasuryError::BuybackInProgress
        );
        require!(
            usdc_amount > 0 && min_ashao_out > 0,
            TreasuryError::ZeroAmount
        );
        require!(
            usdc_amount <= self.max_buyback_usdc,
            TreasuryError::BuybackTooLarge
        );
        require!(
            usdc_amount <= self.buyback_bucket,
            TreasuryError::BuybackExceedsBucket
        );
        let allowed_at = next_buyback_allowed_at(
            self.buyback_count,
            self.last_buyback_ts,
            self.min_buyback_interval_secs,
        )?;
        require!(now >= allowed_at, TreasuryError::BuybackTooSoon);
        self.pending_buyback = PendingBuyback {
            in_progress: true,
            crank,
            usdc_amount,
            min_ashao_out,
            crank_usdc_after_begin: crank_usdc_before
                .checked_add(usdc_amount)
                .ok_or(TreasuryError::MathOverflow)?,
            crank_ashao_before,
        };
        Ok(())
    }

    /// Measures the buyback `crank` began from its balances now, requires what it received to
    /// meet the oracle price (the low end of its confidence interval) less `max_slippage_bps`,
    /// books it (bucket down by what was spent, cumulative spent and burned up) and clears the
    /// snapshot. Returns the outcome and the least $ASHAO the oracle allowed.
    pub fn finish_buyback(
        &mut self,
        crank: Pubkey,
        balances_now: BuybackBalances,
        oracle: &OraclePrice,
        now: i64,
    ) -> Result<(BuybackOutcome, u64)> {
        let pending = self.pending_buyback;
        require!(
            pending.in_progress && pending.crank == crank,
            TreasuryError::NoBuybackInProgress
        );
        let outcome = measure_buyback(
            &pending.snapshot(),
            balances_now.crank_usdc,
            balances_now.crank_ashao,
        )?;
        let oracle_min_out = min_ashao_out(
            outcome.usdc_spent,
            oracle.treasury_side_price()?,
            oracle.exponent,
            balances_now.usdc_decimals,
            balances_now.ashao_decimals,
            self.max_slippage_bps,
        )?;
        require!(
            outcome.ashao_received >= oracle_min_out,
            TreasuryError::PriceBelowOracle
        );
        self.buyback_bucket = self
            .buyback_bucket
            .checked_sub(outcome.usdc_spent)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_buyback_usdc_spent = self
            .total_buyback_usdc_spent
            .checked_add(outcome.usdc_spent)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_ashao_burned = self
            .total_ashao_burned
            .checked_add(outcome.ashao_received)
            .ok_or(TreasuryError::MathOverflow)?;
        self.buyback_count = self
            .buyback_count
            .checked_add(1)
            .ok_or(TreasuryError::MathOverflow)?;
        self.last_buyback_ts = now;
        self.pending_buyback = PendingBuyback::default();
        Ok((outcome, oracle_min_out))
    }
}

/// The crank's balances at `finish_buyback` and the mints' decimals they are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuybackBalances {
    pub crank_usdc: u64,
    pub crank_ashao: u64,
    pub usdc_decimals: u8,
    pub ashao_decimals: u8,
}

#[cfg(test)]
mod tests;
