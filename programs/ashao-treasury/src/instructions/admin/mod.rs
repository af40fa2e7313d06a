// Each instruction file has its own `handler`; lib.rs calls them by full path.
#![allow(ambiguous_glob_reexports)]

pub mod accept_authority;
pub mod apply_config_change;
pub mod cancel_config_change;
pub mod initialize;
pub mod propose_authority;
pub mod queue_config_change;
pub mod set_paused;
pub mod update_config;

pub use accept_authority::*;
pub use apply_config_change::*;
pub use cancel_config_change::*;
pub use initialize::*;
pub use propose_authority::*;
pub use queue_config_change::*;
pub use set_paused::*;
pub use update_config::*;
