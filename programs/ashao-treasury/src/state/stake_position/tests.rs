use proptest::prelude::*;

use super::*;

fn position() -> StakePosition {
    StakePosition {
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
    }
}

fn named(error: TreasuryError) -> anchor_lang::error::Error {
    error.into()
}

/// Adds a ticket the way `request_unstake` does (the principal moves with it).
fn request(p: &mut StakePosition, amount: u64, available_at: i64) -> Result<()> {
    p.add_ticket(amount, available_at)?;
    p.unstaking += amount;
    Ok(())
}

fn tickets(p: &StakePosition) -> Vec<(u64, i64)> {
    p.active_tickets()
        .iter()
        .map(|t| (t.amount, t.available_at))
        .collect()
}

#[test]
fn each_request_keeps_its_own_maturity() {
    let mut p = position();
    request(&mut p, 10, 100).unwrap();
    request(&mut p, 20, 200).unwrap();
    // A later request maturing earlier (the cooldown was shortened in between) delays nothing.
    request(&mut p, 5, 150).unwrap();
    p.invariant(0).unwrap();
    assert_eq!(tickets(&p), vec![(10, 100), (20, 200), (5, 150)]);
    assert_eq!(p.matured(99).unwrap(), 0);
    assert_eq!(p.matured(100).unwrap(), 10);
    assert_eq!(p.matured(150).unwrap(), 15);
    assert_eq!(p.take_matured(150).unwrap(), 15);
    p.unstaking -= 15;
    assert_eq!(tickets(&p), vec![(20, 200)]);
    p.invariant(0).unwrap();
    assert_eq!(p.take_matured(199).unwrap(), 0);
    assert_eq!(p.take_matured(200).unwrap(), 20);
    p.unstaking -= 20;
    assert!(p.active_tickets().is_empty());
    assert_eq!(p.unstake_tickets, [UnstakeTicket::default(); 8]);
    p.invariant(0).unwrap();
}

#[test]
fn a_request_maturing_with_the_newest_joins_it_and_a_full_list_is_refused() {
    let mut p = position();
    request(&mut p, 1, 100).unwrap();
    request(&mut p, 2, 100).unwrap();
    assert_eq!(tickets(&p), vec![(3, 100)]);
    for i in 1..i64::from(MAX_UNSTAKE_TICKETS) {
        request(&mut p, 1, 100 + i).unwrap();
    }
    assert_eq!(p.active_tickets().len(), usize::from(MAX_UNSTAKE_TICKETS));
    // Full: a ninth maturity is refused, the newest's still joins.
    assert_eq!(
        p.add_ticket(1, 1_000).unwrap_err(),
        named(TreasuryError::UnstakeTicketsFull)
    );
    request(&mut p, 4, 107).unwrap();
    assert_eq!(
        p.active_tickets().last(),
        Some(&UnstakeTicket {
            amount: 5,
            available_at: 107
        })
    );
    p.invariant(0).unwrap();
    // Withdrawing what matured frees slots.
    assert_eq!(p.take_matured(101).unwrap(), 4);
    p.unstaking -= 4;
    request(&mut p, 1, 1_000).unwrap();
    p.invariant(0).unwrap();
}

#[test]
fn the_invariant_sees_tickets_out_of_order_or_not_adding_up() {
    let mut p = position();
    request(&mut p, 10, 100).unwrap();
    p.unstaking += 1;
    assert_eq!(
        p.invariant(0).unwrap_err(),
        named(TreasuryError::InvariantViolated)
    );
    let mut p = position();
    p.unstake_tickets[1] = UnstakeTicket {
        amount: 10,
        available_at: 100,
    };
    p.unstaking = 10;
    assert_eq!(
        p.invariant(0).unwrap_err(),
        named(TreasuryError::InvariantViolated)
    );
    let mut p = position();
    p.unstake_tickets[3].available_at = 5;
    assert_eq!(
        p.invariant(0).unwrap_err(),
        named(TreasuryError::InvariantViolated)
    );
    assert!(p.is_empty());
}

proptest! {
    /// Whatever the requests and withdrawals, a withdrawal at `now` returns exactly the requests
    /// matured by `now` (by an independent list of requests), and no request waits longer than
    /// its own maturity.
    #[test]
    fn withdrawals_take_exactly_what_matured(
        steps in prop::collection::vec((any::<bool>(), 1..1_000u64, 0..50i64), 1..60),
    ) {
        let mut p = position();
        let mut requests: Vec<(u64, i64)> = Vec::new();
        let mut now = 0i64;
        for (is_request, amount, dt) in steps {
            now += dt;
            if is_request {
                let matures = now + (amount as i64 % 7) * 10;
                let joins = requests.last().is_some_and(|r| r.1 == matures);
                match request(&mut p, amount, matures) {
                    Ok(()) if joins => requests.last_mut().map(|r| r.0 += amount).unwrap_or(()),
                    Ok(()) => requests.push((amount, matures)),
                    Err(e) => {
                        prop_assert_eq!(e, named(TreasuryError::UnstakeTicketsFull));
                        prop_assert_eq!(requests.len(), usize::from(MAX_UNSTAKE_TICKETS));
                    }
                }
            } else {
                let matured: u64 = requests.iter().filter(|r| r.1 <= now).map(|r| r.0).sum();
                prop_assert_eq!(p.take_matured(now).unwrap(), matured);
                p.unstaking -= matured;
                requests.retain(|r| r.1 > now);
            }
            prop_assert_eq!(tickets(&p), requests.clone());
            prop_assert!(p.invariant(0).is_ok());
        }
    }
}

#[test]
fn a_position_is_empty_only_with_no_stake_no_unstaking_and_nothing_owed() {
    let mut p = position();
    assert!(p.is_empty());
    for (staked, unstaking, owed) in [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)] {
        p.staked = staked;
        p.unstaking = unstaking;
        p.owed_rewards = owed;
        assert!(!p.is_empty(), "{staked} / {unstaking} / {owed}");
    }
}

#[test]
fn the_invariant_sees_a_position_without_owner_or_ahead_of_the_accumulator() {
    let mut p = position();
    p.reward_checkpoint = 10;
    p.invariant(10).unwrap();
    assert_eq!(
        p.invariant(9).unwrap_err(),
        named(TreasuryError::InvariantViolated)
    );
    p.owner = Pubkey::default();
    assert_eq!(
        p.invariant(10).unwrap_err(),
        named(TreasuryError::InvariantViolated)
    );
}

#[test]
fn stake_earns_the_boost_only_after_its_warm_up_and_unstakes_take_warming_principal_first() {
    let mut p = position();
    p.staked = 1_000;
    p.start_warmup(1_000, 100, 3_600).unwrap();
    assert_eq!((p.boost_stake(100), p.boost_stake(3_699)), (0, 0));
    assert_eq!(p.boost_stake(3_700), 1_000);
    // More stake at 2_000: the whole warming amount restarts, warm principal stays warm.
    p.staked += 500;
    p.start_warmup(500, 2_000, 3_600).unwrap();
    assert_eq!(
        (p.boost_warmup_amount, p.boost_warmup_ends_at),
        (1_500, 5_600)
    );
    p.staked += 10;
    p.start_warmup(10, 6_000, 3_600).unwrap();
    assert_eq!((p.boost_warmup_amount, p.boost_stake(6_000)), (10, 1_500));
    // An unstake of 4 takes warming principal first; one of 10 more ends the warm-up.
    p.staked -= 4;
    p.end_warmup_of(4, 6_001);
    assert_eq!((p.boost_warmup_amount, p.boost_stake(6_001)), (6, 1_500));
    p.staked -= 10;
    p.end_warmup_of(10, 6_002);
    assert_eq!((p.boost_warmup_amount, p.boost_warmup_ends_at), (0, 0));
    assert_eq!(p.boost_stake(6_002), 1_496);
    p.invariant(0).unwrap();
}
