use super::*;

fn ledger() -> UsageLedger {
    UsageLedger {
        billing: Pubkey::new_unique(),
        bump: 255,
        batch_count: 0,
        last_batch_id: 0,
        last_settled_at: 0,
        total_gross: 0,
        total_paid_to_workers: 0,
        window_start: 0,
        settled: [0; WINDOW_WORDS],
        reserved: [0; 32],
    }
}

#[test]
fn a_fresh_ledger_takes_any_first_id_and_refuses_it_again() {
    let mut l = ledger();
    assert_eq!(l.status(1_000_000_007), BatchIdStatus::Open);
    l.record(1_000_000_007, 500, 300, 42).unwrap();
    assert_eq!(l.status(1_000_000_007), BatchIdStatus::Settled);
    let before = (l.batch_count, l.total_gross, l.window_start, l.settled);
    let replay = l.record(1_000_000_007, 500, 300, 43);
    assert!(matches!(replay, Err(e) if e == TreasuryError::BatchAlreadySettled.into()));
    assert_eq!(
        before,
        (l.batch_count, l.total_gross, l.window_start, l.settled)
    );
    assert_eq!((l.last_batch_id, l.last_settled_at), (1_000_000_007, 42));
    l.invariant().unwrap();
}

#[test]
fn totals_add_up_and_the_highest_id_is_kept() {
    let mut l = ledger();
    for (i, id) in [5u64, 9, 7].into_iter().enumerate() {
        l.record(id, 100, 60, i as i64).unwrap();
        l.invariant().unwrap();
    }
    assert_eq!(
        (
            l.batch_count,
            l.last_batch_id,
            l.total_gross,
            l.total_paid_to_workers
        ),
        (3, 9, 300, 180)
    );
    assert_eq!(l.status(6), BatchIdStatus::Open);
}

/// A ledger that has settled batch 130 (window from 128).
fn settled() -> UsageLedger {
    let mut l = ledger();
    l.record(130, 1_000, 400, 7).unwrap();
    l
}

#[test]
fn the_invariant_sees_each_broken_relation() {
    settled().invariant().unwrap();
    ledger().invariant().unwrap();
    // A window off its word, on a ledger with nothing settled (so no other relation can fail).
    let mut fresh = ledger();
    fresh.window_start = 1;
    assert!(
        matches!(fresh.invariant(), Err(e) if e == TreasuryError::InvariantViolated.into()),
        "a window off its word: accepted"
    );
    type Break = fn(&mut UsageLedger);
    let broken: [(&str, Break); 4] = [
        ("no billing authority", |l| l.billing = Pubkey::default()),
        ("more ids settled than batches", |l| l.batch_count = 0),
        ("workers paid more than the gross", |l| {
            l.total_paid_to_workers = l.total_gross + 1
        }),
        ("the highest id forgotten", |l| l.last_batch_id = 131),
    ];
    for (what, break_it) in broken {
        let mut l = settled();
        break_it(&mut l);
        assert!(
            matches!(l.invariant(), Err(e) if e == TreasuryError::InvariantViolated.into()),
            "{what}: accepted"
        );
    }
}
