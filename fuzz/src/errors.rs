//! Naming refusals. A refusal passes only when it is one of these (anything else is a finding):
//!
//! - a `TreasuryError` (code 6000 and up; every one has a message a person can act on), named
//!   from the committed IDL (`app/sdk/src/idl/ashao_treasury.json`);
//! - one of Anchor's account-validation errors ([`ACCEPTED_ANCHOR_ERRORS`]): the declarative
//!   constraints (`has_one`, `seeds`, `address`, `token::*`, …) and account checks (owner,
//!   discriminator, program id, signer) that run before a handler, logged with the account's name;
//! - from a program the treasury calls, exactly one, where the caller chose it: the System
//!   Program's `AccountAlreadyInUse` for a second `initialize` (a stake or deposit over the
//!   signer's balance is the treasury's own `InsufficientBalance`, before any transfer);
//! - a test AMM error (named from its IDL) from the swap instruction of a buyback transaction.
//!
//! Runtime errors (`MissingRequiredSignature`, `PrivilegeEscalation`, …), a panic
//! (`ProgramFailedToComplete` with `panicked at` in the log), Anchor's generic `Require*Violated`
//! and any other code are not named refusals.

use std::collections::HashMap;
use std::sync::OnceLock;

use anchor_lang::error::ErrorCode;
use solana_instruction_error::InstructionError;

/// Anchor errors accepted as named refusals.
pub const ACCEPTED_ANCHOR_ERRORS: &[ErrorCode] = &[
    ErrorCode::InstructionFallbackNotFound,
    ErrorCode::InstructionDidNotDeserialize,
    ErrorCode::ConstraintMut,
    ErrorCode::ConstraintHasOne,
    ErrorCode::ConstraintSigner,
    ErrorCode::ConstraintRaw,
    ErrorCode::ConstraintOwner,
    ErrorCode::ConstraintSeeds,
    ErrorCode::ConstraintAddress,
    ErrorCode::ConstraintTokenMint,
    ErrorCode::ConstraintTokenOwner,
    ErrorCode::ConstraintTokenTokenProgram,
    ErrorCode::ConstraintMintTokenProgram,
    ErrorCode::ConstraintDuplicateMutableAccount,
    ErrorCode::AccountDiscriminatorNotFound,
    ErrorCode::AccountDiscriminatorMismatch,
    ErrorCode::AccountDidNotDeserialize,
    ErrorCode::AccountNotEnoughKeys,
    ErrorCode::AccountNotMutable,
    ErrorCode::AccountOwnedByWrongProgram,
    ErrorCode::InvalidProgramId,
    ErrorCode::InvalidProgramExecutable,
    ErrorCode::AccountNotSigner,
    ErrorCode::AccountNotInitialized,
    ErrorCode::AccountNotProgramData,
    ErrorCode::AccountSysvarMismatch,
];

/// The System Program's `SystemError::AccountAlreadyInUse`.
pub const SYSTEM_ACCOUNT_ALREADY_IN_USE: u32 = 0;

/// Which program's error table a failed instruction's code is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    /// The code came from the treasury's own instruction (its own, Anchor's, or a callee's).
    Treasury,
    /// The test AMM's swap between the halves of a buyback.
    Amm,
    /// Any other program at the top level.
    Other,
}

/// What the caller allowed a callee's own error to be, for this instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CalleeErrors {
    pub system_account_in_use: bool,
}

/// A refusal, by name, or why it has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Named(String),
    Unnamed(String),
}

impl Refusal {
    pub fn name(&self) -> &str {
        match self {
            Refusal::Named(n) | Refusal::Unnamed(n) => n,
        }
    }

    pub fn is_named(&self) -> bool {
        matches!(self, Refusal::Named(_))
    }
}

fn idl_errors(json: &str) -> HashMap<u32, String> {
    let idl: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    idl["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| {
                    Some((
                        u32::try_from(e["code"].as_u64()?).ok()?,
                        e["name"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn treasury_errors() -> &'static HashMap<u32, String> {
    static TABLE: OnceLock<HashMap<u32, String>> = OnceLock::new();
    TABLE.get_or_init(|| idl_errors(include_str!("../../app/sdk/src/idl/ashao_treasury.json")))
}

fn amm_errors() -> &'static HashMap<u32, String> {
    static TABLE: OnceLock<HashMap<u32, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        idl_errors(include_str!(
            "../../app/jupiter-local/src/idl/test_amm.json"
        ))
    })
}

/// The name of one of our errors, when `code` is one.
pub fn treasury_error_name(code: u32) -> Option<&'static str> {
    treasury_errors().get(&code).map(String::as_str)
}

/// The code of one of our errors, by name.
pub fn treasury_error_code(name: &str) -> Option<u32> {
    treasury_errors()
        .iter()
        .find(|(_, n)| n.as_str() == name)
        .map(|(c, _)| *c)
}

fn anchor_error_name(code: u32) -> Option<String> {
    ACCEPTED_ANCHOR_ERRORS
        .iter()
        .find(|e| u32::from(**e) == code)
        .map(|e| e.name())
}

/// Names the error a failed instruction returned.
pub fn classify(callee: Callee, error: &InstructionError, allowed: CalleeErrors) -> Refusal {
    let InstructionError::Custom(code) = error else {
        return Refusal::Unnamed(format!("{error:?}"));
    };
    let code = *code;
    match callee {
        Callee::Treasury => {
            if let Some(name) = treasury_error_name(code) {
                Refusal::Named(name.to_string())
            } else if let Some(name) = anchor_error_name(code) {
                Refusal::Named(name)
            } else if allowed.system_account_in_use && code == SYSTEM_ACCOUNT_ALREADY_IN_USE {
                Refusal::Named("SystemError::AccountAlreadyInUse".into())
            } else {
                Refusal::Unnamed(format!("Custom({code})"))
            }
        }
        Callee::Amm => match amm_errors().get(&code) {
            Some(name) => Refusal::Named(format!("test_amm::{name}")),
            None => Refusal::Unnamed(format!("test_amm Custom({code})")),
        },
        Callee::Other => Refusal::Unnamed(format!("Custom({code}) from another program")),
    }
}
