use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

const W: u64 = USAGE_BATCH_WINDOW;

fn name(result: Result<()>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(e) if e == TreasuryError::BatchAlreadySettled.into() => "BatchAlreadySettled",
        Err(e) if e == TreasuryError::BatchIdTooOld.into() => "BatchIdTooOld",
        Err(e) if e == TreasuryError::BatchIdTooFarAhead.into() => "BatchIdTooFarAhead",
        Err(_) => "other",
    }
}

#[test]
fn sequential_ids_settle_once_each_and_old_ones_are_refused() {
    let mut window = BatchWindow::starting_at(0);
    for id in 0..3 * W {
        assert_eq!(name(window.mark(id)), "ok", "id {id}");
        assert_eq!(name(window.mark(id)), "BatchAlreadySettled", "id {id}");
    }
    // The window ends at the last id: it starts at the word after 3W - W.
    assert_eq!(window.start, 2 * W);
    assert_eq!(window.status(3 * W - 1), BatchIdStatus::Settled);
    assert_eq!(window.status(2 * W), BatchIdStatus::Settled);
    assert_eq!(window.status(2 * W - 1), BatchIdStatus::TooOld);
    assert_eq!(name(window.mark(5)), "BatchIdTooOld");
    assert_eq!(window.settled_in_window(), W as u32);
}

#[test]
fn the_first_id_sets_the_window_at_its_word() {
    let mut window = BatchWindow::starting_at(1_000_005);
    assert_eq!(window.start, 1_000_000); // 15,625 words of 64
    assert!(window.is_aligned());
    assert_eq!(name(window.mark(1_000_005)), "ok");
    // Ids before the first in the same word are still open; earlier words are too old.
    assert_eq!(window.status(window.start), BatchIdStatus::Open);
    assert_eq!(window.status(window.start - 1), BatchIdStatus::TooOld);
}

#[test]
fn an_id_just_past_the_window_slides_it_one_word() {
    let mut window = BatchWindow::starting_at(0);
    window.mark(0).unwrap();
    window.mark(64).unwrap();
    window.mark(W).unwrap();
    assert_eq!(window.start, 64);
    assert_eq!(window.status(0), BatchIdStatus::TooOld);
    assert_eq!(window.status(64), BatchIdStatus::Settled);
    assert_eq!(window.status(W), BatchIdStatus::Settled);
    assert_eq!(window.status(W + 1), BatchIdStatus::Open);
}

#[test]
fn an_id_at_the_lead_limit_is_refused_one_below_it_forgets_everything() {
    let mut window = BatchWindow::starting_at(0);
    window.mark(3).unwrap();
    let before = window;
    assert_eq!(name(window.mark(MAX_BATCH_ID_LEAD)), "BatchIdTooFarAhead");
    assert_eq!(window, before, "a refusal changes nothing");
    window.mark(MAX_BATCH_ID_LEAD - 1).unwrap();
    assert_eq!(window.start, W);
    assert_eq!(window.settled_in_window(), 1);
    assert_eq!(window.status(3), BatchIdStatus::TooOld);
}

#[test]
fn ids_up_to_u64_max_do_not_overflow() {
    let mut window = BatchWindow::starting_at(u64::MAX - 10);
    for id in u64::MAX - 10..=u64::MAX {
        window.mark(id).unwrap();
    }
    assert_eq!(window.status(u64::MAX), BatchIdStatus::Settled);
    assert_eq!(name(window.mark(u64::MAX)), "BatchAlreadySettled");
}

/// What the ledger must answer, written from the rule rather than the bits: the window starts
/// at the first id's word and afterwards at the least multiple of 64 that keeps every settled id
/// within `W` of the newest; ids below it are refused, ids `2W` or more past it are refused.
#[derive(Default)]
struct Model {
    start: Option<u64>,
    settled: BTreeSet<u64>,
}

impl Model {
    fn mark(&mut self, id: u64) -> &'static str {
        let start = *self.start.get_or_insert(id / 64 * 64);
        if id < start {
            return "BatchIdTooOld";
        }
        if id - start >= 2 * W {
            return "BatchIdTooFarAhead";
        }
        if !self.settled.insert(id) {
            return "BatchAlreadySettled";
        }
        if id + 1 > W {
            let least = (id + 1 - W).div_ceil(64) * 64;
            self.start = Some(start.max(least));
        }
        "ok"
    }
}

fn ids() -> impl Strategy<Value = Vec<u64>> {
    let step = prop_oneof![
        8 => 0u64..80,
        2 => 0u64..2 * W,
        1 => 0u64..4 * W,
    ];
    (
        0u64..1_000_000,
        prop::collection::vec((step, any::<bool>()), 1..400),
    )
        .prop_map(|(base, steps)| {
            let mut id = base;
            steps
                .into_iter()
                .map(|(delta, back)| {
                    id = if back {
                        id.saturating_sub(delta)
                    } else {
                        id + delta
                    };
                    id
                })
                .collect()
        })
}

proptest! {
    #[test]
    fn the_window_answers_as_the_rule_says_and_never_settles_an_id_twice(ids in ids()) {
        let mut window: Option<BatchWindow> = None;
        let mut model = Model::default();
        let mut accepted = BTreeSet::new();
        for id in ids {
            let w = window.get_or_insert_with(|| BatchWindow::starting_at(id));
            let got = name(w.mark(id));
            prop_assert_eq!(got, model.mark(id), "id {}", id);
            if got == "ok" {
                prop_assert!(accepted.insert(id), "id {} settled twice", id);
            }
            prop_assert!(w.is_aligned());
            prop_assert_eq!(Some(w.start), model.start);
            // Every settled id the window still holds reads as settled; nothing else does.
            let held = model.settled.range(w.start..).count() as u32;
            prop_assert_eq!(w.settled_in_window(), held);
            for settled in model.settled.range(w.start..) {
                prop_assert_eq!(w.status(*settled), BatchIdStatus::Settled);
            }
        }
    }
}

#[test]
fn a_window_is_aligned_only_on_a_word() {
    let mut window = BatchWindow::starting_at(0);
    for (start, aligned) in [(0, true), (64, true), (1, false), (63, false), (65, false)] {
        window.start = start;
        assert_eq!(window.is_aligned(), aligned, "start {start}");
    }
}
