//! What the scenario tests (`fuzz/tests/*.rs` besides the campaign) share: a scenario's result,
//! a named refusal that changes nothing, the events of a transaction's logs, and the runner that
//! prints each scenario's outcome and `N passed, M failed`.

use anchor_lang::{AnchorDeserialize, Discriminator};
use ashao_treasury::errors::TreasuryError;
use base64::prelude::{Engine, BASE64_STANDARD};
use solana_account::Account;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_transaction_error::TransactionError;

use crate::run::Checks;
use crate::world::{TxFailure, World};

/// A scenario: `Err` says what went wrong.
pub type Scenario = fn() -> Result<(), String>;

pub fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

/// The events of a transaction's logs, by type.
pub fn events<E: AnchorDeserialize + Discriminator>(logs: &[String]) -> Vec<E> {
    logs.iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .filter_map(|data| BASE64_STANDARD.decode(data).ok())
        .filter(|bytes| bytes.starts_with(E::DISCRIMINATOR))
        .filter_map(|bytes| E::try_from_slice(&bytes[E::DISCRIMINATOR.len()..]).ok())
        .collect()
}

pub fn named(failure: &TxFailure, error: TreasuryError) -> bool {
    matches!(
        failure.error,
        TransactionError::InstructionError(_, InstructionError::Custom(code)) if code == u32::from(error)
    )
}

/// Every account an instruction names, with what it holds.
pub fn snapshot(world: &World, ix: &Instruction) -> Vec<(Address, Option<Account>)> {
    ix.accounts
        .iter()
        .map(|meta| (meta.pubkey, world.account(&meta.pubkey)))
        .collect()
}

/// Sends `ix` and requires the named refusal with every account it names unchanged.
pub fn refused(
    world: &mut World,
    build: impl FnOnce(&World) -> Instruction,
    error: TreasuryError,
) -> Result<(), String> {
    let ix = build(world);
    let before = snapshot(world, &ix);
    match world.send(std::slice::from_ref(&ix)) {
        Ok(logs) => Err(format!("accepted, wanted {error:?}\n{}", logs.join("\n"))),
        Err(failure) if named(&failure, error) => ensure(snapshot(world, &ix) == before, || {
            format!("{error:?} changed an account")
        }),
        Err(failure) => Err(format!(
            "wanted {error:?}, got {:?}\n{}",
            failure.error,
            failure.logs.join("\n")
        )),
    }
}

/// Runs each scenario, prints its outcome, and exits non-zero when one failed.
pub fn run_scenarios(scenarios: &[(&str, Scenario)]) {
    let mut checks = Checks::default();
    for (name, scenario) in scenarios {
        let outcome = scenario();
        checks.check(name, outcome.is_ok(), outcome.err().unwrap_or_default());
    }
    checks.finish();
}
