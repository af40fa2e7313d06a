// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod deposit_revenue;
pub mod settle_usage;
pub mod sync_revenue;

pub use deposit_revenue::*;
pub use settle_usage::*;
pub use sync_revenue::*;
