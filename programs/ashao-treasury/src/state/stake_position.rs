use anchor_lang::prelude::*;

use crate::{errors::TreasuryError, math::rewards::settle};

/// One staker's position: principal earning, principal cooling down, and owed USDC.
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePosition {
    pub owner: Pubkey,
    pub bump: u8,
    /// $ASHAO staked and earning.
    pub staked: u64,
    /// $ASHAO requested for unstake: earns nothing, withdrawable at `unstake_available_at`.
    pub unstaking: u64,
    pub unstake_available_at: i64,
    /// `acc_reward_per_share` at the last settlement.
    pub reward_checkpoint: u128,
    /// USDC settled and not yet claimed.
    pub owed_rewards: u64,
    /// USDC claimed over the position's life.
    pub total_claimed: u64,
    /// Room for later fields without a migration (zero).
    pub reserved: [u8; 64],
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

    pub fn invariant(&self, acc_reward_per_share: u128) -> Result<()> {
        require!(
            self.owner != Pubkey::default() && self.reward_checkpoint <= acc_reward_per_share,
            TreasuryError::InvariantViolated
        );
        Ok(())
    }
}
