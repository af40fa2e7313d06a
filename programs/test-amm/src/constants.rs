//! Seeds and bounds, named once. The local Jupiter server (`app/jupiter-local`) mirrors the seeds.

/// Pool PDA: `["pool", mint_a, mint_b]`, in the order the pool was created with.
pub const POOL_SEED: &[u8] = b"pool";

/// Vault PDAs: `["vault", pool, mint]`, token accounts whose authority is the pool PDA.
pub const VAULT_SEED: &[u8] = b"vault";

/// Basis-point denominator for the swap fee.
pub const BPS_DENOMINATOR: u64 = 10_000;

/// Largest swap fee a pool may be created with (10%).
pub const MAX_FEE_BPS: u16 = 1_000;
