use anchor_lang::solana_program::program_option::COption;
use anchor_spl::token_2022::spl_token_2022::extension::{
    transfer_fee::TransferFeeConfig, BaseStateWithExtensionsMut, StateWithExtensionsMut,
};

use super::*;

/// Every extension the policy names, with what it says: `None` (harmless) or the named refusal.
const POLICY: [(ExtensionType, Option<TreasuryError>); 20] = [
    (ExtensionType::MetadataPointer, None),
    (ExtensionType::TokenMetadata, None),
    (ExtensionType::GroupPointer, None),
    (ExtensionType::TokenGroup, None),
    (ExtensionType::GroupMemberPointer, None),
    (ExtensionType::TokenGroupMember, None),
    (ExtensionType::MintCloseAuthority, None),
    (
        ExtensionType::TransferFeeConfig,
        Some(TreasuryError::MintHasTransferFee),
    ),
    (
        ExtensionType::TransferHook,
        Some(TreasuryError::MintHasTransferHook),
    ),
    (
        ExtensionType::PermanentDelegate,
        Some(TreasuryError::MintHasPermanentDelegate),
    ),
    (
        ExtensionType::NonTransferable,
        Some(TreasuryError::MintIsNonTransferable),
    ),
    (
        ExtensionType::DefaultAccountState,
        Some(TreasuryError::MintHasDefaultAccountState),
    ),
    (
        ExtensionType::InterestBearingConfig,
        Some(TreasuryError::MintIsInterestBearing),
    ),
    (
        ExtensionType::ConfidentialTransferMint,
        Some(TreasuryError::MintHasConfidentialTransfer),
    ),
    (
        ExtensionType::ConfidentialTransferFeeConfig,
        Some(TreasuryError::MintHasConfidentialTransfer),
    ),
    (
        ExtensionType::ConfidentialMintBurn,
        Some(TreasuryError::MintHasConfidentialTransfer),
    ),
    (ExtensionType::Pausable, Some(TreasuryError::MintIsPausable)),
    (
        ExtensionType::ScaledUiAmount,
        Some(TreasuryError::MintHasScaledUiAmount),
    ),
    // Not a mint extension the policy lists: refused by the catch-all.
    (
        ExtensionType::MemoTransfer,
        Some(TreasuryError::MintExtensionNotAllowed),
    ),
    (
        ExtensionType::CpiGuard,
        Some(TreasuryError::MintExtensionNotAllowed),
    ),
];

#[test]
fn each_extension_gets_its_own_answer() {
    for (extension, expected) in POLICY {
        assert_eq!(
            refusal_for(extension).map(|e| e as u32),
            expected.map(|e| e as u32),
            "{extension:?}"
        );
    }
}

/// A Token-2022 mint's bytes with a transfer fee and/or a close authority (`Some(None)`: the
/// extension with its authority revoked).
fn mint(transfer_fee: bool, close_authority: Option<Option<Pubkey>>) -> Vec<u8> {
    let mut extensions = Vec::new();
    if transfer_fee {
        extensions.push(ExtensionType::TransferFeeConfig);
    }
    if close_authority.is_some() {
        extensions.push(ExtensionType::MintCloseAuthority);
    }
    let len = ExtensionType::try_calculate_account_len::<Mint>(&extensions).unwrap();
    let mut data = vec![0u8; len];
    let mut state = StateWithExtensionsMut::<Mint>::unpack_uninitialized(&mut data).unwrap();
    if transfer_fee {
        state.init_extension::<TransferFeeConfig>(true).unwrap();
    }
    if let Some(authority) = close_authority {
        let extension = state.init_extension::<MintCloseAuthority>(true).unwrap();
        extension.close_authority = authority.try_into().unwrap();
    }
    state.base = Mint {
        mint_authority: COption::Some(Pubkey::new_unique()),
        supply: 0,
        decimals: 6,
        is_initialized: true,
        freeze_authority: COption::None,
    };
    state.pack_base();
    state.init_account_type().unwrap();
    data
}

fn refusal(data: &[u8]) -> Option<anchor_lang::error::Error> {
    check_token_2022_mint(data).err()
}

fn named(error: TreasuryError) -> Option<anchor_lang::error::Error> {
    Some(error.into())
}

#[test]
fn a_plain_mint_and_a_revoked_close_authority_are_accepted() {
    assert_eq!(refusal(&mint(false, None)), None);
    assert_eq!(refusal(&mint(false, Some(None))), None);
}

#[test]
fn a_transfer_fee_or_a_live_close_authority_is_refused_by_name() {
    assert_eq!(
        refusal(&mint(true, None)),
        named(TreasuryError::MintHasTransferFee)
    );
    assert_eq!(
        refusal(&mint(true, Some(None))),
        named(TreasuryError::MintHasTransferFee)
    );
    assert_eq!(
        refusal(&mint(false, Some(Some(Pubkey::new_unique())))),
        named(TreasuryError::MintHasCloseAuthority)
    );
}

#[test]
fn token_accounts_are_sized_for_the_mint() {
    let plain = mint(false, None);
    assert_eq!(
        token_account_len(&anchor_spl::token::ID, &plain).unwrap(),
        anchor_spl::token::TokenAccount::LEN
    );
    assert_eq!(
        token_account_len(&TOKEN_2022_ID, &plain).unwrap(),
        ExtensionType::try_calculate_account_len::<Account>(&[]).unwrap()
    );
    // A transfer fee requires the account's withheld-fee extension.
    let with_fee = mint(true, None);
    assert!(
        token_account_len(&TOKEN_2022_ID, &with_fee).unwrap()
            > token_account_len(&TOKEN_2022_ID, &plain).unwrap()
    );
}
