use anchor_lang::prelude::*;

use crate::{
    constants::{
        MAX_BOOST_BPS, MAX_BOOST_TIERS, MAX_BUYBACK_INTERVAL_SECS, MAX_CRANKS, MAX_SLIPPAGE_BPS,
        MAX_STREAM_PERIOD_SECS, MAX_UNSTAKE_COOLDOWN_SECS,
    },
    errors::TreasuryError,
    math::{rewards::RewardStream, split::split_revenue},
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
}

impl TreasuryParams {
    /// Checks every bound; the 50/50 split is not a parameter.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.stream_period_secs <= MAX_STREAM_PERIOD_SECS,
            TreasuryError::StreamPeriodTooLong
        );
        require!(
            self.unstake_cooldown_secs <= MAX_UNSTAKE_COOLDOWN_SECS,
            TreasuryError::UnstakeCooldownTooLong
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
        require!(self.max_buyback_usdc > 0, TreasuryError::InvalidMaxBuyback);
        require!(
            self.min_buyback_interval_secs <= MAX_BUYBACK_INTERVAL_SECS,
            TreasuryError::BuybackIntervalTooLong
        );
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
        Ok(())
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

    /// Room for later fields without a migration (zero).
    pub reserved: [u8; 128],
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
                && usize::from(self.crank_count) <= self.cranks.len(),
            TreasuryError::InvariantViolated
        );
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

    /// Moves `amount` from a position's stake into `total_staked` bookkeeping.
    pub fn add_stake(&mut self, amount: u64, position_was_empty: bool) -> Result<()> {
        self.total_staked = self
            .total_staked
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        if position_was_empty {
            self.staker_count = self
                .staker_count
                .checked_add(1)
                .ok_or(TreasuryError::MathOverflow)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TreasuryConfig {
        let mut c = TreasuryConfig {
            bump: 255,
            buyback_vault_bump: 255,
            rewards_vault_bump: 255,
            stake_vault_bump: 255,
            authority: Pubkey::new_unique(),
            pending_authority: Pubkey::default(),
            usdc_mint: Pubkey::new_unique(),
            ashao_mint: Pubkey::new_unique(),
            ashao_token_program: Pubkey::new_unique(),
            buyback_vault: Pubkey::new_unique(),
            rewards_vault: Pubkey::new_unique(),
            stake_vault: Pubkey::new_unique(),
            paused: false,
            stream_period_secs: 0,
            unstake_cooldown_secs: 0,
            boost_tier_count: 0,
            boost_tiers: [BoostTier::default(); MAX_BOOST_TIERS as usize],
            max_buyback_usdc: 0,
            min_buyback_interval_secs: 0,
            max_slippage_bps: 0,
            swap_program: Pubkey::default(),
            crank_count: 0,
            cranks: [Pubkey::default(); MAX_CRANKS as usize],
            total_revenue: 0,
            total_to_buyback: 0,
            total_to_stakers: 0,
            buyback_bucket: 0,
            total_buyback_usdc_spent: 0,
            total_ashao_burned: 0,
            buyback_count: 0,
            last_buyback_ts: 0,
            total_staked: 0,
            total_unstaking: 0,
            staker_count: 0,
            acc_reward_per_share: 0,
            reward_carry: 0,
            stream_remaining: 0,
            stream_end_ts: 0,
            last_update_ts: 0,
            total_rewards_released: 0,
            total_rewards_claimed: 0,
            reserved: [0; 128],
        };
        let params = TreasuryParams {
            stream_period_secs: 100,
            unstake_cooldown_secs: 10,
            boost_tiers: vec![
                BoostTier {
                    min_stake: 100,
                    boost_bps: 500,
                },
                BoostTier {
                    min_stake: 1_000,
                    boost_bps: 1_000,
                },
            ],
            max_buyback_usdc: 1_000_000,
            min_buyback_interval_secs: 60,
            max_slippage_bps: 100,
            swap_program: Pubkey::new_unique(),
            cranks: vec![Pubkey::new_unique()],
        };
        assert!(c.apply_params(&params).is_ok());
        c
    }

    #[test]
    fn boost_is_the_highest_tier_reached() {
        let c = config();
        assert_eq!(c.boost_bps_for(0), 0);
        assert_eq!(c.boost_bps_for(99), 0);
        assert_eq!(c.boost_bps_for(100), 500);
        assert_eq!(c.boost_bps_for(999), 500);
        assert_eq!(c.boost_bps_for(u64::MAX), 1_000);
    }

    #[test]
    fn bad_tiers_are_refused() {
        let mut p = config().params();
        p.boost_tiers = vec![
            BoostTier {
                min_stake: 10,
                boost_bps: 5,
            },
            BoostTier {
                min_stake: 10,
                boost_bps: 6,
            },
        ];
        assert!(p.validate().is_err());
        p.boost_tiers = vec![
            BoostTier {
                min_stake: 10,
                boost_bps: 6,
            },
            BoostTier {
                min_stake: 11,
                boost_bps: 5,
            },
        ];
        assert!(p.validate().is_err());
        p.boost_tiers = vec![BoostTier {
            min_stake: 1,
            boost_bps: MAX_BOOST_BPS + 1,
        }];
        assert!(p.validate().is_err());
        p.boost_tiers = vec![BoostTier::default(); 9];
        assert!(p.validate().is_err());
    }

    #[test]
    fn revenue_is_split_streamed_and_conserved() {
        let mut c = config();
        let (b, s) = c.add_revenue(1_001, 0).unwrap_or_default();
        assert_eq!((b, s), (501, 500));
        assert_eq!(c.buyback_bucket, 501);
        assert_eq!(c.stream_remaining, 500);
        assert_eq!(c.stream_end_ts, 100);
        assert!(c.invariant().is_ok());
        // Nobody staked for 50 s: the stream pauses.
        assert!(c.accrue(50).is_ok());
        assert_eq!(c.stream_remaining, 500);
        assert_eq!(c.stream_end_ts, 150);
        c.total_staked = 10;
        c.staker_count = 1;
        assert!(c.accrue(100).is_ok());
        assert_eq!(c.total_rewards_released, 250);
        assert_eq!(c.acc_reward_per_share, 25 * REWARD_PRECISION_FOR_TESTS);
        assert!(c.invariant().is_ok());
        assert_eq!(c.rewards_vault_expected().ok(), Some(500));
    }

    const REWARD_PRECISION_FOR_TESTS: u128 = crate::constants::REWARD_PRECISION;
}
