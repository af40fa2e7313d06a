// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod accept_authority;
pub mod initialize;
pub mod propose_authority;
pub mod set_paused;
pub mod update_config;

pub use accept_authority::*;
pub use initialize::*;
pub use propose_authority::*;
pub use set_paused::*;
pub use update_config::*;
