//! Pure integer math: no accounts, no clock. Every function floors (in the protocol's favour)
//! and returns `MathOverflow` instead of wrapping.

pub mod batch_window;
pub mod buyback;
pub mod price;
pub mod rewards;
pub mod split;
pub mod usage;
