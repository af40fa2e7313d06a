//! One instruction per file: its accounts struct and its handler.
//!
//! The glob re-exports carry the account structs and the modules Anchor's `#[program]` macro
//! generates beside them; each file's `handler` is called by its full path from `lib.rs`.
#![allow(ambiguous_glob_reexports)]

pub mod add_liquidity;
pub mod create_pool;
pub mod swap;

pub use add_liquidity::*;
pub use create_pool::*;
pub use swap::*;
