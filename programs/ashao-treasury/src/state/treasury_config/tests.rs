use super::*;

fn config() -> TreasuryConfig {
    let mut c = TreasuryConfig {
        bump: 255,
        buyback_vault_bump: 255,
        rewards_vault_bump: 255,
        stake_vault_bump: 255,
        authority: Pubkey::new_unique(),
        pending_authority: Pubkey::default(),
        pending_authority_eta: 0,
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
        price_guard: PriceGuard::None,
        timelock_secs: 0,
        queued_change: ConfigChange::default(),
        queued_change_eta: 0,
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
        pending_buyback: PendingBuyback::default(),
        reserved: [0; 64],
    };
    let params = TreasuryParams {
        stream_period_secs: 3_600,
        unstake_cooldown_secs: 3_600,
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
        price_guard: PriceGuard::PythPull {
            feed_id: [1; 32],
            max_age_secs: 60,
            max_confidence_bps: 100,
        },
        timelock_secs: 86_400,
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
    assert_eq!(c.stream_end_ts, 3_600);
    assert!(c.invariant().is_ok());
    // Nobody staked for 50 s: the stream pauses.
    assert!(c.accrue(50).is_ok());
    assert_eq!(c.stream_remaining, 500);
    assert_eq!(c.stream_end_ts, 3_650);
    c.total_staked = 10;
    c.staker_count = 1;
    assert!(c.accrue(1_850).is_ok());
    assert_eq!(c.total_rewards_released, 250);
    assert_eq!(c.acc_reward_per_share, 25 * REWARD_PRECISION_FOR_TESTS);
    assert!(c.invariant().is_ok());
    assert_eq!(c.rewards_vault_expected().ok(), Some(500));
}

const REWARD_PRECISION_FOR_TESTS: u128 = crate::constants::REWARD_PRECISION;

// ------------------------------------------------------------- admin changes and the timelock

fn named(error: TreasuryError) -> anchor_lang::error::Error {
    error.into()
}

#[test]
fn floors_and_bounds_are_named() {
    let base = config().params();
    type Edit = fn(&mut TreasuryParams);
    let cases: Vec<(Edit, TreasuryError)> = vec![
        (
            |p| p.stream_period_secs = 0,
            TreasuryError::StreamPeriodTooShort,
        ),
        (
            |p| p.stream_period_secs = MIN_STREAM_PERIOD_SECS - 1,
            TreasuryError::StreamPeriodTooShort,
        ),
        (
            |p| p.unstake_cooldown_secs = 0,
            TreasuryError::UnstakeCooldownTooShort,
        ),
        (
            |p| p.min_buyback_interval_secs = 0,
            TreasuryError::BuybackIntervalTooShort,
        ),
        (
            |p| p.min_buyback_interval_secs = MIN_BUYBACK_INTERVAL_SECS - 1,
            TreasuryError::BuybackIntervalTooShort,
        ),
        (|p| p.max_buyback_usdc = 0, TreasuryError::InvalidMaxBuyback),
        (
            |p| p.max_buyback_usdc = MAX_BUYBACK_USDC + 1,
            TreasuryError::InvalidMaxBuyback,
        ),
        (
            |p| p.timelock_secs = MIN_TIMELOCK_SECS - 1,
            TreasuryError::InvalidTimelock,
        ),
        (
            |p| p.timelock_secs = MAX_TIMELOCK_SECS + 1,
            TreasuryError::InvalidTimelock,
        ),
        (
            |p| {
                p.unstake_cooldown_secs = 2 * 86_400;
                p.timelock_secs = 86_400;
            },
            TreasuryError::InvalidTimelock,
        ),
        (
            |p| {
                p.price_guard = PriceGuard::PythPull {
                    feed_id: [0; 32],
                    max_age_secs: 60,
                    max_confidence_bps: 100,
                }
            },
            TreasuryError::InvalidPriceGuard,
        ),
        (
            |p| {
                p.price_guard = PriceGuard::PythPull {
                    feed_id: [1; 32],
                    max_age_secs: 0,
                    max_confidence_bps: 100,
                }
            },
            TreasuryError::InvalidPriceGuard,
        ),
        (
            |p| {
                p.price_guard = PriceGuard::PythPull {
                    feed_id: [1; 32],
                    max_age_secs: 3_601,
                    max_confidence_bps: 100,
                }
            },
            TreasuryError::InvalidPriceGuard,
        ),
        (
            |p| {
                p.price_guard = PriceGuard::PythPull {
                    feed_id: [1; 32],
                    max_age_secs: 60,
                    max_confidence_bps: 1_001,
                }
            },
            TreasuryError::InvalidPriceGuard,
        ),
    ];
    for (edit, error) in cases {
        let mut p = base.clone();
        edit(&mut p);
        assert_eq!(p.validate().unwrap_err(), named(error));
    }
    // The floors themselves are accepted.
    let mut p = base.clone();
    p.stream_period_secs = MIN_STREAM_PERIOD_SECS;
    p.unstake_cooldown_secs = MIN_UNSTAKE_COOLDOWN_SECS;
    p.min_buyback_interval_secs = MIN_BUYBACK_INTERVAL_SECS;
    p.max_buyback_usdc = MAX_BUYBACK_USDC;
    p.timelock_secs = MIN_TIMELOCK_SECS;
    p.validate().unwrap();
}

#[test]
fn only_changes_that_reduce_risk_apply_at_once() {
    let c = config();
    let current = c.params();
    let extra_crank = Pubkey::new_unique();
    let immediate = [
        ConfigChange {
            cranks: Some(vec![]),
            ..Default::default()
        },
        ConfigChange {
            max_buyback_usdc: Some(1),
            ..Default::default()
        },
        ConfigChange {
            min_buyback_interval_secs: Some(600),
            ..Default::default()
        },
        ConfigChange {
            max_slippage_bps: Some(1),
            ..Default::default()
        },
        ConfigChange {
            timelock_secs: Some(2 * 86_400),
            ..Default::default()
        },
        ConfigChange {
            swap_program: Some(Pubkey::default()),
            ..Default::default()
        },
        ConfigChange {
            price_guard: Some(PriceGuard::None),
            ..Default::default()
        },
    ];
    for change in immediate {
        let mut c = config();
        c.update_now(&change, 10).unwrap();
        assert_ne!(c.params(), current, "{change:?}");
    }
    let timelocked = [
        ConfigChange {
            cranks: Some(vec![current.cranks[0], extra_crank]),
            ..Default::default()
        },
        ConfigChange {
            cranks: Some(vec![extra_crank]),
            ..Default::default()
        },
        ConfigChange {
            max_buyback_usdc: Some(current.max_buyback_usdc + 1),
            ..Default::default()
        },
        ConfigChange {
            min_buyback_interval_secs: Some(MIN_BUYBACK_INTERVAL_SECS),
            ..Default::default()
        },
        ConfigChange {
            max_slippage_bps: Some(101),
            ..Default::default()
        },
        ConfigChange {
            swap_program: Some(Pubkey::new_unique()),
            ..Default::default()
        },
        ConfigChange {
            price_guard: Some(PriceGuard::PythPull {
                feed_id: [2; 32],
                max_age_secs: 60,
                max_confidence_bps: 100,
            }),
            ..Default::default()
        },
        ConfigChange {
            unstake_cooldown_secs: Some(7_200),
            ..Default::default()
        },
        ConfigChange {
            stream_period_secs: Some(7_200),
            ..Default::default()
        },
        ConfigChange {
            boost_tiers: Some(vec![]),
            ..Default::default()
        },
    ];
    for change in timelocked {
        let mut c = config();
        c.min_buyback_interval_secs = 2 * MIN_BUYBACK_INTERVAL_SECS;
        let current = c.params();
        assert_ne!(change.applied_to(&current), current, "{change:?}");
        assert_eq!(
            c.update_now(&change, 10).unwrap_err(),
            named(TreasuryError::ChangeNeedsTimelock),
            "{change:?}"
        );
        assert_eq!(c.params(), current, "a refused change changes nothing");
    }
    // A shorter timelock waits too.
    let mut c = config();
    c.timelock_secs = 2 * 86_400;
    let change = ConfigChange {
        timelock_secs: Some(86_400),
        ..Default::default()
    };
    assert_eq!(
        c.update_now(&change, 10).unwrap_err(),
        named(TreasuryError::ChangeNeedsTimelock)
    );
}

#[test]
fn a_queued_change_waits_out_the_timelock_then_anyone_applies_it_once() {
    let mut c = config();
    let new_crank = Pubkey::new_unique();
    let change = ConfigChange {
        cranks: Some(vec![c.active_cranks()[0], new_crank]),
        max_buyback_usdc: Some(2_000_000),
        ..Default::default()
    };
    let eta = c.queue_change(change.clone(), 1_000).unwrap();
    assert_eq!(eta, 1_000 + 86_400);
    c.invariant().unwrap();
    assert_eq!(
        c.queue_change(change.clone(), 1_001).unwrap_err(),
        named(TreasuryError::ConfigChangeAlreadyQueued)
    );
    assert_eq!(
        c.apply_queued_change(eta - 1).unwrap_err(),
        named(TreasuryError::TimelockNotElapsed)
    );
    assert!(!c.active_cranks().contains(&new_crank));
    // A risk-reducing change in the meantime applies at once and survives the queued one
    // where the queued one does not name the field.
    c.update_now(
        &ConfigChange {
            max_slippage_bps: Some(50),
            ..Default::default()
        },
        2_000,
    )
    .unwrap();
    assert_eq!(c.apply_queued_change(eta).unwrap(), change);
    assert!(c.active_cranks().contains(&new_crank));
    assert_eq!(c.max_buyback_usdc, 2_000_000);
    assert_eq!(c.max_slippage_bps, 50);
    assert_eq!(c.queued_change_eta, 0);
    c.invariant().unwrap();
    assert_eq!(
        c.apply_queued_change(eta).unwrap_err(),
        named(TreasuryError::NoQueuedConfigChange)
    );
}

#[test]
fn queued_changes_can_be_cancelled_expire_and_must_change_something() {
    let mut c = config();
    assert_eq!(
        c.queue_change(ConfigChange::default(), 0).unwrap_err(),
        named(TreasuryError::NoConfigChange)
    );
    assert_eq!(
        c.queue_change(
            ConfigChange {
                stream_period_secs: Some(1),
                ..Default::default()
            },
            0
        )
        .unwrap_err(),
        named(TreasuryError::StreamPeriodTooShort)
    );
    assert_eq!(
        c.cancel_queued_change().unwrap_err(),
        named(TreasuryError::NoQueuedConfigChange)
    );
    let change = ConfigChange {
        max_slippage_bps: Some(500),
        ..Default::default()
    };
    let eta = c.queue_change(change.clone(), 0).unwrap();
    assert_eq!(c.cancel_queued_change().unwrap(), change);
    assert_eq!((c.queued_change_eta, c.max_slippage_bps), (0, 100));
    let eta2 = c.queue_change(change, 5).unwrap();
    assert_eq!(eta2, eta + 5);
    let expired_at = eta2 + i64::from(TIMELOCK_GRACE_SECS) + 1;
    assert_eq!(
        c.apply_queued_change(expired_at).unwrap_err(),
        named(TreasuryError::ConfigChangeExpired)
    );
}

#[test]
fn an_authority_transfer_waits_out_the_timelock() {
    let mut c = config();
    let next = Pubkey::new_unique();
    assert_eq!(
        c.propose_authority(c.authority, 0).unwrap_err(),
        named(TreasuryError::InvalidNewAuthority)
    );
    let eta = c.propose_authority(next, 100).unwrap();
    assert_eq!(eta, 100 + 86_400);
    c.invariant().unwrap();
    assert_eq!(
        c.accept_authority(Pubkey::new_unique(), eta).unwrap_err(),
        named(TreasuryError::NotPendingAuthority)
    );
    assert_eq!(
        c.accept_authority(next, eta - 1).unwrap_err(),
        named(TreasuryError::TimelockNotElapsed)
    );
    c.accept_authority(next, eta).unwrap();
    assert_eq!(
        (c.authority, c.pending_authority, c.pending_authority_eta),
        (next, Pubkey::default(), 0)
    );
    c.invariant().unwrap();
    // Cancelling clears at once.
    c.propose_authority(Pubkey::new_unique(), 0).unwrap();
    assert_eq!(c.propose_authority(Pubkey::default(), 0).unwrap(), 0);
    assert_eq!(
        c.accept_authority(next, i64::MAX).unwrap_err(),
        named(TreasuryError::NoPendingAuthority)
    );
}

#[test]
fn buybacks_need_a_price_guard_and_meet_the_oracle() {
    let mut c = config();
    c.buyback_bucket = 1_000;
    c.total_to_buyback = 1_000;
    c.total_revenue = 2_000;
    c.total_to_stakers = 1_000;
    c.stream_remaining = 1_000;
    let crank = c.active_cranks()[0];
    let mut unguarded = config();
    unguarded.price_guard = PriceGuard::None;
    unguarded.buyback_bucket = 1_000;
    let unguarded_crank = unguarded.active_cranks()[0];
    assert_eq!(
        unguarded
            .begin_buyback(unguarded_crank, 100, 1, 0, 0, 0)
            .unwrap_err(),
        named(TreasuryError::NoPriceGuard)
    );
    // $2 per whole $ASHAO (6 decimals both): 1_000 USDC units buy 500 $ASHAO units; 1% off → 495.
    let oracle = OraclePrice {
        price: 2,
        exponent: 0,
        publish_time: 0,
    };
    let balances = |ashao| BuybackBalances {
        crank_usdc: 0,
        crank_ashao: ashao,
        usdc_decimals: 6,
        ashao_decimals: 6,
    };
    c.begin_buyback(crank, 1_000, 1, 0, 0, 0).unwrap();
    assert_eq!(
        c.clone()
            .finish_buyback(crank, balances(494), &oracle, 0)
            .unwrap_err(),
        named(TreasuryError::PriceBelowOracle)
    );
    let (outcome, min_out) = c.finish_buyback(crank, balances(495), &oracle, 0).unwrap();
    assert_eq!(
        (outcome.usdc_spent, outcome.ashao_received, min_out),
        (1_000, 495, 495)
    );
}

// ------------------------------------------------------------- ledger property test

mod ledger {
    use proptest::prelude::*;

    use super::*;
    use crate::{
        math::rewards::settle,
        state::{Rebalance, StakePosition},
    };

    const STAKERS: usize = 3;

    #[derive(Clone, Debug)]
    enum Op {
        Deposit(u64),
        /// A plain SPL transfer into the rewards vault (`true`) or the buyback vault.
        Transfer(bool, u64),
        Sync,
        Stake(usize, u64),
        /// Fraction of the stake in 1/256ths, at least one unit.
        Unstake(usize, u8),
        Withdraw(usize),
        Claim(usize),
        /// A buyback of up to this much of the bucket whose swap spends this many 256ths of it
        /// (and buys one $ASHAO base unit more than the USDC units it spends).
        Buyback(u64, u8),
        Advance(u32),
        SetPeriod(u32),
        SetPaused(bool),
    }

    fn op(max: u64) -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (1..=max).prop_map(Op::Deposit),
            2 => (any::<bool>(), 1..=max).prop_map(|(r, a)| Op::Transfer(r, a)),
            2 => Just(Op::Sync),
            3 => (0..STAKERS, 1..=max).prop_map(|(u, a)| Op::Stake(u, a)),
            2 => (0..STAKERS, any::<u8>()).prop_map(|(u, f)| Op::Unstake(u, f)),
            2 => (0..STAKERS).prop_map(Op::Withdraw),
            2 => (0..STAKERS).prop_map(Op::Claim),
            1 => (1..=max, any::<u8>()).prop_map(|(a, f)| Op::Buyback(a, f)),
            3 => (0..18_000u32).prop_map(Op::Advance),
            1 => (MIN_STREAM_PERIOD_SECS..3 * MIN_STREAM_PERIOD_SECS).prop_map(Op::SetPeriod),
            1 => any::<bool>().prop_map(Op::SetPaused),
        ]
    }

    /// The treasury's state plus the token balances the handlers move, driven through the same
    /// `TreasuryConfig` methods the handlers call.
    struct Ledger {
        c: TreasuryConfig,
        positions: Vec<StakePosition>,
        buyback_vault: u64,
        rewards_vault: u64,
        stake_vault: u64,
        usdc_in: u128,
        usdc_claimed: u128,
        usdc_spent: u128,
        settlements: u64,
        now: i64,
    }

    fn err_is(e: &anchor_lang::error::Error, expected: TreasuryError) -> bool {
        *e == anchor_lang::error::Error::from(expected)
    }

    impl Ledger {
        fn new() -> Self {
            // A one-hour stream and cooldown (the floors); clock jumps of up to 5 hours.
            let c = config();
            let positions = (0..STAKERS)
                .map(|_| StakePosition {
                    owner: Pubkey::new_unique(),
                    bump: 255,
                    staked: 0,
                    unstaking: 0,
                    unstake_available_at: 0,
                    reward_checkpoint: 0,
                    owed_rewards: 0,
                    total_claimed: 0,
                    reserved: [0; 64],
                })
                .collect();
            Ledger {
                c,
                positions,
                buyback_vault: 0,
                rewards_vault: 0,
                stake_vault: 0,
                usdc_in: 0,
                usdc_claimed: 0,
                usdc_spent: 0,
                settlements: 0,
                now: 0,
            }
        }

        fn apply(&mut self, op: &Op) -> std::result::Result<(), TestCaseError> {
            let now = self.now;
            let fail = |e: anchor_lang::error::Error| TestCaseError::fail(e.to_string());
            match *op {
                Op::Deposit(amount) => {
                    if self.c.paused {
                        return Ok(());
                    }
                    let (b, s) = self.c.add_revenue(amount, now).map_err(fail)?;
                    prop_assert_eq!(u128::from(b) + u128::from(s), u128::from(amount));
                    prop_assert!(b >= s && b - s <= 1);
                    self.buyback_vault += b;
                    self.rewards_vault += s;
                    self.usdc_in += u128::from(amount);
                }
                Op::Transfer(to_rewards, amount) => {
                    if to_rewards {
                        self.rewards_vault += amount;
                    } else {
                        self.buyback_vault += amount;
                    }
                    self.usdc_in += u128::from(amount);
                }
                Op::Sync => {
                    if self.c.paused {
                        return Ok(());
                    }
                    let unsynced = self.unsynced();
                    match self.c.sync(self.buyback_vault, self.rewards_vault, now) {
                        Ok(out) => {
                            prop_assert_eq!(u128::from(out.amount), unsynced);
                            prop_assert_eq!(out.to_buyback + out.to_stakers, out.amount);
                            match out.rebalance {
                                Rebalance::BuybackToRewards(x) => {
                                    self.buyback_vault -= x;
                                    self.rewards_vault += x;
                                }
                                Rebalance::RewardsToBuyback(x) => {
                                    self.rewards_vault -= x;
                                    self.buyback_vault += x;
                                }
                            }
                            prop_assert_eq!(self.buyback_vault, self.c.buyback_bucket);
                            prop_assert_eq!(
                                Some(self.rewards_vault),
                                self.c.rewards_vault_expected().ok()
                            );
                        }
                        Err(e) => {
                            prop_assert!(err_is(&e, TreasuryError::NothingToSync));
                            prop_assert_eq!(unsynced, 0);
                        }
                    }
                }
                Op::Stake(u, amount) => {
                    if self.c.paused {
                        return Ok(());
                    }
                    self.c
                        .stake(&mut self.positions[u], amount, now)
                        .map_err(fail)?;
                    self.stake_vault += amount;
                    self.settlements += 1;
                }
                Op::Unstake(u, fraction) => {
                    let staked = self.positions[u].staked;
                    let amount = (u128::from(staked) * (u128::from(fraction) + 1) / 256).max(1);
                    let amount = u64::try_from(amount).unwrap_or(u64::MAX);
                    match self.c.request_unstake(&mut self.positions[u], amount, now) {
                        Ok(()) => self.settlements += 1,
                        Err(e) => {
                            prop_assert!(err_is(&e, TreasuryError::InsufficientStake));
                            prop_assert_eq!(staked, 0);
                        }
                    }
                    if amount <= staked {
                        prop_assert_eq!(
                            self.positions[u].unstake_available_at,
                            now + i64::from(self.c.unstake_cooldown_secs)
                        );
                    }
                }
                Op::Withdraw(u) => {
                    let p = &self.positions[u];
                    let (unstaking, available_at) = (p.unstaking, p.unstake_available_at);
                    match self.c.withdraw(&mut self.positions[u], now) {
                        Ok(amount) => {
                            prop_assert_eq!(amount, unstaking);
                            prop_assert!(now >= available_at);
                            self.stake_vault -= amount;
                        }
                        Err(e) => prop_assert!(
                            (unstaking == 0 && err_is(&e, TreasuryError::NothingToWithdraw))
                                || (now < available_at
                                    && err_is(&e, TreasuryError::CooldownNotElapsed))
                        ),
                    }
                }
                Op::Claim(u) => match self.c.claim(&mut self.positions[u], now) {
                    Ok(amount) => {
                        self.settlements += 1;
                        // The vault always covers the claim: never a shortfall.
                        prop_assert!(amount <= self.rewards_vault);
                        self.rewards_vault -= amount;
                        self.usdc_claimed += u128::from(amount);
                    }
                    Err(e) => prop_assert!(err_is(&e, TreasuryError::NothingToClaim)),
                },
                Op::Buyback(max, spent_256ths) => {
                    let amount = max.min(self.c.buyback_bucket).min(self.c.max_buyback_usdc);
                    let crank = self.c.active_cranks()[0];
                    // The crank's own USDC (1_000 units) is not the treasury's to spend.
                    let crank_usdc = 1_000;
                    match self.c.begin_buyback(crank, amount, 1, crank_usdc, 0, now) {
                        Ok(()) => {
                            self.buyback_vault -= amount;
                            let swap_spends = amount * u64::from(spent_256ths) / 256;
                            let bought = swap_spends + 1;
                            let burned_before = self.c.total_ashao_burned;
                            // One $ASHAO base unit per USDC base unit: what the swap buys
                            // meets the oracle less 1%.
                            let oracle = OraclePrice {
                                price: 1,
                                exponent: 0,
                                publish_time: now,
                            };
                            let (outcome, _) = self
                                .c
                                .finish_buyback(
                                    crank,
                                    BuybackBalances {
                                        crank_usdc: crank_usdc + amount - swap_spends,
                                        crank_ashao: bought,
                                        usdc_decimals: 0,
                                        ashao_decimals: 0,
                                    },
                                    &oracle,
                                    now,
                                )
                                .map_err(fail)?;
                            prop_assert_eq!(outcome.usdc_spent, swap_spends);
                            prop_assert_eq!(outcome.ashao_received, bought);
                            prop_assert_eq!(self.c.total_ashao_burned, burned_before + bought);
                            self.buyback_vault += outcome.usdc_returned;
                            self.usdc_spent += u128::from(outcome.usdc_spent);
                        }
                        Err(e) => prop_assert!(
                            err_is(&e, TreasuryError::Paused)
                                || err_is(&e, TreasuryError::ZeroAmount)
                                || err_is(&e, TreasuryError::BuybackTooSoon),
                            "{:?}",
                            e
                        ),
                    }
                }
                Op::Advance(dt) => self.now += i64::from(dt),
                Op::SetPeriod(period) => {
                    self.c.accrue(now).map_err(fail)?;
                    self.c.stream_period_secs = period;
                }
                Op::SetPaused(paused) => self.c.paused = paused,
            }
            self.check()
        }

        /// USDC in the vaults beyond what the treasury accounts for (plain transfers not yet
        /// synced).
        fn unsynced(&self) -> u128 {
            let expected = self.c.rewards_vault_expected().unwrap_or(u64::MAX);
            u128::from(self.buyback_vault - self.c.buyback_bucket)
                + u128::from(self.rewards_vault - expected)
        }

        fn check(&self) -> std::result::Result<(), TestCaseError> {
            let c = &self.c;
            prop_assert!(c.invariant().is_ok());
            for p in &self.positions {
                prop_assert!(p.invariant(c.acc_reward_per_share).is_ok());
            }
            // Conservation: every USDC that came in was claimed, spent on buybacks, or is held.
            prop_assert_eq!(
                self.usdc_in,
                self.usdc_claimed
                    + self.usdc_spent
                    + u128::from(self.buyback_vault)
                    + u128::from(self.rewards_vault)
            );
            // Vault coverage (rewards_vault_expected is released − claimed + stream).
            prop_assert!(self.buyback_vault >= c.buyback_bucket);
            let expected = c
                .rewards_vault_expected()
                .map_err(|e| TestCaseError::fail(format!("rewards_vault_expected: {e}")))?;
            prop_assert!(self.rewards_vault >= expected);
            // Everything accounted is revenue; the rest awaits a sync.
            prop_assert_eq!(u128::from(c.total_revenue) + self.unsynced(), self.usdc_in);
            // What positions would be owed if all settled now never exceeds what was released.
            let mut view = c.clone();
            view.accrue(self.now)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut owed: u128 = 0;
            for p in &self.positions {
                let (o, _) = settle(
                    p.staked,
                    p.owed_rewards,
                    p.reward_checkpoint,
                    view.acc_reward_per_share,
                )
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                owed += u128::from(o);
            }
            prop_assert!(
                owed + u128::from(view.stream_remaining) <= u128::from(self.rewards_vault)
            );
            prop_assert!(
                owed <= u128::from(view.total_rewards_released - view.total_rewards_claimed)
            );
            // Stake bookkeeping matches the positions and the stake vault.
            let staked: u64 = self.positions.iter().map(|p| p.staked).sum();
            let unstaking: u64 = self.positions.iter().map(|p| p.unstaking).sum();
            let stakers = self.positions.iter().filter(|p| p.staked > 0).count();
            let claimed: u64 = self.positions.iter().map(|p| p.total_claimed).sum();
            prop_assert_eq!(c.total_staked, staked);
            prop_assert_eq!(c.total_unstaking, unstaking);
            prop_assert_eq!(c.staker_count as usize, stakers);
            prop_assert_eq!(self.stake_vault, staked + unstaking);
            prop_assert_eq!(u128::from(claimed), self.usdc_claimed);
            prop_assert_eq!(u128::from(c.total_rewards_claimed), self.usdc_claimed);
            Ok(())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Conservation and vault coverage through the program's own bookkeeping methods, with
        /// deposits, plain transfers and syncs, stakes, unstakes, withdrawals, claims, buyback
        /// spending, period changes and pauses in any order.
        #[test]
        fn usdc_is_conserved_and_vaults_cover_obligations(
            ops in prop::collection::vec(op(1_000_000_000_000), 1..80),
        ) {
            let mut l = Ledger::new();
            for o in &ops {
                l.apply(o)?;
            }
            // Wind down: unpause, sync, let the stream run out, everyone claims.
            l.apply(&Op::SetPaused(false))?;
            l.apply(&Op::Sync)?;
            l.apply(&Op::Advance(4 * MIN_STREAM_PERIOD_SECS))?;
            for u in 0..STAKERS {
                l.apply(&Op::Claim(u))?;
            }
            if l.c.total_staked > 0 {
                prop_assert_eq!(l.c.stream_remaining, 0);
                // What stays in the rewards vault is floor dust: under one unit per settlement.
                let dust = u128::from(l.rewards_vault);
                let slack = u128::from(l.c.total_staked) / crate::constants::REWARD_PRECISION + 1;
                prop_assert!(dust <= u128::from(l.settlements) + slack, "dust {}", dust);
            }
            prop_assert_eq!(u128::from(l.c.total_revenue), l.usdc_in);
        }
    }
}

#[test]
fn the_largest_queued_change_fits_the_account() {
    let mut c = config();
    c.queued_change = ConfigChange {
        stream_period_secs: Some(1),
        unstake_cooldown_secs: Some(1),
        boost_tiers: Some(vec![BoostTier::default(); MAX_BOOST_TIERS as usize]),
        max_buyback_usdc: Some(1),
        min_buyback_interval_secs: Some(1),
        max_slippage_bps: Some(1),
        swap_program: Some(Pubkey::new_unique()),
        cranks: Some(vec![Pubkey::new_unique(); MAX_CRANKS as usize]),
        price_guard: Some(PriceGuard::PythPull {
            feed_id: [9; 32],
            max_age_secs: 1,
            max_confidence_bps: 1,
        }),
        timelock_secs: Some(1),
    };
    let mut data = Vec::new();
    c.try_serialize(&mut data).unwrap();
    assert!(
        data.len() <= 8 + TreasuryConfig::INIT_SPACE,
        "{} bytes",
        data.len()
    );
}
