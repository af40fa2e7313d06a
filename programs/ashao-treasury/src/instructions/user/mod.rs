// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod claim;
pub mod close_position;
pub mod request_unstake;
pub mod stake;
pub mod withdraw;

pub use claim::*;
pub use close_position::*;
pub use request_unstake::*;
pub use stake::*;
pub use withdraw::*;
