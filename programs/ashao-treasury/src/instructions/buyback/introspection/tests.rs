use anchor_lang::{
    solana_program::instruction::{AccountMeta, Instruction},
    Discriminator, InstructionData, ToAccountMetas,
};

use super::*;

struct Fixture {
    keys: BuybackKeys,
    treasury_accounts: [Pubkey; 4],
    swap_program: Pubkey,
}

impl Fixture {
    fn new() -> Self {
        Self {
            keys: BuybackKeys {
                crank: Pubkey::new_unique(),
                config: Pubkey::new_unique(),
                crank_usdc: Pubkey::new_unique(),
                crank_ashao: Pubkey::new_unique(),
            },
            treasury_accounts: [
                Pubkey::new_unique(),
                Pubkey::new_unique(),
                Pubkey::new_unique(),
                Pubkey::new_unique(),
            ],
            swap_program: Pubkey::new_unique(),
        }
    }

    fn policy(&self) -> BetweenPolicy<'_> {
        BetweenPolicy {
            swap_program: self.swap_program,
            treasury_accounts: &self.treasury_accounts,
        }
    }

    /// Our instruction `D` naming `keys` at the shared positions (via the real account list).
    fn ours<D: Discriminator + InstructionData>(&self, keys: &BuybackKeys, data: D) -> Instruction {
        let accounts = crate::accounts::FinishBuyback {
            crank: keys.crank,
            config: keys.config,
            buyback_vault: Pubkey::new_unique(),
            usdc_mint: Pubkey::new_unique(),
            ashao_mint: Pubkey::new_unique(),
            crank_usdc: keys.crank_usdc,
            crank_ashao: keys.crank_ashao,
            token_program: anchor_spl::token::ID,
            ashao_token_program: anchor_spl::token::ID,
            instructions_sysvar: Pubkey::new_unique(),
            price_update: Pubkey::new_unique(),
        }
        .to_account_metas(None);
        Instruction {
            program_id: crate::ID,
            accounts,
            data: data.data(),
        }
    }

    fn finish(&self) -> Instruction {
        self.ours(&self.keys, crate::instruction::FinishBuyback {})
    }

    fn begin(&self) -> Instruction {
        self.ours(
            &self.keys,
            crate::instruction::BeginBuyback {
                usdc_amount: 1,
                min_ashao_out: 1,
            },
        )
    }

    fn swap(&self, extra: &[Pubkey]) -> Instruction {
        let mut accounts = vec![
            AccountMeta::new(self.keys.crank_usdc, false),
            AccountMeta::new(self.keys.crank_ashao, false),
        ];
        accounts.extend(extra.iter().map(|k| AccountMeta::new(*k, false)));
        Instruction {
            program_id: self.swap_program,
            accounts,
            data: vec![1, 2, 3],
        }
    }
}

fn program_ix(program_id: Pubkey, accounts: &[Pubkey]) -> Instruction {
    Instruction {
        program_id,
        accounts: accounts
            .iter()
            .map(|k| AccountMeta::new(*k, false))
            .collect(),
        data: vec![],
    }
}

fn ata_ix(data: &[u8], accounts: &[Pubkey]) -> Instruction {
    Instruction {
        data: data.to_vec(),
        ..program_ix(anchor_spl::associated_token::ID, accounts)
    }
}

fn named(error: TreasuryError) -> anchor_lang::error::Error {
    error.into()
}

#[test]
fn begin_and_finish_list_the_shared_accounts_at_the_same_positions() {
    let f = Fixture::new();
    let begin = crate::accounts::BeginBuyback {
        crank: f.keys.crank,
        config: f.keys.config,
        buyback_vault: Pubkey::new_unique(),
        usdc_mint: Pubkey::new_unique(),
        ashao_mint: Pubkey::new_unique(),
        crank_usdc: f.keys.crank_usdc,
        crank_ashao: f.keys.crank_ashao,
        token_program: anchor_spl::token::ID,
        instructions_sysvar: Pubkey::new_unique(),
    }
    .to_account_metas(None);
    let begin = Instruction {
        program_id: crate::ID,
        accounts: begin,
        data: vec![],
    };
    assert_eq!(BuybackKeys::of(&begin), Some(f.keys));
    assert_eq!(BuybackKeys::of(&f.finish()), Some(f.keys));
}

#[test]
fn a_swap_between_with_setup_and_compute_budget_is_accepted() {
    let f = Fixture::new();
    let following = vec![
        program_ix(COMPUTE_BUDGET_PROGRAM_ID, &[]),
        ata_ix(&[], &[f.keys.crank, f.keys.crank_usdc]),
        ata_ix(&[0], &[f.keys.crank, f.keys.crank_usdc]),
        ata_ix(&[1], &[f.keys.crank, f.keys.crank_ashao]),
        f.swap(&[Pubkey::new_unique()]),
        f.finish(),
        // Anything after the finish is none of the buyback's business.
        program_ix(Pubkey::new_unique(), &[]),
    ];
    check_after_begin(following, &f.keys, &f.policy()).unwrap();
}

#[test]
fn no_finish_is_refused() {
    let f = Fixture::new();
    let following = vec![f.swap(&[])];
    assert_eq!(
        check_after_begin(following, &f.keys, &f.policy()).unwrap_err(),
        named(TreasuryError::MissingFinishBuyback)
    );
}

#[test]
fn a_finish_for_other_accounts_is_refused() {
    let f = Fixture::new();
    let mut other = f.keys;
    other.crank_ashao = Pubkey::new_unique();
    let following = vec![f.ours(&other, crate::instruction::FinishBuyback {})];
    assert_eq!(
        check_after_begin(following, &f.keys, &f.policy()).unwrap_err(),
        named(TreasuryError::MissingFinishBuyback)
    );
}

#[test]
fn a_second_begin_before_the_finish_is_refused() {
    let f = Fixture::new();
    let following = vec![f.begin(), f.finish()];
    assert_eq!(
        check_after_begin(following, &f.keys, &f.policy()).unwrap_err(),
        named(TreasuryError::BuybackInstructionNotAllowed)
    );
}

#[test]
fn a_program_off_the_list_between_is_refused() {
    let f = Fixture::new();
    let system_transfer = program_ix(Pubkey::default(), &[f.keys.crank]);
    assert_eq!(
        check_after_begin(vec![system_transfer, f.finish()], &f.keys, &f.policy()).unwrap_err(),
        named(TreasuryError::BuybackInstructionNotAllowed)
    );
}

#[test]
fn an_allowed_program_naming_a_treasury_account_is_refused() {
    let f = Fixture::new();
    for vault in f.treasury_accounts {
        for ix in [f.swap(&[vault]), ata_ix(&[1], &[vault])] {
            assert_eq!(
                check_between(&ix, &f.policy()).unwrap_err(),
                named(TreasuryError::BuybackTouchesTreasury)
            );
        }
    }
}

#[test]
fn no_token_instruction_and_no_recover_nested_may_run_between() {
    let f = Fixture::new();
    let unrelated = Pubkey::new_unique();
    for token_program in [anchor_spl::token::ID, anchor_spl::token_2022::ID] {
        for account in [f.keys.crank_usdc, f.keys.crank_ashao, unrelated] {
            let transfer = program_ix(token_program, &[account, Pubkey::new_unique()]);
            assert_eq!(
                check_between(&transfer, &f.policy()).unwrap_err(),
                named(TreasuryError::BuybackInstructionNotAllowed)
            );
        }
    }
    // RecoverNested (2) moves tokens out of a nested account; anything unknown is refused too.
    for data in [&[2u8][..], &[3], &[1, 0]] {
        assert_eq!(
            check_between(&ata_ix(data, &[f.keys.crank_ashao]), &f.policy()).unwrap_err(),
            named(TreasuryError::BuybackInstructionNotAllowed)
        );
    }
}

#[test]
fn an_unset_swap_program_allows_no_swap_and_not_the_system_program() {
    let mut f = Fixture::new();
    f.swap_program = Pubkey::default();
    let system_ix = program_ix(Pubkey::default(), &[f.keys.crank]);
    assert_eq!(
        check_between(&system_ix, &f.policy()).unwrap_err(),
        named(TreasuryError::BuybackInstructionNotAllowed)
    );
}

#[test]
fn finish_needs_its_begin_as_the_nearest_earlier_instruction_of_ours() {
    let f = Fixture::new();
    let nearest_first = vec![
        f.swap(&[]),
        f.begin(),
        program_ix(COMPUTE_BUDGET_PROGRAM_ID, &[]),
    ];
    check_before_finish(nearest_first, &f.keys).unwrap();

    assert_eq!(
        check_before_finish(vec![f.swap(&[])], &f.keys).unwrap_err(),
        named(TreasuryError::NoBuybackInProgress)
    );
    // A finish right after another finish closes nothing.
    assert_eq!(
        check_before_finish(vec![f.finish(), f.begin()], &f.keys).unwrap_err(),
        named(TreasuryError::NoBuybackInProgress)
    );
    let mut other = f.keys;
    other.crank = Pubkey::new_unique();
    assert_eq!(
        check_before_finish(vec![f.begin()], &other).unwrap_err(),
        named(TreasuryError::NoBuybackInProgress)
    );
}

/// The instructions sysvar's data for a transaction of `instructions`, as the runtime lays it.
fn sysvar_data(instructions: &[Instruction]) -> Vec<u8> {
    use anchor_lang::solana_program::instruction::{BorrowedAccountMeta, BorrowedInstruction};
    let borrowed: Vec<BorrowedInstruction> = instructions
        .iter()
        .map(|ix| BorrowedInstruction {
            program_id: &ix.program_id,
            accounts: ix
                .accounts
                .iter()
                .map(|meta| BorrowedAccountMeta {
                    pubkey: &meta.pubkey,
                    is_signer: meta.is_signer,
                    is_writable: meta.is_writable,
                })
                .collect(),
            data: &ix.data,
        })
        .collect();
    solana_instructions_sysvar::construct_instructions_data(&borrowed)
}

#[test]
fn the_sysvar_gives_the_instructions_after_in_order_and_before_nearest_first() {
    let transaction: Vec<Instruction> = (0..4u8)
        .map(|i| Instruction {
            program_id: Pubkey::new_unique(),
            accounts: vec![AccountMeta::new(Pubkey::new_unique(), i == 0)],
            data: vec![i],
        })
        .collect();
    let mut data = sysvar_data(&transaction);
    let (key, owner, mut lamports) = (solana_instructions_sysvar::ID, Pubkey::default(), 0);
    let sysvar = AccountInfo::new(&key, false, false, &mut lamports, &mut data, &owner, false);
    let at = |current: usize| TransactionInstructions {
        sysvar: &sysvar,
        current,
    };
    let data_of = |ixs: Vec<Instruction>| ixs.into_iter().map(|ix| ix.data[0]).collect::<Vec<_>>();
    assert_eq!(data_of(at(1).following().collect()), [2, 3]);
    assert_eq!(data_of(at(2).preceding().collect()), [1, 0]);
    assert_eq!(data_of(at(3).following().collect()), Vec::<u8>::new());
    assert_eq!(data_of(at(0).preceding().collect()), Vec::<u8>::new());
    // Read whole: program, accounts and data as sent.
    assert_eq!(at(0).following().next(), Some(transaction[1].clone()));
}
