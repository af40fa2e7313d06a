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
