use anchor_lang::prelude::*;

use crate::{
    errors::TreasuryError,
    math::batch_window::{BatchIdStatus, BatchWindow, WINDOW_WORDS},
};

/// One billing authority's record of the usage it settled: which batch ids (a window of the last
/// 4,096, so a retried batch is never paid twice) and its totals. A PDA of the billing wallet
/// (`[USAGE_LEDGER_SEED, billing]`), created by its first settlement: nobody else can settle, or
/// burn, that billing authority's ids.
#[account]
#[derive(InitSpace, Debug)]
pub struct UsageLedger {
    pub billing: Pubkey,
    pub bump: u8,
    pub batch_count: u64,
    /// The highest batch id settled (meaningful once `batch_count > 0`); clients number the next
    /// batch after it.
    pub last_batch_id: u64,
    pub last_settled_at: i64,
    pub total_gross: u64,
    pub total_paid_to_workers: u64,
    /// The first id of the window; `settled` holds one bit per id from it.
    pub window_start: u64,
    pub settled: [u64; WINDOW_WORDS],
    /// Room for later fields without a migration (zero).
    pub reserved: [u8; 32],
}

impl UsageLedger {
    fn window(&self) -> BatchWindow {
        BatchWindow {
            start: self.window_start,
            words: self.settled,
        }
    }

    pub fn status(&self, batch_id: u64) -> BatchIdStatus {
        if self.batch_count == 0 {
            BatchIdStatus::Open
        } else {
            self.window().status(batch_id)
        }
    }

    /// Records batch `batch_id` of `gross`, `paid_to_workers` of it to workers, settled at `now`.
    /// Refuses a batch id already settled, older than the window or too far past it.
    pub fn record(
        &mut self,
        batch_id: u64,
        gross: u64,
        paid_to_workers: u64,
        now: i64,
    ) -> Result<()> {
        let mut window = if self.batch_count == 0 {
            BatchWindow::starting_at(batch_id)
        } else {
            self.window()
        };
        window.mark(batch_id)?;
        self.window_start = window.start;
        self.settled = window.words;
        self.last_batch_id = if self.batch_count == 0 {
            batch_id
        } else {
            self.last_batch_id.max(batch_id)
        };
        self.batch_count = self
            .batch_count
            .checked_add(1)
            .ok_or(TreasuryError::MathOverflow)?;
        self.last_settled_at = now;
        self.total_gross = self
            .total_gross
            .checked_add(gross)
            .ok_or(TreasuryError::MathOverflow)?;
        self.total_paid_to_workers = self
            .total_paid_to_workers
            .checked_add(paid_to_workers)
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        let window = self.window();
        require!(
            self.billing != Pubkey::default()
                && window.is_aligned()
                && u64::from(window.settled_in_window()) <= self.batch_count
                && self.total_paid_to_workers <= self.total_gross,
            TreasuryError::InvariantViolated
        );
        // The highest id settled is remembered (the window always reaches it).
        require!(
            self.batch_count == 0 || window.status(self.last_batch_id) == BatchIdStatus::Settled,
            TreasuryError::InvariantViolated
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests;
