//! Which $ASHAO mints the treasury accepts. Staking and burning account in exact base units, so a
//! Token-2022 extension that changes what arrives, who can move tokens, or whether vaults can
//! move at all, would break the accounting; those mints are refused at `initialize`.

use anchor_lang::prelude::*;
use anchor_spl::token_2022::{
    spl_token_2022::{
        extension::{
            mint_close_authority::MintCloseAuthority, BaseStateWithExtensions, ExtensionType,
            StateWithExtensions,
        },
        state::{Account, Mint},
    },
    ID as TOKEN_2022_ID,
};

use crate::errors::TreasuryError;

/// The named error for an extension the treasury refuses, or `None` when it is harmless.
pub fn refusal_for(extension: ExtensionType) -> Option<TreasuryError> {
    match extension {
        ExtensionType::MetadataPointer
        | ExtensionType::TokenMetadata
        | ExtensionType::GroupPointer
        | ExtensionType::TokenGroup
        | ExtensionType::GroupMemberPointer
        | ExtensionType::TokenGroupMember
        | ExtensionType::MintCloseAuthority => None,
        ExtensionType::TransferFeeConfig => Some(TreasuryError::MintHasTransferFee),
        ExtensionType::TransferHook => Some(TreasuryError::MintHasTransferHook),
        ExtensionType::PermanentDelegate => Some(TreasuryError::MintHasPermanentDelegate),
        ExtensionType::NonTransferable => Some(TreasuryError::MintIsNonTransferable),
        ExtensionType::DefaultAccountState => Some(TreasuryError::MintHasDefaultAccountState),
        ExtensionType::InterestBearingConfig => Some(TreasuryError::MintIsInterestBearing),
        ExtensionType::ConfidentialTransferMint
        | ExtensionType::ConfidentialTransferFeeConfig
        | ExtensionType::ConfidentialMintBurn => Some(TreasuryError::MintHasConfidentialTransfer),
        ExtensionType::Pausable => Some(TreasuryError::MintIsPausable),
        ExtensionType::ScaledUiAmount => Some(TreasuryError::MintHasScaledUiAmount),
        _ => Some(TreasuryError::MintExtensionNotAllowed),
    }
}

/// Refuses a Token-2022 mint carrying an extension outside the allow-list, or a close
/// authority. An extension newer than this program's Token-2022 library cannot be read; it is
/// refused by name too.
pub fn check_token_2022_mint(mint_data: &[u8]) -> Result<()> {
    let mint = StateWithExtensions::<Mint>::unpack(mint_data)?;
    let extensions = mint
        .get_extension_types()
        .map_err(|_| TreasuryError::MintExtensionNotAllowed)?;
    for extension in extensions {
        if let Some(error) = refusal_for(extension) {
            return Err(error.into());
        }
    }
    // The extension itself is harmless once its authority is revoked.
    if let Ok(close) = mint.get_extension::<MintCloseAuthority>() {
        require!(
            Option::<Pubkey>::from(close.close_authority).is_none(),
            TreasuryError::MintHasCloseAuthority
        );
    }
    Ok(())
}

/// The size of a token account of this mint: SPL Token's 165 bytes, or Token-2022's with the
/// account extensions the mint's extensions require. Call after [`check_token_2022_mint`].
pub fn token_account_len(token_program: &Pubkey, mint_data: &[u8]) -> Result<usize> {
    if *token_program != TOKEN_2022_ID {
        return Ok(anchor_spl::token::TokenAccount::LEN);
    }
    let mint = StateWithExtensions::<Mint>::unpack(mint_data)?;
    let required =
        ExtensionType::get_required_init_account_extensions(&mint.get_extension_types()?);
    Ok(ExtensionType::try_calculate_account_len::<Account>(
        &required,
    )?)
}

#[cfg(test)]
mod tests;
