use super::*;
use crate::constants::{MAX_UNSTAKE_TICKETS, MIN_TIMELOCK_SECS};

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
        billing_authority_count: 0,
        billing_authorities: [Pubkey::default(); MAX_BILLING_AUTHORITIES as usize],
        queued_change: ConfigChange::default(),
        queued_change_eta: 0,
        last_queued_change: ConfigChangeRecord::default(),
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
        usage_batch_count: 0,
        worker_payment_count: 0,
        total_usage_gross: 0,
        total_paid_to_workers: 0,
        total_boost_paid: 0,
        total_usage_revenue: 0,
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
        billing_authorities: vec![Pubkey::new_unique()],
        price_guard: PriceGuard::PythPull {
            feed_id: [1; 32],
            max_age_secs: 60,
            max_confidence_bps: 100,
        },
        timelock_secs: MIN_TIMELOCK_SECS,
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
                p.timelock_secs = 2 * 86_400;
            },
            TreasuryError::InvalidTimelock,
        ),
        (
            // One second short of the reaction window.
            |p| {
                p.unstake_cooldown_secs = 2 * 86_400;
                p.timelock_secs = 2 * 86_400 + REACTION_WINDOW_SECS - 1;
            },
            TreasuryError::InvalidTimelock,
        ),
        (
            |p| {
                p.unstake_cooldown_secs = MAX_UNSTAKE_COOLDOWN_SECS;
                p.timelock_secs = MAX_TIMELOCK_SECS - 1;
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
    // The reaction window exactly, and the longest cooldown under the longest timelock.
    p.unstake_cooldown_secs = 2 * 86_400;
    p.timelock_secs = 2 * 86_400 + REACTION_WINDOW_SECS;
    p.validate().unwrap();
    p.unstake_cooldown_secs = MAX_UNSTAKE_COOLDOWN_SECS;
    p.timelock_secs = MAX_TIMELOCK_SECS;
    p.validate().unwrap();
    assert_eq!(
        (MIN_TIMELOCK_SECS, MAX_TIMELOCK_SECS),
        (25 * 3_600, 31 * 86_400)
    );
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
        assert_eq!(c.update_now(&change, 10).unwrap(), None);
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
        // Any cooldown change: longer holds stakers longer, shorter weakens the JIT bound.
        ConfigChange {
            unstake_cooldown_secs: Some(10_800),
            ..Default::default()
        },
        ConfigChange {
            unstake_cooldown_secs: Some(MIN_UNSTAKE_COOLDOWN_SECS),
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
        c.unstake_cooldown_secs = 7_200;
        c.timelock_secs = 2 * 86_400;
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
        timelock_secs: Some(MIN_TIMELOCK_SECS),
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
    let (eta, replaced) = c.queue_change(change.clone(), 1_000).unwrap();
    assert_eq!(
        (eta, replaced),
        (1_000 + i64::from(MIN_TIMELOCK_SECS), None)
    );
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
    let dropped = c
        .update_now(
            &ConfigChange {
                max_slippage_bps: Some(50),
                ..Default::default()
            },
            2_000,
        )
        .unwrap();
    assert_eq!(dropped, None);
    assert_eq!(c.apply_queued_change(eta).unwrap(), change);
    assert_eq!(
        c.last_queued_change,
        ConfigChangeRecord {
            outcome: ConfigChangeOutcome::Applied,
            eta,
            unix_timestamp: eta
        }
    );
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
        c.cancel_queued_change(0).unwrap_err(),
        named(TreasuryError::NoQueuedConfigChange)
    );
    let change = ConfigChange {
        max_slippage_bps: Some(500),
        ..Default::default()
    };
    let (eta, _) = c.queue_change(change.clone(), 0).unwrap();
    assert_eq!(
        c.cancel_queued_change(3).unwrap(),
        DroppedChange {
            change: change.clone(),
            eta,
            outcome: ConfigChangeOutcome::Cancelled
        }
    );
    assert_eq!((c.queued_change_eta, c.max_slippage_bps), (0, 100));
    assert_eq!(
        c.last_queued_change,
        ConfigChangeRecord {
            outcome: ConfigChangeOutcome::Cancelled,
            eta,
            unix_timestamp: 3
        }
    );
    let (eta2, _) = c.queue_change(change.clone(), 5).unwrap();
    assert_eq!(eta2, eta + 5);
    let expires_at = eta2 + i64::from(TIMELOCK_GRACE_SECS);
    // The last second of the grace still applies (on a copy); one later is refused.
    c.clone().apply_queued_change(expires_at).unwrap();
    assert_eq!(
        c.apply_queued_change(expires_at + 1).unwrap_err(),
        named(TreasuryError::ConfigChangeExpired)
    );
    // Until it expires a second change waits its turn; once expired, queuing replaces it.
    let other = ConfigChange {
        max_buyback_usdc: Some(2_000_000),
        ..Default::default()
    };
    assert_eq!(
        c.queue_change(other.clone(), expires_at).unwrap_err(),
        named(TreasuryError::ConfigChangeAlreadyQueued)
    );
    let (eta3, replaced) = c.queue_change(other.clone(), expires_at + 1).unwrap();
    assert_eq!(
        replaced,
        Some(DroppedChange {
            change,
            eta: eta2,
            outcome: ConfigChangeOutcome::Expired
        })
    );
    assert_eq!(
        (c.queued_change.clone(), c.queued_change_eta),
        (other, eta3)
    );
    c.invariant().unwrap();
    // Cancelling an expired change records it as expired.
    let expired = c
        .cancel_queued_change(eta3 + i64::from(TIMELOCK_GRACE_SECS) + 1)
        .unwrap();
    assert_eq!(expired.outcome, ConfigChangeOutcome::Expired);
    assert_eq!(c.last_queued_change.outcome, ConfigChangeOutcome::Expired);
}

/// The emergency scenario: cranks A, B, C queued; A's key leaks and the authority removes A at
/// once; at the eta A applies the queued change. The update dropped it, so A stays out.
#[test]
fn an_emergency_update_drops_the_queued_change_it_would_undo() {
    let mut c = config();
    let a = c.active_cranks()[0];
    let (b, cc) = (Pubkey::new_unique(), Pubkey::new_unique());
    let queued = ConfigChange {
        cranks: Some(vec![a, b, cc]),
        max_buyback_usdc: Some(2_000_000),
        ..Default::default()
    };
    let (eta, _) = c.queue_change(queued.clone(), 0).unwrap();
    let dropped = c
        .update_now(
            &ConfigChange {
                cranks: Some(vec![]),
                ..Default::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(
        dropped,
        Some(DroppedChange {
            change: queued,
            eta,
            outcome: ConfigChangeOutcome::Superseded
        })
    );
    assert_eq!(c.queued_change_eta, 0);
    assert_eq!(
        c.last_queued_change,
        ConfigChangeRecord {
            outcome: ConfigChangeOutcome::Superseded,
            eta,
            unix_timestamp: 10
        }
    );
    c.invariant().unwrap();
    assert_eq!(
        c.apply_queued_change(eta).unwrap_err(),
        named(TreasuryError::NoQueuedConfigChange)
    );
    assert!(c.active_cranks().is_empty());

    // The guard variant: a guard change queued, then buybacks switched off.
    let mut c = config();
    let guard = PriceGuard::PythPull {
        feed_id: [1; 32],
        max_age_secs: 30,
        max_confidence_bps: 100,
    };
    let (eta, _) = c
        .queue_change(
            ConfigChange {
                price_guard: Some(guard),
                ..Default::default()
            },
            0,
        )
        .unwrap();
    let dropped = c
        .update_now(
            &ConfigChange {
                price_guard: Some(PriceGuard::None),
                ..Default::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(
        dropped.map(|d| d.outcome),
        Some(ConfigChangeOutcome::Superseded)
    );
    assert_eq!(
        c.apply_queued_change(eta).unwrap_err(),
        named(TreasuryError::NoQueuedConfigChange)
    );
    assert_eq!(c.price_guard, PriceGuard::None);

    // An update naming the field without changing it, or changing only other fields, keeps it.
    let mut c = config();
    let cranks = c.active_cranks().to_vec();
    let (eta, _) = c
        .queue_change(
            ConfigChange {
                max_slippage_bps: Some(500),
                ..Default::default()
            },
            0,
        )
        .unwrap();
    for update in [
        ConfigChange {
            max_slippage_bps: Some(100),
            cranks: Some(vec![]),
            ..Default::default()
        },
        ConfigChange {
            cranks: Some(vec![]),
            max_buyback_usdc: Some(1),
            ..Default::default()
        },
    ] {
        assert_eq!(c.update_now(&update, 10).unwrap(), None);
    }
    assert!(!cranks.is_empty() && c.active_cranks().is_empty());
    c.apply_queued_change(eta).unwrap();
    assert_eq!(c.max_slippage_bps, 500);
}

mod emergency {
    use proptest::prelude::*;

    use super::*;

    /// A value for each parameter a risk-reducing update may move, and a queued change
    /// setting any of them (and others) to anything valid.
    fn queued_change() -> impl Strategy<Value = ConfigChange> {
        (
            prop::option::of(0..4usize),
            prop::option::of(1..=2_000_000u64),
            prop::option::of(60..=600u32),
            prop::option::of(1..=1_000u16),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(MIN_TIMELOCK_SECS..=2 * 86_400u32),
        )
            .prop_map(|(cranks, cap, interval, slippage, swap, guard, timelock)| {
                ConfigChange {
                    cranks: cranks.map(|n| (0..n).map(|_| Pubkey::new_unique()).collect()),
                    max_buyback_usdc: cap,
                    min_buyback_interval_secs: interval,
                    max_slippage_bps: slippage,
                    swap_program: swap.map(|on| {
                        if on {
                            Pubkey::new_unique()
                        } else {
                            Pubkey::default()
                        }
                    }),
                    price_guard: guard.map(|on| {
                        if on {
                            PriceGuard::PythPull {
                                feed_id: [3; 32],
                                max_age_secs: 10,
                                max_confidence_bps: 10,
                            }
                        } else {
                            PriceGuard::None
                        }
                    }),
                    timelock_secs: timelock,
                    ..Default::default()
                }
            })
    }

    /// A risk-reducing update: each field either left alone or moved the safe way.
    fn safe_update() -> impl Strategy<Value = [Option<u8>; 7]> {
        prop::array::uniform7(prop::option::of(any::<u8>()))
    }

    fn update_of(c: &TreasuryConfig, steps: [Option<u8>; 7]) -> ConfigChange {
        let p = c.params();
        let cranks = steps[0].map(|n| {
            p.cranks
                .iter()
                .copied()
                .take(usize::from(n) % (p.cranks.len() + 1))
                .collect()
        });
        ConfigChange {
            cranks,
            max_buyback_usdc: steps[1]
                .map(|d| p.max_buyback_usdc.saturating_sub(u64::from(d)).max(1)),
            min_buyback_interval_secs: steps[2].map(|d| {
                (p.min_buyback_interval_secs + u32::from(d)).min(MAX_BUYBACK_INTERVAL_SECS)
            }),
            max_slippage_bps: steps[3]
                .map(|d| p.max_slippage_bps.saturating_sub(u16::from(d)).max(1)),
            swap_program: steps[4].map(|_| Pubkey::default()),
            price_guard: steps[5].map(|_| PriceGuard::None),
            timelock_secs: steps[6]
                .map(|d| (p.timelock_secs + u32::from(d)).min(MAX_TIMELOCK_SECS)),
            ..Default::default()
        }
    }

    proptest! {
        /// No field an update changed after a change was queued is changed by applying it: the
        /// harness compares each field with what the updates themselves set.
        #[test]
        fn no_queued_change_undoes_a_later_update(
            queued in queued_change(),
            updates in prop::collection::vec(safe_update(), 0..4),
        ) {
            let mut c = config();
            let current = c.params();
            prop_assume!(queued.applied_to(&current).validate().is_ok());
            prop_assume!(queued.applied_to(&current) != current);
            let (eta, _) = c.queue_change(queued, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // The fields the authority moved after the queue, with the value it left them at.
            let mut moved: Vec<(&'static str, TreasuryParams)> = Vec::new();
            for (i, steps) in updates.into_iter().enumerate() {
                let update = update_of(&c, steps);
                let before = c.params();
                c.update_now(&update, i64::try_from(i).unwrap_or(0) + 1)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let after = c.params();
                for (name, changed) in field_changes(&before, &after) {
                    if changed {
                        moved.retain(|(m, _)| *m != name);
                        moved.push((name, after.clone()));
                    }
                }
            }
            match c.apply_queued_change(eta) {
                Ok(_) => {
                    let after = c.params();
                    for (name, set) in &moved {
                        prop_assert_eq!(field(&after, name), field(set, name), "{} undone", name);
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e, named(TreasuryError::NoQueuedConfigChange));
                    prop_assert!(!moved.is_empty());
                    prop_assert_eq!(c.last_queued_change.outcome, ConfigChangeOutcome::Superseded);
                }
            }
        }
    }

    /// Each field's value, as text, by name.
    fn field(p: &TreasuryParams, name: &str) -> String {
        match name {
            "cranks" => format!("{:?}", p.cranks),
            "max_buyback_usdc" => p.max_buyback_usdc.to_string(),
            "min_buyback_interval_secs" => p.min_buyback_interval_secs.to_string(),
            "max_slippage_bps" => p.max_slippage_bps.to_string(),
            "swap_program" => p.swap_program.to_string(),
            "price_guard" => format!("{:?}", p.price_guard),
            "timelock_secs" => p.timelock_secs.to_string(),
            _ => String::new(),
        }
    }

    fn field_changes(a: &TreasuryParams, b: &TreasuryParams) -> Vec<(&'static str, bool)> {
        [
            "cranks",
            "max_buyback_usdc",
            "min_buyback_interval_secs",
            "max_slippage_bps",
            "swap_program",
            "price_guard",
            "timelock_secs",
        ]
        .into_iter()
        .map(|name| (name, field(a, name) != field(b, name)))
        .collect()
    }
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
    assert_eq!(eta, 100 + i64::from(MIN_TIMELOCK_SECS));
    c.invariant().unwrap();
    assert_eq!(
        c.accept_authority(Pubkey::new_unique(), eta).unwrap_err(),
        named(TreasuryError::NotPendingAuthority)
    );
    assert_eq!(
        c.accept_authority(next, eta - 1).unwrap_err(),
        named(TreasuryError::TimelockNotElapsed)
    );
    // Past the grace period the proposal is stale (checked on a copy).
    let expires_at = eta + i64::from(TIMELOCK_GRACE_SECS);
    assert_eq!(
        c.clone()
            .accept_authority(next, expires_at + 1)
            .unwrap_err(),
        named(TreasuryError::AuthorityProposalExpired)
    );
    c.clone().accept_authority(next, expires_at).unwrap();
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
        conf: 0,
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
    let mut uncertain = c.clone();
    let (outcome, min_out) = c.finish_buyback(crank, balances(495), &oracle, 0).unwrap();
    assert_eq!(
        (outcome.usdc_spent, outcome.ashao_received, min_out),
        (1_000, 495, 495)
    );
    // $2.00 ± 0.02: the floor is priced at $1.98, so 1_000 units must buy 500 (not 495).
    let wide = OraclePrice {
        price: 200,
        conf: 2,
        exponent: -2,
        publish_time: 0,
    };
    assert_eq!(
        uncertain
            .clone()
            .finish_buyback(crank, balances(499), &wide, 0)
            .unwrap_err(),
        named(TreasuryError::PriceBelowOracle)
    );
    let (_, min_out) = uncertain
        .finish_buyback(crank, balances(500), &wide, 0)
        .unwrap();
    assert_eq!(min_out, 500);
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
        /// A new unstake cooldown (as a queued change would set it), shorter or longer.
        SetCooldown(u32),
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
            1 => (MIN_UNSTAKE_COOLDOWN_SECS..6 * MIN_UNSTAKE_COOLDOWN_SECS).prop_map(Op::SetCooldown),
            1 => any::<bool>().prop_map(Op::SetPaused),
        ]
    }

    /// The treasury's state plus the token balances the handlers move, driven through the same
    /// `TreasuryConfig` methods the handlers call.
    struct Ledger {
        c: TreasuryConfig,
        positions: Vec<StakePosition>,
        /// Each staker's unstake requests as the test sees them: (amount, matures at).
        requests: Vec<Vec<(u64, i64)>>,
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
            // A one-hour stream and cooldown (the floors); clock jumps of up to 5 hours. The
            // timelock leaves room for the cooldowns `SetCooldown` sets.
            let mut c = config();
            c.timelock_secs = 2 * 86_400;
            let positions = (0..STAKERS)
                .map(|_| StakePosition {
                    owner: Pubkey::new_unique(),
                    bump: 255,
                    staked: 0,
                    unstaking: 0,
                    reward_checkpoint: 0,
                    owed_rewards: 0,
                    total_claimed: 0,
                    unstake_tickets: Default::default(),
                    boost_warmup_amount: 0,
                    boost_warmup_ends_at: 0,
                    reserved: [0; 48],
                })
                .collect();
            Ledger {
                c,
                positions,
                requests: vec![Vec::new(); STAKERS],
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
                    let matures = now + i64::from(self.c.unstake_cooldown_secs);
                    let requests = &mut self.requests[u];
                    // A request maturing with the newest one joins it; else it needs a slot.
                    let joins = requests.last().is_some_and(|r| r.1 == matures);
                    let full = !joins && requests.len() == usize::from(MAX_UNSTAKE_TICKETS);
                    match self.c.request_unstake(&mut self.positions[u], amount, now) {
                        Ok(available_at) => {
                            prop_assert_eq!(available_at, matures);
                            prop_assert!(!full);
                            self.settlements += 1;
                            match requests.last_mut() {
                                Some(last) if joins => last.0 += amount,
                                _ => requests.push((amount, matures)),
                            }
                        }
                        Err(e) => prop_assert!(
                            (staked == 0 && err_is(&e, TreasuryError::InsufficientStake))
                                || (full && err_is(&e, TreasuryError::UnstakeTicketsFull)),
                            "{:?}",
                            e
                        ),
                    }
                    let tickets: Vec<(u64, i64)> = self.positions[u]
                        .active_tickets()
                        .iter()
                        .map(|t| (t.amount, t.available_at))
                        .collect();
                    prop_assert_eq!(&tickets, &self.requests[u]);
                }
                Op::Withdraw(u) => {
                    // Every request matured by now, whatever was requested after it.
                    let matured: u64 = self.requests[u]
                        .iter()
                        .filter(|r| r.1 <= now)
                        .map(|r| r.0)
                        .sum();
                    let unstaking = self.positions[u].unstaking;
                    match self.c.withdraw(&mut self.positions[u], now) {
                        Ok(amount) => {
                            prop_assert_eq!(amount, matured);
                            self.requests[u].retain(|r| r.1 > now);
                            self.stake_vault -= amount;
                        }
                        Err(e) => prop_assert!(
                            (unstaking == 0 && err_is(&e, TreasuryError::NothingToWithdraw))
                                || (unstaking > 0
                                    && matured == 0
                                    && err_is(&e, TreasuryError::CooldownNotElapsed))
                        ),
                    }
                    let left: u64 = self.requests[u].iter().map(|r| r.0).sum();
                    prop_assert_eq!(self.positions[u].unstaking, left);
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
                                conf: 0,
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
                Op::SetCooldown(cooldown) => self.c.unstake_cooldown_secs = cooldown,
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
        billing_authorities: Some(vec![Pubkey::new_unique(); MAX_BILLING_AUTHORITIES as usize]),
    };
    let mut data = Vec::new();
    c.try_serialize(&mut data).unwrap();
    assert!(
        data.len() <= 8 + TreasuryConfig::INIT_SPACE,
        "{} bytes",
        data.len()
    );
}

/// A config whose books are consistent: 100 of revenue, 50/50; 20 spent on buybacks; 20 of the
/// stakers' 50 released and 10 claimed; one staker.
fn booked() -> TreasuryConfig {
    let mut c = config();
    c.total_revenue = 100;
    c.total_to_buyback = 50;
    c.total_to_stakers = 50;
    c.buyback_bucket = 30;
    c.total_buyback_usdc_spent = 20;
    c.total_rewards_released = 20;
    c.stream_remaining = 30;
    c.total_rewards_claimed = 10;
    c.total_staked = 5;
    c.staker_count = 1;
    c
}

#[test]
fn the_invariant_sees_each_broken_relation() {
    booked().invariant().unwrap();
    type Break = (&'static str, fn(&mut TreasuryConfig));
    let broken: [Break; 14] = [
        ("parameters out of bounds", |c| c.max_slippage_bps = 10_001),
        ("the same mint twice", |c| c.ashao_mint = c.usdc_mint),
        ("split not adding up to revenue", |c| c.total_revenue += 1),
        ("stakers' half larger than the buyback's", |c| {
            c.total_to_buyback = 49;
            c.total_to_stakers = 51;
            c.stream_remaining = 31;
            c.buyback_bucket = 29;
        }),
        ("bucket + spent != to buyback", |c| c.buyback_bucket += 1),
        ("claimed more than released", |c| {
            c.total_rewards_claimed = 21;
        }),
        ("released + streaming != to stakers", |c| {
            c.stream_remaining += 1;
        }),
        ("stake with no staker", |c| c.staker_count = 0),
        ("a staker with no stake", |c| c.total_staked = 0),
        ("more tiers than slots", |c| {
            c.boost_tier_count = MAX_BOOST_TIERS + 1;
        }),
        ("more cranks than slots", |c| c.crank_count = MAX_CRANKS + 1),
        ("a pending authority without an eta", |c| {
            c.pending_authority = Pubkey::new_unique();
        }),
        ("a queued change without an eta", |c| {
            c.queued_change.max_slippage_bps = Some(50);
        }),
        ("a record of a change that never left the queue", |c| {
            c.last_queued_change.eta = 1;
        }),
    ];
    for (what, breaks) in broken {
        let mut c = booked();
        breaks(&mut c);
        assert!(c.invariant().is_err(), "not seen: {what}");
    }
    // The unbroken forms of the last three.
    let mut c = booked();
    c.pending_authority = Pubkey::new_unique();
    c.pending_authority_eta = 1;
    c.queued_change.max_slippage_bps = Some(50);
    c.queued_change_eta = 1;
    c.last_queued_change = ConfigChangeRecord {
        outcome: ConfigChangeOutcome::Cancelled,
        eta: 1,
        unix_timestamp: 1,
    };
    c.invariant().unwrap();
}

#[test]
fn a_queued_change_overlaps_exactly_the_moves_of_the_fields_it_sets() {
    let before = config().params();
    // Each field: a change setting only it, and the parameters with only it moved.
    type Field = (ConfigChange, fn(&mut TreasuryParams));
    let guard = PriceGuard::PythPull {
        feed_id: [2; 32],
        max_age_secs: 30,
        max_confidence_bps: 50,
    };
    let fields: [Field; 11] = [
        (
            ConfigChange {
                stream_period_secs: Some(1),
                ..ConfigChange::default()
            },
            |p| p.stream_period_secs += 1,
        ),
        (
            ConfigChange {
                unstake_cooldown_secs: Some(1),
                ..ConfigChange::default()
            },
            |p| p.unstake_cooldown_secs += 1,
        ),
        (
            ConfigChange {
                boost_tiers: Some(Vec::new()),
                ..ConfigChange::default()
            },
            |p| p.boost_tiers.clear(),
        ),
        (
            ConfigChange {
                max_buyback_usdc: Some(1),
                ..ConfigChange::default()
            },
            |p| p.max_buyback_usdc += 1,
        ),
        (
            ConfigChange {
                min_buyback_interval_secs: Some(1),
                ..ConfigChange::default()
            },
            |p| p.min_buyback_interval_secs += 1,
        ),
        (
            ConfigChange {
                max_slippage_bps: Some(1),
                ..ConfigChange::default()
            },
            |p| p.max_slippage_bps += 1,
        ),
        (
            ConfigChange {
                swap_program: Some(Pubkey::default()),
                ..ConfigChange::default()
            },
            |p| p.swap_program = Pubkey::default(),
        ),
        (
            ConfigChange {
                cranks: Some(Vec::new()),
                ..ConfigChange::default()
            },
            |p| p.cranks.clear(),
        ),
        (
            ConfigChange {
                price_guard: Some(guard),
                ..ConfigChange::default()
            },
            |p| p.price_guard = PriceGuard::None,
        ),
        (
            ConfigChange {
                timelock_secs: Some(1),
                ..ConfigChange::default()
            },
            |p| p.timelock_secs += 1,
        ),
        (
            ConfigChange {
                billing_authorities: Some(Vec::new()),
                ..ConfigChange::default()
            },
            |p| p.billing_authorities.clear(),
        ),
    ];
    for (i, (change, _)) in fields.iter().enumerate() {
        for (j, (_, moves)) in fields.iter().enumerate() {
            let mut after = before.clone();
            moves(&mut after);
            assert_eq!(
                change.overlaps(&before, &after),
                i == j,
                "change {i}, move {j}"
            );
        }
        assert!(
            !change.overlaps(&before, &before),
            "change {i}, nothing moved"
        );
    }
}

#[test]
fn a_billing_authority_is_added_through_the_timelock_and_removed_at_once() {
    let mut c = config();
    let billing = c.active_billing_authorities()[0];
    let newcomer = Pubkey::new_unique();
    let add = ConfigChange {
        billing_authorities: Some(vec![billing, newcomer]),
        ..Default::default()
    };
    assert_eq!(
        c.update_now(&add, 10).unwrap_err(),
        named(TreasuryError::ChangeNeedsTimelock)
    );
    assert!(!c.is_billing_authority(&newcomer));
    let (eta, _) = c.queue_change(add, 20).unwrap();
    c.apply_queued_change(eta).unwrap();
    assert!(c.is_billing_authority(&newcomer) && c.is_billing_authority(&billing));
    let remove = ConfigChange {
        billing_authorities: Some(vec![newcomer]),
        ..Default::default()
    };
    assert_eq!(c.update_now(&remove, eta + 1).unwrap(), None);
    assert!(!c.is_billing_authority(&billing));
    c.invariant().unwrap();
    // At most four, no duplicate, never the default key.
    for (list, error) in [
        (
            vec![Pubkey::new_unique(); 5],
            TreasuryError::TooManyBillingAuthorities,
        ),
        (
            vec![newcomer, newcomer],
            TreasuryError::InvalidBillingAuthority,
        ),
        (
            vec![Pubkey::default()],
            TreasuryError::InvalidBillingAuthority,
        ),
    ] {
        let params = TreasuryParams {
            billing_authorities: list,
            ..c.params()
        };
        assert_eq!(params.validate().unwrap_err(), named(error));
    }
}
