//! Token transfers shared by the handlers: from a signer's account, or out of a vault signed by
//! the config PDA. Always `transfer_checked` (mint and decimals verified by the token program).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::TREASURY_SEED;

#[allow(clippy::too_many_arguments)]
pub fn transfer<'info>(
    token_program: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    decimals: u8,
    config_bump: Option<u8>,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let accounts = TransferChecked {
        from: from.clone(),
        mint: mint.clone(),
        to: to.clone(),
        authority: authority.clone(),
    };
    match config_bump {
        None => token_interface::transfer_checked(
            CpiContext::new(token_program.key(), accounts),
            amount,
            decimals,
        ),
        Some(bump) => {
            let bump = [bump];
            let seeds: [&[u8]; 2] = [TREASURY_SEED, &bump];
            let signer: &[&[&[u8]]] = &[&seeds];
            token_interface::transfer_checked(
                CpiContext::new_with_signer(token_program.key(), accounts, signer),
                amount,
                decimals,
            )
        }
    }
}
