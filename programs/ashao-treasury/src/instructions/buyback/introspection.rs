//! The transaction shape a buyback must have, checked through the instructions sysvar (the
//! flash-loan pattern): `begin_buyback` at the top level, then only allow-listed programs that
//! leave the treasury's accounts alone, then exactly one `finish_buyback` with the same crank
//! and token accounts. The checks over instruction lists are pure so they are unit-tested.

use anchor_lang::{
    prelude::*,
    solana_program::instruction::{get_stack_height, Instruction, TRANSACTION_LEVEL_STACK_HEIGHT},
    Discriminator,
};
use solana_instructions_sysvar::{load_current_index_checked, load_instruction_at_checked};

use crate::{
    constants::{
        BUYBACK_CONFIG_ACCOUNT_INDEX, BUYBACK_CRANK_ACCOUNT_INDEX,
        BUYBACK_CRANK_ASHAO_ACCOUNT_INDEX, BUYBACK_CRANK_USDC_ACCOUNT_INDEX,
        COMPUTE_BUDGET_PROGRAM_ID,
    },
    errors::TreasuryError,
};

/// The accounts that tie a `begin_buyback` to its `finish_buyback`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuybackKeys {
    pub crank: Pubkey,
    pub config: Pubkey,
    pub crank_usdc: Pubkey,
    pub crank_ashao: Pubkey,
}

impl BuybackKeys {
    pub fn new(
        crank: &AccountInfo,
        config: &AccountInfo,
        crank_usdc: &AccountInfo,
        crank_ashao: &AccountInfo,
    ) -> Self {
        Self {
            crank: crank.key(),
            config: config.key(),
            crank_usdc: crank_usdc.key(),
            crank_ashao: crank_ashao.key(),
        }
    }

    /// The keys an instruction of ours names at the shared positions, if it names that many.
    fn of(ix: &Instruction) -> Option<Self> {
        let key = |index: usize| ix.accounts.get(index).map(|meta| meta.pubkey);
        Some(Self {
            crank: key(BUYBACK_CRANK_ACCOUNT_INDEX)?,
            config: key(BUYBACK_CONFIG_ACCOUNT_INDEX)?,
            crank_usdc: key(BUYBACK_CRANK_USDC_ACCOUNT_INDEX)?,
            crank_ashao: key(BUYBACK_CRANK_ASHAO_ACCOUNT_INDEX)?,
        })
    }
}

/// What instructions between the two halves may run and must not touch.
pub struct BetweenPolicy<'a> {
    pub swap_program: Pubkey,
    /// The config and the three vaults: no instruction between may name them.
    pub treasury_accounts: &'a [Pubkey],
}

/// The associated token program's `Create` (empty data or 0) and `CreateIdempotent` (1): a
/// route may need the crank's token accounts to exist. Its other instruction, `RecoverNested`,
/// moves tokens and is refused.
fn is_associated_token_create(ix: &Instruction) -> bool {
    ix.program_id == anchor_spl::associated_token::ID
        && matches!(ix.data.as_slice(), [] | [0] | [1])
}

fn is_instruction<D: Discriminator>(ix: &Instruction) -> bool {
    ix.program_id == crate::ID && ix.data.starts_with(D::DISCRIMINATOR)
}

fn is_begin(ix: &Instruction) -> bool {
    is_instruction::<crate::instruction::BeginBuyback>(ix)
}

fn is_finish(ix: &Instruction) -> bool {
    is_instruction::<crate::instruction::FinishBuyback>(ix)
}

/// Checks one instruction that runs between `begin_buyback` and `finish_buyback`: the swap
/// program, the associated token program's create instructions, or compute budget. No token
/// program instruction may run there (a transfer could divert the USDC, or top up the crank's
/// $ASHAO from its own holdings); whatever the swap does is judged by the oracle price in
/// `finish_buyback`.
pub fn check_between(ix: &Instruction, policy: &BetweenPolicy) -> Result<()> {
    // An unset swap program (the default key is the System Program's) allows no swap.
    let is_swap = ix.program_id == policy.swap_program && policy.swap_program != Pubkey::default();
    let allowed =
        is_swap || is_associated_token_create(ix) || ix.program_id == COMPUTE_BUDGET_PROGRAM_ID;
    require!(allowed, TreasuryError::BuybackInstructionNotAllowed);
    for meta in &ix.accounts {
        require!(
            !policy.treasury_accounts.contains(&meta.pubkey),
            TreasuryError::BuybackTouchesTreasury
        );
    }
    Ok(())
}

/// Walks the instructions after a `begin_buyback` up to its `finish_buyback`: each one between
/// must pass [`check_between`]; the first instruction of ours must be the matching finish.
pub fn check_after_begin(
    following: impl IntoIterator<Item = Instruction>,
    keys: &BuybackKeys,
    policy: &BetweenPolicy,
) -> Result<()> {
    for ix in following {
        if ix.program_id == crate::ID {
            require!(is_finish(&ix), TreasuryError::BuybackInstructionNotAllowed);
            require!(
                BuybackKeys::of(&ix).as_ref() == Some(keys),
                TreasuryError::MissingFinishBuyback
            );
            return Ok(());
        }
        check_between(&ix, policy)?;
    }
    err!(TreasuryError::MissingFinishBuyback)
}

/// Walks back from a `finish_buyback`: the nearest earlier instruction of ours must be the
/// `begin_buyback` with the same keys.
pub fn check_before_finish(
    preceding_nearest_first: impl IntoIterator<Item = Instruction>,
    keys: &BuybackKeys,
) -> Result<()> {
    let begin = preceding_nearest_first
        .into_iter()
        .find(|ix| ix.program_id == crate::ID)
        .ok_or(TreasuryError::NoBuybackInProgress)?;
    require!(
        is_begin(&begin) && BuybackKeys::of(&begin).as_ref() == Some(keys),
        TreasuryError::NoBuybackInProgress
    );
    Ok(())
}

/// The transaction's instructions, read from the instructions sysvar.
pub struct TransactionInstructions<'a, 'info> {
    sysvar: &'a AccountInfo<'info>,
    /// Index of the instruction being executed.
    pub current: usize,
}

impl<'a, 'info> TransactionInstructions<'a, 'info> {
    /// Requires the executing instruction to be ours at the transaction's top level (a CPI
    /// would let another program wrap the buyback).
    pub fn top_level(sysvar: &'a AccountInfo<'info>) -> Result<Self> {
        require!(
            get_stack_height() == TRANSACTION_LEVEL_STACK_HEIGHT,
            TreasuryError::BuybackNotTopLevel
        );
        let current = usize::from(load_current_index_checked(sysvar)?);
        let this = Self { sysvar, current };
        require_keys_eq!(
            this.at(current)?.program_id,
            crate::ID,
            TreasuryError::BuybackNotTopLevel
        );
        Ok(this)
    }

    fn at(&self, index: usize) -> Result<Instruction> {
        Ok(load_instruction_at_checked(index, self.sysvar)?)
    }

    /// The instructions after the current one, in order. Reading stops at the end of the
    /// transaction (or at anything unreadable, which then fails the caller's checks).
    pub fn following(&self) -> impl Iterator<Item = Instruction> + use<'_, 'a, 'info> {
        (self.current.saturating_add(1)..).map_while(|index| self.at(index).ok())
    }

    /// The instructions before the current one, nearest first.
    pub fn preceding(&self) -> impl Iterator<Item = Instruction> + use<'_, 'a, 'info> {
        (0..self.current)
            .rev()
            .map_while(|index| self.at(index).ok())
    }
}

#[cfg(test)]
mod tests;
