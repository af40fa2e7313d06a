//! Which batch ids a billing authority has settled: a window of one bit per id that slides
//! forward as ids grow, so a ledger stays one fixed-size account however many batches settle.
//!
//! The window holds the ids `[start, start + USAGE_BATCH_WINDOW)`, `start` a multiple of 64: id
//! `start + 64 w + i` is bit `i` of word `w`. An id past the window slides it forward just far
//! enough (whole words; the ids that fall out are forgotten), an id below it is refused because
//! whether it settled can no longer be told. A batch is therefore never paid twice: every id is
//! either remembered or refused.

use anchor_lang::prelude::*;

use crate::{constants::USAGE_BATCH_WINDOW, errors::TreasuryError};

const WORD_BITS: u64 = 64;
/// Words of the window.
pub const WINDOW_WORDS: usize = (USAGE_BATCH_WINDOW / WORD_BITS) as usize;
/// How far past the window's start an id may be: one window beyond its end. Sequential ids
/// never come near it; a wild id cannot slide the window over every id in use.
pub const MAX_BATCH_ID_LEAD: u64 = 2 * USAGE_BATCH_WINDOW;

/// What a ledger knows of a batch id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchIdStatus {
    /// In the window, settled.
    Settled,
    /// In the window or past it (within reach), not settled: it may settle now.
    Open,
    /// Below the window.
    TooOld,
    /// Further past the window than [`MAX_BATCH_ID_LEAD`] allows.
    TooFarAhead,
}

/// The window of settled ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchWindow {
    pub start: u64,
    pub words: [u64; WINDOW_WORDS],
}

impl BatchWindow {
    /// An empty window whose first id is `id` (the window starts at its word).
    pub fn starting_at(id: u64) -> BatchWindow {
        BatchWindow {
            start: id - id % WORD_BITS,
            words: [0; WINDOW_WORDS],
        }
    }

    pub fn status(&self, id: u64) -> BatchIdStatus {
        let Some(offset) = id.checked_sub(self.start) else {
            return BatchIdStatus::TooOld;
        };
        if offset >= MAX_BATCH_ID_LEAD {
            return BatchIdStatus::TooFarAhead;
        }
        if offset < USAGE_BATCH_WINDOW && self.bit(offset) {
            BatchIdStatus::Settled
        } else {
            BatchIdStatus::Open
        }
    }

    /// Records `id` as settled, sliding the window forward when `id` is past it. Refuses an id
    /// already settled, below the window or too far past it; a refusal changes nothing.
    pub fn mark(&mut self, id: u64) -> Result<()> {
        match self.status(id) {
            BatchIdStatus::Settled => return err!(TreasuryError::BatchAlreadySettled),
            BatchIdStatus::TooOld => return err!(TreasuryError::BatchIdTooOld),
            BatchIdStatus::TooFarAhead => return err!(TreasuryError::BatchIdTooFarAhead),
            BatchIdStatus::Open => {}
        }
        // `status` checked `start <= id < start + MAX_BATCH_ID_LEAD`.
        let mut offset = id - self.start;
        if offset >= USAGE_BATCH_WINDOW {
            // The least whole-word slide that brings `id` into the window: `offset - slide <
            // USAGE_BATCH_WINDOW`, and at most one window (every word forgotten).
            let beyond = offset - USAGE_BATCH_WINDOW + 1;
            let words = beyond.div_ceil(WORD_BITS);
            self.slide(words)?;
            offset = id
                .checked_sub(self.start)
                .ok_or(TreasuryError::MathOverflow)?;
        }
        let (word, bit) = Self::position(offset);
        self.words[word] |= 1u64 << bit;
        Ok(())
    }

    /// Forgets the first `words` words' ids and moves the window that far forward.
    fn slide(&mut self, words: u64) -> Result<()> {
        let words = usize::try_from(words).map_or(WINDOW_WORDS, |w| w.min(WINDOW_WORDS));
        self.words.copy_within(words.., 0);
        self.words[WINDOW_WORDS - words..].fill(0);
        self.start = (words as u64)
            .checked_mul(WORD_BITS)
            .and_then(|ids| self.start.checked_add(ids))
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(())
    }

    fn position(offset: u64) -> (usize, u64) {
        ((offset / WORD_BITS) as usize, offset % WORD_BITS)
    }

    fn bit(&self, offset: u64) -> bool {
        let (word, bit) = Self::position(offset);
        self.words[word] & (1u64 << bit) != 0
    }

    /// How many ids in the window are settled.
    pub fn settled_in_window(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// Whether the window is well formed: its start is a multiple of 64.
    pub fn is_aligned(&self) -> bool {
        self.start.is_multiple_of(WORD_BITS)
    }
}

#[cfg(test)]
mod tests;
