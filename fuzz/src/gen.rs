//! Generating steps: every instruction in its valid and invalid forms, weighted so that long
//! runs keep money moving (deposits, stakes, buybacks) between the attacks, with clock jumps
//! from one second to months.

use ashao_treasury::constants::{
    MAX_BUYBACK_INTERVAL_SECS, MAX_BUYBACK_USDC, MAX_ORACLE_AGE_SECS, MAX_ORACLE_CLOCK_SKEW_SECS,
    MAX_ORACLE_CONFIDENCE_BPS, MAX_SLIPPAGE_BPS, MAX_STREAM_PERIOD_SECS, MAX_TIMELOCK_SECS,
    MAX_UNSTAKE_COOLDOWN_SECS, MIN_BUYBACK_INTERVAL_SECS, MIN_STREAM_PERIOD_SECS,
    MIN_TIMELOCK_SECS, MIN_UNSTAKE_COOLDOWN_SECS, REACTION_WINDOW_SECS, TIMELOCK_GRACE_SECS,
};
use ashao_treasury::oracle::PriceGuard;

use crate::ops::{
    AgeCase, Amount, BatchCase, Change, ConfCase, Defect, Feed, Guard, MinOut, Op, Oracle,
    PriceCase, SettleDefect, Shape, Sub, SwapTarget,
};
use crate::rng::Rng;
use crate::world::{Actor, Vault, World};

const DAY: u64 = 86_400;

fn staker(rng: &mut Rng) -> Actor {
    rng.weighted(&[
        (3, Actor::Whale),
        (2, Actor::Small),
        (3, Actor::Alice),
        (3, Actor::Bob),
        (2, Actor::Attacker),
    ])
}

fn other_than(rng: &mut Rng, who: Actor, among: &[Actor]) -> Actor {
    let others: Vec<Actor> = among.iter().copied().filter(|a| *a != who).collect();
    rng.pick(&others)
}

/// A batch of usage: mostly the billing service's, workers stakers and others, each once.
fn settle_usage(rng: &mut Rng) -> Op {
    let who = rng.weighted(&[
        (8, Actor::Billing),
        (1, Actor::Stranger),
        (1, Actor::Attacker),
    ]);
    let count = rng.weighted(&[(1, 0usize), (4, 1), (4, 3), (2, 9)]);
    let mut pool = Actor::ALL.to_vec();
    let mut workers = Vec::with_capacity(count);
    for _ in 0..count {
        let worker = pool.remove(rng.below(pool.len() as u64) as usize);
        workers.push((worker, rng.magnitude(9)));
    }
    let some = rng.magnitude(9);
    let extra = rng.weighted(&[(3, 0), (4, some), (1, 1)]);
    let ahead = rng.range(2, 9_000);
    let other = staker(rng);
    let batch = rng.weighted(&[
        (12, BatchCase::Next),
        (1, BatchCase::Ahead(ahead)),
        (2, BatchCase::Replay),
        (1, BatchCase::TooOld),
        (1, BatchCase::TooFarAhead),
    ]);
    let defect = rng.weighted(&[
        (12, SettleDefect::None),
        (1, SettleDefect::BasesOverGross),
        (1, SettleDefect::Duplicate),
        (1, SettleDefect::WrongMint),
        (1, SettleDefect::PositionOf(other)),
        (1, SettleDefect::TreasuryVault),
    ]);
    Op::SettleUsage {
        who,
        batch,
        workers,
        extra,
        defect,
    }
}

fn amount(rng: &mut Rng) -> Amount {
    let per_mille = rng.range(1, 1_000) as u16;
    let exact = rng.magnitude(18);
    rng.weighted(&[
        (10, Amount::PerMille(per_mille)),
        (3, Amount::All),
        (1, Amount::One),
        (1, Amount::Zero),
        (1, Amount::Max),
        (1, Amount::OverBalance),
        (1, Amount::Exact(exact)),
    ])
}

fn warp(rng: &mut Rng, world: &World) -> u64 {
    let params = world.treasury().map(|c| {
        (
            u64::from(c.unstake_cooldown_secs),
            u64::from(c.timelock_secs),
            u64::from(c.min_buyback_interval_secs),
        )
    });
    let (cooldown, timelock, interval) = params.unwrap_or((3_600, DAY + 3_600, 60));
    // To the queued change's eta (when one waits), so queued changes do get applied.
    let to_eta = world
        .treasury()
        .filter(|c| c.queued_change_eta > world.now)
        .map_or(1, |c| (c.queued_change_eta - world.now) as u64);
    let seconds = rng.range(1, 120);
    let hours = rng.range(60, 6 * 3_600);
    let days = rng.range(DAY, 14 * DAY);
    let months = rng.range(30 * DAY, 180 * DAY);
    rng.weighted(&[
        (6, seconds),
        (4, hours),
        (2, days),
        (1, months),
        (1, 1),
        (1, interval),
        (1, cooldown.saturating_sub(1).max(1)),
        (1, cooldown),
        (1, timelock),
        (2, to_eta),
        // The reaction window: a request made this long after a queue matures at its eta.
        (1, timelock.saturating_sub(cooldown).max(1)),
        (1, timelock + u64::from(TIMELOCK_GRACE_SECS)),
        (1, timelock + u64::from(TIMELOCK_GRACE_SECS) + 1),
    ])
}

/// A step, given the chain as it is now.
pub fn step(rng: &mut Rng, world: &World) -> Op {
    // Pauses stay short: most of a run happens unpaused, where most instructions work.
    if world.treasury().is_some_and(|c| c.paused) && rng.chance(1, 4) {
        return Op::SetPaused {
            who: admin(rng, world),
            paused: false,
        };
    }
    let kind = rng.weighted(&[
        (12, "warp"),
        (14, "stake"),
        (8, "request_unstake"),
        (7, "withdraw"),
        (7, "claim"),
        (3, "close_position"),
        (12, "deposit_revenue"),
        (8, "settle_usage"),
        (4, "plain_transfer"),
        (4, "sync_revenue"),
        (3, "update_config"),
        (3, "queue_config_change"),
        (3, "apply_config_change"),
        (1, "cancel_config_change"),
        (1, "propose_authority"),
        (2, "accept_authority"),
        (2, "set_paused"),
        (12, "buyback"),
        (3, "market_swap"),
        (1, "initialize"),
    ]);
    match kind {
        "warp" => Op::Warp(warp(rng, world)),
        "stake" => {
            let who = staker(rng);
            let sub = if rng.chance(1, 6) {
                let other = other_than(rng, who, &Actor::STAKERS);
                rng.pick(&[
                    Sub::PositionOf(other),
                    Sub::TokenAccountOf(other),
                    Sub::TreasuryVault(Vault::Stake),
                    Sub::AttackerVault,
                    Sub::WrongMint,
                    Sub::WrongTokenProgram,
                    Sub::NotATokenProgram,
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            Op::Stake {
                who,
                amount: amount(rng),
                sub,
            }
        }
        "request_unstake" => {
            let who = staker(rng);
            let sub = if rng.chance(1, 6) {
                let other = other_than(rng, who, &Actor::STAKERS);
                rng.pick(&[
                    Sub::PositionOf(other),
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            Op::RequestUnstake {
                who,
                amount: amount(rng),
                sub,
            }
        }
        "withdraw" => {
            let who = staker(rng);
            let sub = if rng.chance(1, 5) {
                let other = other_than(rng, who, &Actor::ALL);
                rng.pick(&[
                    Sub::PositionOf(other),
                    Sub::TokenAccountOf(other),
                    Sub::TreasuryVault(Vault::Stake),
                    Sub::AttackerVault,
                    Sub::WrongMint,
                    Sub::WrongTokenProgram,
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            Op::Withdraw { who, sub }
        }
        "claim" => {
            let who = staker(rng);
            let sub = if rng.chance(1, 5) {
                let other = other_than(rng, who, &Actor::ALL);
                rng.pick(&[
                    Sub::PositionOf(other),
                    Sub::TokenAccountOf(other),
                    Sub::TreasuryVault(Vault::Rewards),
                    Sub::TreasuryVault(Vault::Buyback),
                    Sub::SwapVaults,
                    Sub::AttackerVault,
                    Sub::WrongMint,
                    Sub::WrongTokenProgram,
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            Op::Claim { who, sub }
        }
        "close_position" => {
            let who = staker(rng);
            let sub = if rng.chance(1, 5) {
                let other = other_than(rng, who, &Actor::STAKERS);
                rng.pick(&[
                    Sub::PositionOf(other),
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            Op::ClosePosition { who, sub }
        }
        "deposit_revenue" => {
            let who = rng.weighted(&[
                (6, Actor::Stranger),
                (1, Actor::Attacker),
                (1, Actor::Whale),
            ]);
            let sub = if rng.chance(1, 6) {
                let other = other_than(rng, who, &[Actor::Stranger, Actor::Lp, Actor::Attacker]);
                rng.pick(&[
                    Sub::TokenAccountOf(other),
                    Sub::TreasuryVault(Vault::Buyback),
                    Sub::SwapVaults,
                    Sub::AttackerVault,
                    Sub::WrongMint,
                    Sub::WrongTokenProgram,
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            let exact = rng.magnitude(10);
            let per_mille = rng.range(1, 10) as u16;
            let amount = rng.weighted(&[
                (8, Amount::Exact(exact)),
                (2, Amount::PerMille(per_mille)),
                (1, Amount::One),
                (1, Amount::Zero),
                (1, Amount::Max),
                (1, Amount::OverBalance),
                (1, Amount::All),
            ]);
            Op::DepositRevenue { who, amount, sub }
        }
        "settle_usage" => settle_usage(rng),
        "plain_transfer" => {
            let to = rng.weighted(&[(3, Vault::Buyback), (3, Vault::Rewards), (1, Vault::Stake)]);
            let who = if to == Vault::Stake {
                Actor::Attacker
            } else {
                rng.pick(&[Actor::Stranger, Actor::Attacker])
            };
            let exact = rng.magnitude(10);
            let amount = rng.weighted(&[
                (6, Amount::Exact(exact)),
                (1, Amount::One),
                (1, Amount::Zero),
            ]);
            Op::PlainTransfer { who, to, amount }
        }
        "sync_revenue" => {
            let who = rng.pick(&[Actor::Stranger, Actor::Attacker, Actor::Crank]);
            let sub = if rng.chance(1, 5) {
                rng.pick(&[
                    Sub::SwapVaults,
                    Sub::AttackerVault,
                    Sub::WrongMint,
                    Sub::WrongTokenProgram,
                    Sub::ForeignConfig,
                    Sub::ForgedConfig,
                ])
            } else {
                Sub::None
            };
            Op::SyncRevenue { who, sub }
        }
        "update_config" => Op::UpdateConfig {
            who: admin(rng, world),
            // Half the time while a change is queued, an emergency on a field it sets.
            change: emergency(rng, world)
                .filter(|_| rng.chance(1, 2))
                .unwrap_or_else(|| change(rng, world)),
        },
        "queue_config_change" => Op::QueueConfigChange {
            who: admin(rng, world),
            change: change(rng, world),
        },
        "apply_config_change" => Op::ApplyConfigChange {
            who: rng.pick(&[
                Actor::Stranger,
                Actor::Attacker,
                Actor::Authority,
                Actor::Bob,
            ]),
        },
        "cancel_config_change" => Op::CancelConfigChange {
            who: admin(rng, world),
        },
        "propose_authority" => Op::ProposeAuthority {
            who: admin(rng, world),
            to: rng.weighted(&[
                (4, Some(Actor::NewAuthority)),
                (1, Some(Actor::Authority)),
                (1, Some(Actor::Attacker)),
                (2, None),
            ]),
        },
        "accept_authority" => Op::AcceptAuthority {
            who: rng.pick(&[Actor::NewAuthority, Actor::Attacker, Actor::Authority]),
        },
        "set_paused" => Op::SetPaused {
            who: admin(rng, world),
            paused: rng.chance(3, 4),
        },
        "buyback" => buyback(rng),
        "market_swap" => Op::MarketSwap {
            usdc_in: rng.chance(1, 2),
            amount: Amount::PerMille(rng.range(1, 50) as u16),
        },
        _ => Op::Initialize {
            who: rng.pick(&[Actor::Authority, Actor::Stranger, Actor::Attacker]),
        },
    }
}

/// The current authority most of the time, else someone who is not.
fn admin(rng: &mut Rng, world: &World) -> Actor {
    let current = world
        .treasury()
        .and_then(|c| world.actor_of(&c.authority))
        .unwrap_or(Actor::Authority);
    if rng.chance(4, 5) {
        current
    } else {
        rng.pick(&[
            Actor::Stranger,
            Actor::Attacker,
            Actor::Crank,
            Actor::NewAuthority,
        ])
    }
}

fn buyback(rng: &mut Rng) -> Op {
    let premium = rng.range(0, 500) as u16;
    let discount = rng.range(1, 5_000) as u16;
    let stale = rng.range(1, 100_000) as u32;
    // Published ahead of the chain's clock: within the allowed skew, at it, or beyond.
    let skew = u64::from(MAX_ORACLE_CLOCK_SKEW_SECS);
    let future_within = rng.range(1, skew) as u32;
    let future_beyond = rng.range(skew + 1, 3_600) as u32;
    let future = rng.pick(&[future_within, skew as u32, skew as u32 + 1, future_beyond]);
    let partial = rng.range(1, 999) as u16;
    let per_mille = rng.range(1, 1_000) as u16;
    let price = rng.weighted(&[
        (12, PriceCase::Above(premium)),
        (3, PriceCase::AtBoundary),
        (2, PriceCase::JustBelow),
        (1, PriceCase::Below(discount)),
        (1, PriceCase::Zero),
        (1, PriceCase::Negative),
    ]);
    let oracle = Oracle {
        price,
        exponent: rng.weighted(&[
            (12, -8),
            (2, -6),
            (1, -12),
            (1, -18),
            (1, 0),
            (1, 2),
            (1, -19),
            (1, 19),
        ]),
        age: rng.weighted(&[
            (14, AgeCase::Fresh),
            (1, AgeCase::AtLimit),
            (1, AgeCase::Stale(stale)),
            (1, AgeCase::Future(future)),
        ]),
        conf: rng.weighted(&[
            (12, ConfCase::Zero),
            (2, ConfCase::AtLimit),
            (1, ConfCase::OverLimit),
        ]),
        defect: rng.weighted(&[
            (24, Defect::None),
            (1, Defect::WrongFeed),
            (1, Defect::Partial),
            (1, Defect::WrongOwner),
            (1, Defect::Garbage),
        ]),
    };
    let shape = rng.weighted(&[
        (20, Shape::Normal),
        (3, Shape::PartialSwap(partial)),
        (1, Shape::NoFinish),
        (1, Shape::NoSwap),
        (1, Shape::SwapToAttacker),
        (1, Shape::TransferBetween),
        (2, Shape::AllowedBetween),
        (1, Shape::Overspend),
        (1, Shape::FinishOnly),
        (1, Shape::DoubleBegin),
    ]);
    let sub = if rng.chance(1, 10) {
        rng.pick(&[
            Sub::TokenAccountOf(Actor::Stranger),
            Sub::SwapVaults,
            Sub::AttackerVault,
            Sub::WrongMint,
            Sub::WrongTokenProgram,
            Sub::ForeignConfig,
            Sub::ForgedConfig,
        ])
    } else {
        Sub::None
    };
    Op::Buyback {
        who: rng.weighted(&[
            (12, Actor::Crank),
            (1, Actor::Attacker),
            (1, Actor::Stranger),
        ]),
        amount: rng.weighted(&[
            (10, Amount::PerMille(per_mille)),
            (3, Amount::All),
            (1, Amount::One),
            (1, Amount::Zero),
            (1, Amount::OverBalance),
            (1, Amount::Max),
        ]),
        min_out: rng.weighted(&[
            (12, MinOut::Quote),
            (1, MinOut::AboveQuote),
            (2, MinOut::One),
            (1, MinOut::Zero),
        ]),
        oracle,
        shape,
        sub,
    }
}

/// A change: one to three fields, each moved in the safe direction, the risky one, or out of
/// bounds; now and then the largest change there is (every field, eight tiers, eight cranks).
pub fn change(rng: &mut Rng, world: &World) -> Change {
    let Some(config) = world.treasury() else {
        return Change::default();
    };
    let p = config.params();
    if rng.chance(1, 25) {
        return largest_change(rng);
    }
    let mut c = Change::default();
    let fields = rng.range(1, 3);
    for _ in 0..fields {
        match rng.below(10) {
            0 => {
                c.stream_period_secs = Some(
                    rng.pick(&[
                        MIN_STREAM_PERIOD_SECS - 1,
                        MIN_STREAM_PERIOD_SECS,
                        p.stream_period_secs,
                        p.stream_period_secs
                            .saturating_mul(2)
                            .min(MAX_STREAM_PERIOD_SECS),
                        MAX_STREAM_PERIOD_SECS,
                        MAX_STREAM_PERIOD_SECS + 1,
                    ]),
                )
            }
            1 => {
                c.unstake_cooldown_secs = Some(rng.pick(&[
                    MIN_UNSTAKE_COOLDOWN_SECS - 1,
                    MIN_UNSTAKE_COOLDOWN_SECS,
                    (p.unstake_cooldown_secs / 2).max(MIN_UNSTAKE_COOLDOWN_SECS),
                    p.unstake_cooldown_secs.saturating_add(3_600),
                    // The longest the timelock allows (a whole reaction window left), one more.
                    p.timelock_secs.saturating_sub(REACTION_WINDOW_SECS),
                    p.timelock_secs.saturating_sub(REACTION_WINDOW_SECS) + 1,
                    MAX_UNSTAKE_COOLDOWN_SECS,
                    MAX_UNSTAKE_COOLDOWN_SECS + 1,
                ]))
            }
            2 => {
                c.boost_tiers = Some(match rng.below(5) {
                    0 => Vec::new(),
                    1 => vec![(1, 100), (1_000, 200)],
                    2 => vec![(1_000, 200), (1, 100)],
                    3 => vec![(5, 10_001)],
                    _ => (1..=9u64).map(|i| (i, i as u16)).collect(),
                })
            }
            3 => {
                c.max_buyback_usdc = Some(rng.pick(&[
                    0,
                    1,
                    p.max_buyback_usdc / 2,
                    p.max_buyback_usdc.saturating_mul(2).min(MAX_BUYBACK_USDC),
                    MAX_BUYBACK_USDC,
                    MAX_BUYBACK_USDC + 1,
                ]))
            }
            4 => {
                c.min_buyback_interval_secs = Some(rng.pick(&[
                    MIN_BUYBACK_INTERVAL_SECS - 1,
                    MIN_BUYBACK_INTERVAL_SECS,
                    (p.min_buyback_interval_secs / 2).max(MIN_BUYBACK_INTERVAL_SECS),
                    p.min_buyback_interval_secs.saturating_mul(2),
                    MAX_BUYBACK_INTERVAL_SECS,
                    MAX_BUYBACK_INTERVAL_SECS + 1,
                ]))
            }
            5 => {
                c.max_slippage_bps = Some(rng.pick(&[
                    0,
                    1,
                    p.max_slippage_bps.saturating_sub(1).max(1),
                    p.max_slippage_bps.saturating_add(1).min(MAX_SLIPPAGE_BPS),
                    MAX_SLIPPAGE_BPS,
                    MAX_SLIPPAGE_BPS + 1,
                ]))
            }
            6 => {
                c.swap_program = Some(rng.weighted(&[
                    (4, SwapTarget::TestAmm),
                    (2, SwapTarget::Default),
                    (1, SwapTarget::TokenProgram),
                    (1, SwapTarget::Treasury),
                ]))
            }
            7 => {
                c.cranks = Some(rng.pick(&[
                    vec![Actor::Crank],
                    vec![],
                    vec![Actor::Crank, Actor::Attacker],
                    vec![Actor::Attacker],
                    vec![Actor::Crank, Actor::Crank],
                    Actor::ALL.to_vec(),
                ]))
            }
            8 => {
                let max_age_secs = rng.range(1, u64::from(MAX_ORACLE_AGE_SECS)) as u32;
                let max_confidence_bps = rng.range(1, u64::from(MAX_ORACLE_CONFIDENCE_BPS)) as u16;
                let bad_age = rng.pick(&[0, MAX_ORACLE_AGE_SECS + 1]);
                let bad_confidence = rng.pick(&[0, MAX_ORACLE_CONFIDENCE_BPS + 1]);
                let pyth = |feed, max_age_secs, max_confidence_bps| Guard::Pyth {
                    feed,
                    max_age_secs,
                    max_confidence_bps,
                };
                c.price_guard = Some(rng.weighted(&[
                    (2, Guard::None),
                    (4, pyth(Feed::Ashao, max_age_secs, max_confidence_bps)),
                    (1, pyth(Feed::Other, 60, 100)),
                    (1, pyth(Feed::Zero, 60, 100)),
                    (1, pyth(Feed::Ashao, bad_age, bad_confidence)),
                ]))
            }
            _ => {
                c.timelock_secs = Some(rng.pick(&[
                    MIN_TIMELOCK_SECS - 1,
                    MIN_TIMELOCK_SECS,
                    p.unstake_cooldown_secs + REACTION_WINDOW_SECS - 1,
                    p.unstake_cooldown_secs + REACTION_WINDOW_SECS,
                    p.timelock_secs.saturating_sub(1),
                    p.timelock_secs.saturating_add(1).min(MAX_TIMELOCK_SECS),
                    MAX_TIMELOCK_SECS,
                    MAX_TIMELOCK_SECS + 1,
                ]))
            }
        }
    }
    if matches!(p.price_guard, PriceGuard::None) && c.price_guard.is_none() && rng.chance(1, 2) {
        // Buybacks need a guard; a run that starts without one gets one queued now and then.
        c.price_guard = Some(Guard::Pyth {
            feed: Feed::Ashao,
            max_age_secs: 600,
            max_confidence_bps: 200,
        });
    }
    c
}

/// A risk-reducing move of one field the queued change sets (the emergency that change must
/// never undo), when one is queued and sets a field that can move that way.
fn emergency(rng: &mut Rng, world: &World) -> Option<Change> {
    let config = world.treasury().filter(|c| c.queued_change_eta != 0)?;
    let p = config.params();
    let q = &config.queued_change;
    let mut moves: Vec<Change> = Vec::new();
    if q.cranks.is_some() {
        // Each allow-listed crank but one (the leaked key), or none.
        let kept: Vec<Actor> = p
            .cranks
            .iter()
            .filter_map(|c| world.actor_of(c))
            .skip(1)
            .collect();
        moves.push(Change {
            cranks: Some(kept),
            ..Change::default()
        });
    }
    if q.max_buyback_usdc.is_some() {
        moves.push(Change {
            max_buyback_usdc: Some((p.max_buyback_usdc / 2).max(1)),
            ..Change::default()
        });
    }
    if q.min_buyback_interval_secs.is_some() {
        moves.push(Change {
            min_buyback_interval_secs: Some(
                p.min_buyback_interval_secs
                    .saturating_mul(2)
                    .min(MAX_BUYBACK_INTERVAL_SECS),
            ),
            ..Change::default()
        });
    }
    if q.max_slippage_bps.is_some() {
        moves.push(Change {
            max_slippage_bps: Some(p.max_slippage_bps.saturating_sub(1).max(1)),
            ..Change::default()
        });
    }
    if q.swap_program.is_some() {
        moves.push(Change {
            swap_program: Some(SwapTarget::Default),
            ..Change::default()
        });
    }
    if q.price_guard.is_some() {
        moves.push(Change {
            price_guard: Some(Guard::None),
            ..Change::default()
        });
    }
    if q.timelock_secs.is_some() {
        moves.push(Change {
            timelock_secs: Some(p.timelock_secs.saturating_add(1).min(MAX_TIMELOCK_SECS)),
            ..Change::default()
        });
    }
    (!moves.is_empty()).then(|| rng.pick(&moves))
}

/// Every field, at the sizes that make the queued change largest.
fn largest_change(rng: &mut Rng) -> Change {
    let cranks: Vec<Actor> = Actor::ALL[..8].to_vec();
    Change {
        stream_period_secs: Some(MIN_STREAM_PERIOD_SECS),
        unstake_cooldown_secs: Some(MIN_UNSTAKE_COOLDOWN_SECS),
        boost_tiers: Some((1..=8u64).map(|i| (i * 1_000, (i * 100) as u16)).collect()),
        max_buyback_usdc: Some(rng.range(1, MAX_BUYBACK_USDC)),
        min_buyback_interval_secs: Some(MIN_BUYBACK_INTERVAL_SECS),
        max_slippage_bps: Some(rng.range(1, u64::from(MAX_SLIPPAGE_BPS)) as u16),
        swap_program: Some(SwapTarget::TestAmm),
        cranks: Some(cranks),
        price_guard: Some(Guard::Pyth {
            feed: Feed::Ashao,
            max_age_secs: MAX_ORACLE_AGE_SECS,
            max_confidence_bps: MAX_ORACLE_CONFIDENCE_BPS,
        }),
        timelock_secs: Some(MIN_TIMELOCK_SECS),
    }
}
