//! Account types, one file each, each with an `invariant()` checked at the end of every handler
//! that changes it.

pub mod config_change;
pub mod stake_position;
pub mod treasury_config;
pub mod usage_ledger;

pub use config_change::*;
pub use stake_position::*;
pub use treasury_config::*;
pub use usage_ledger::*;
