use anchor_lang::prelude::*;

use crate::{constants::MAX_UNSTAKE_TICKETS, errors::TreasuryError, math::rewards::settle};

/// One unstake request: `amount` $ASHAO, withdrawable from `available_at` (the request's time
/// plus the cooldown then in force). A free slot is all zero.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct UnstakeTicket {
    pub amount: u64,
    pub available_at: i64,
}

impl UnstakeTicket {
    pub fn is_free(&self) -> bool {
        self.amount == 0
    }
}

/// One staker's position: principal earning, principal cooling down (one ticket per request,
/// each on its own cooldown), and owed USDC.
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePosition {
    pub owner: Pubkey,
    pub bump: u8,
    /// $ASHAO staked and earning.
    pub staked: u64,
    /// $ASHAO requested for unstake: earns nothing; the sum of the tickets' amounts.
    pub unstaking: u64,
    /// `acc_reward_per_share` at the last settlement.
    pub reward_checkpoint: u128,
    /// USDC settled and not yet claimed.
    pub owed_rewards: u64,
    /// USDC claimed over the position's life.
    pub total_claimed: u64,
    /// The unstake requests cooling down or matured and not yet withdrawn: the used ones first,
    /// in the order they were made, then free (zero) slots.
    pub unstake_tickets: [UnstakeTicket; MAX_UNSTAKE_TICKETS as usize],
    /// $ASHAO staked within the last warm-up (one unstake cooldown) that does not count for the
    /// worker boost until `boost_warmup_ends_at`; 0 when nothing is warming.
    pub boost_warmup_amount: u64,
    /// When the warming principal starts to count (0 when nothing is warming). A later stake
    /// restarts it for everything still warming.
    pub boost_warmup_ends_at: i64,
    /// Room for later fields without a migration (zero).
    pub reserved: [u8; 48],
}

impl StakePosition {
    /// Moves what the position earned since its checkpoint into `owed_rewards`. The config must
    /// have been accrued to now first.
    pub fn settle(&mut self, acc_reward_per_share: u128) -> Result<()> {
        let (owed, checkpoint) = settle(
            self.staked,
            self.owed_rewards,
            self.reward_checkpoint,
            acc_reward_per_share,
        )?;
        self.owed_rewards = owed;
        self.reward_checkpoint = checkpoint;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.staked == 0 && self.unstaking == 0 && self.owed_rewards == 0
    }

    /// The tickets in use, oldest request first.
    pub fn active_tickets(&self) -> &[UnstakeTicket] {
        let used = self
            .unstake_tickets
            .iter()
            .take_while(|t| !t.is_free())
            .count();
        &self.unstake_tickets[..used]
    }

    /// Records a request of `amount` maturing at `available_at`. It joins the newest ticket when
    /// that one matures at the same second (nothing is delayed), else takes the next free slot.
    pub fn add_ticket(&mut self, amount: u64, available_at: i64) -> Result<()> {
        let used = self.active_tickets().len();
        let newest = used
            .checked_sub(1)
            .and_then(|i| self.unstake_tickets.get_mut(i));
        if let Some(newest) = newest {
            if newest.available_at == available_at {
                newest.amount = newest
                    .amount
                    .checked_add(amount)
                    .ok_or(TreasuryError::MathOverflow)?;
                return Ok(());
            }
        }
        let slot = self
            .unstake_tickets
            .get_mut(used)
            .ok_or(TreasuryError::UnstakeTicketsFull)?;
        *slot = UnstakeTicket {
            amount,
            available_at,
        };
        Ok(())
    }

    /// What the tickets matured by `now` hold.
    pub fn matured(&self, now: i64) -> Result<u64> {
        self.active_tickets()
            .iter()
            .filter(|t| t.available_at <= now)
            .try_fold(0u64, |sum, t| sum.checked_add(t.amount))
            .ok_or_else(|| TreasuryError::MathOverflow.into())
    }

    /// Frees the tickets matured by `now`, keeping the others in order. Returns what they held.
    pub fn take_matured(&mut self, now: i64) -> Result<u64> {
        let amount = self.matured(now)?;
        let mut kept = [UnstakeTicket::default(); MAX_UNSTAKE_TICKETS as usize];
        for (slot, ticket) in kept.iter_mut().zip(
            self.active_tickets()
                .iter()
                .filter(|t| t.available_at > now),
        ) {
            *slot = *ticket;
        }
        self.unstake_tickets = kept;
        Ok(amount)
    }

    /// The principal that earns the worker boost at `now`: staked (not unstaking) principal
    /// that has been staked for a whole warm-up. A stake made just before a settlement earns
    /// nothing on it, whatever its size.
    pub fn boost_stake(&self, now: i64) -> u64 {
        if now >= self.boost_warmup_ends_at {
            self.staked
        } else {
            self.staked.saturating_sub(self.boost_warmup_amount)
        }
    }

    /// Starts the warm-up of `amount` just staked: it and anything still warming count from
    /// `now + warmup_secs`. Principal already warm stays warm.
    pub fn start_warmup(&mut self, amount: u64, now: i64, warmup_secs: u32) -> Result<()> {
        let still_warming = if now >= self.boost_warmup_ends_at {
            0
        } else {
            self.boost_warmup_amount
        };
        self.boost_warmup_amount = still_warming
            .checked_add(amount)
            .ok_or(TreasuryError::MathOverflow)?;
        self.boost_warmup_ends_at = now
            .checked_add(i64::from(warmup_secs))
            .ok_or(TreasuryError::MathOverflow)?;
        Ok(())
    }

    /// An unstake of `amount` takes warming principal first: what never counted for the boost
    /// leaves first, so an unstake never lowers the boost stake by more than it must (and never
    /// raises it).
    pub fn end_warmup_of(&mut self, amount: u64, now: i64) {
        let still_warming = if now >= self.boost_warmup_ends_at {
            0
        } else {
            self.boost_warmup_amount.saturating_sub(amount)
        };
        self.boost_warmup_amount = still_warming;
        if still_warming == 0 {
            self.boost_warmup_ends_at = 0;
        }
    }

    pub fn invariant(&self, acc_reward_per_share: u128) -> Result<()> {
        require!(
            self.owner != Pubkey::default() && self.reward_checkpoint <= acc_reward_per_share,
            TreasuryError::InvariantViolated
        );
        // Warming principal is staked principal; a warm-up has an end exactly while it holds any.
        require!(
            self.boost_warmup_amount <= self.staked
                && (self.boost_warmup_amount == 0) == (self.boost_warmup_ends_at == 0),
            TreasuryError::InvariantViolated
        );
        let active = self.active_tickets();
        // Used tickets first, free slots all zero after them; the tickets add up to `unstaking`.
        require!(
            self.unstake_tickets[active.len()..]
                .iter()
                .all(|t| *t == UnstakeTicket::default()),
            TreasuryError::InvariantViolated
        );
        let sum = active
            .iter()
            .try_fold(0u64, |sum, t| sum.checked_add(t.amount))
            .ok_or(TreasuryError::MathOverflow)?;
        require!(sum == self.unstaking, TreasuryError::InvariantViolated);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
