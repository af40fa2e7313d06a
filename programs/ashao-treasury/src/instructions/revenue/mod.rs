// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod deposit_revenue;
pub mod sync_revenue;

pub use deposit_revenue::*;
pub use sync_revenue::*;
