//! Which Token-2022 mints a pool accepts. Quotes must equal on-chain results, so extensions that
//! change what arrives (transfer fees) or need extra accounts (hooks) are refused.

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::{
    extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
    state::Mint,
};

use crate::errors::AmmError;

/// Whether the test AMM can hold and move tokens of a mint with this extension exactly.
pub fn extension_allowed(extension: ExtensionType) -> bool {
    matches!(
        extension,
        ExtensionType::MetadataPointer
            | ExtensionType::TokenMetadata
            | ExtensionType::GroupPointer
            | ExtensionType::TokenGroup
            | ExtensionType::GroupMemberPointer
            | ExtensionType::TokenGroupMember
            | ExtensionType::MintCloseAuthority
    )
}

/// Refuses a Token-2022 mint carrying an extension outside the allow-list.
pub fn check_token_2022_mint(mint_data: &[u8]) -> Result<()> {
    let mint = StateWithExtensions::<Mint>::unpack(mint_data)?;
    for extension in mint.get_extension_types()? {
        require!(
            extension_allowed(extension),
            AmmError::UnsupportedMintExtension
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_allowed_and_fees_and_hooks_are_refused() {
        assert!(extension_allowed(ExtensionType::TokenMetadata));
        assert!(!extension_allowed(ExtensionType::TransferFeeConfig));
        assert!(!extension_allowed(ExtensionType::TransferHook));
    }
}
