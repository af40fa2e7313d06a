//! One file per instruction: its accounts, its validation and its handler.

// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod admin;
pub mod buyback;
pub mod revenue;
pub mod token;
pub mod user;

pub use admin::*;
pub use buyback::*;
pub use revenue::*;
pub use user::*;
