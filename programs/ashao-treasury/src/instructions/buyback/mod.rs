// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod begin_buyback;
pub mod finish_buyback;
pub mod introspection;

pub use begin_buyback::*;
pub use finish_buyback::*;
