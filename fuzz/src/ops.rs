//! The steps of a run. A step is data (it serialises to JSON), and its amounts and accounts are
//! symbolic ("all of the staker's balance", "one more than it") and resolved against the chain
//! when the step runs, so a shrunk sequence still hits the same edges.

use serde::{Deserialize, Serialize};

use crate::world::{Actor, Vault};

/// An amount, resolved against a balance when the step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Amount {
    Zero,
    One,
    Max,
    /// All of the relevant balance.
    All,
    /// One more than the relevant balance.
    OverBalance,
    /// This many thousandths of the balance (at least 1).
    PerMille(u16),
    Exact(u64),
}

impl Amount {
    pub fn resolve(self, balance: u64) -> u64 {
        match self {
            Amount::Zero => 0,
            Amount::One => 1,
            Amount::Max => u64::MAX,
            Amount::All => balance,
            Amount::OverBalance => balance.saturating_add(1),
            Amount::PerMille(m) => ((u128::from(balance) * u128::from(m) / 1_000) as u64).max(1),
            Amount::Exact(v) => v,
        }
    }
}

/// An account the attacker (or a careless caller) puts in place of the right one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sub {
    None,
    /// Another actor's stake position.
    PositionOf(Actor),
    /// The user-side token account (source, destination, crank account) of another actor.
    TokenAccountOf(Actor),
    /// A treasury vault as the user-side account (destination, source).
    TreasuryVault(Vault),
    /// The buyback and rewards vaults swapped, or a treasury vault replaced by another vault.
    SwapVaults,
    /// A treasury vault replaced by the attacker's own token account of the same mint.
    AttackerVault,
    /// A mint replaced by the attacker's mint (and its token account where one is needed).
    WrongMint,
    /// The token program replaced by the other token program.
    WrongTokenProgram,
    /// The token program replaced by the System Program.
    NotATokenProgram,
    /// The config replaced by a copy owned by the System Program.
    ForeignConfig,
    /// The config replaced by a copy owned by the treasury at a non-PDA address.
    ForgedConfig,
}

/// Which batch id a settlement names, against the signer's ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchCase {
    /// One past the highest settled (0 for a fresh ledger).
    Next,
    /// This many past the highest settled.
    Ahead(u64),
    /// The highest settled again (a retry).
    Replay,
    /// One below the window.
    TooOld,
    /// Just beyond how far past the window an id may be.
    TooFarAhead,
}

/// What is wrong with a settlement's workers, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettleDefect {
    None,
    /// The bases add up to one unit more than the gross.
    BasesOverGross,
    /// The first worker named again at the end.
    Duplicate,
    /// The first worker's USDC account replaced by the attacker's account of its own mint.
    WrongMint,
    /// The first worker's position replaced by this actor's (another owner's).
    PositionOf(Actor),
    /// The first worker's USDC account replaced by the buyback vault.
    TreasuryVault,
}

/// A change of parameters, with actors and programs named symbolically (fields left out of a
/// case's JSON keep their value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Change {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_period_secs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unstake_cooldown_secs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boost_tiers: Option<Vec<(u64, u16)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_buyback_usdc: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_buyback_interval_secs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_slippage_bps: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swap_program: Option<SwapTarget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cranks: Option<Vec<Actor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_guard: Option<Guard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timelock_secs: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwapTarget {
    TestAmm,
    /// `Pubkey::default()`: buybacks off.
    Default,
    /// The SPL Token program (would let token instructions run between the halves).
    TokenProgram,
    /// The treasury itself.
    Treasury,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Guard {
    None,
    Pyth {
        feed: Feed,
        max_age_secs: u32,
        max_confidence_bps: u16,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Feed {
    Ashao,
    Other,
    Zero,
}

/// The price update a buyback presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oracle {
    pub price: PriceCase,
    pub exponent: i32,
    pub age: AgeCase,
    pub conf: ConfCase,
    pub defect: Defect,
}

/// The price relative to the least price that lets this swap pass the guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriceCase {
    /// This many basis points above the boundary (passes).
    Above(u16),
    /// Exactly the boundary (passes).
    AtBoundary,
    /// One unit below the boundary (fails: `PriceBelowOracle`).
    JustBelow,
    /// This many basis points below the boundary.
    Below(u16),
    Zero,
    Negative,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgeCase {
    Fresh,
    /// Exactly `max_age_secs` old (passes).
    AtLimit,
    /// Older than `max_age_secs` by this many seconds.
    Stale(u32),
    /// Published in the future by this many seconds.
    Future(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfCase {
    Zero,
    /// Exactly `max_confidence_bps` of the price (passes).
    AtLimit,
    /// One unit wider than allowed.
    OverLimit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Defect {
    None,
    WrongFeed,
    Partial,
    /// Owned by someone other than the Pyth Receiver.
    WrongOwner,
    Garbage,
}

/// The shape of a buyback transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shape {
    /// begin, swap of everything lent, finish.
    Normal,
    /// begin, swap of part of what was lent (thousandths), finish: the rest goes back.
    PartialSwap(u16),
    /// begin, swap, no finish.
    NoFinish,
    /// begin, finish: nothing bought.
    NoSwap,
    /// The swap's output goes to the attacker's account (another's when the attacker is the
    /// crank).
    SwapToAttacker,
    /// A token transfer out of the crank's USDC account between the halves.
    TransferBetween,
    /// Compute budget and an associated-account create between the halves (allowed).
    AllowedBetween,
    /// The swap spends more than was lent (from the crank's own USDC).
    Overspend,
    /// finish alone.
    FinishOnly,
    /// Two begins before one finish.
    DoubleBegin,
}

/// What `min_ashao_out` the crank asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MinOut {
    /// The quote's output (met exactly).
    Quote,
    /// One more than the quote gives (`MinAshaoOutNotMet`).
    AboveQuote,
    One,
    Zero,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Moves the clock forward.
    Warp(u64),
    Stake {
        who: Actor,
        amount: Amount,
        sub: Sub,
    },
    RequestUnstake {
        who: Actor,
        amount: Amount,
        sub: Sub,
    },
    Withdraw {
        who: Actor,
        sub: Sub,
    },
    Claim {
        who: Actor,
        sub: Sub,
    },
    ClosePosition {
        who: Actor,
        sub: Sub,
    },
    DepositRevenue {
        who: Actor,
        amount: Amount,
        sub: Sub,
    },
    /// `settle_usage` of a batch: each worker with its base, the gross the bases plus `extra`
    /// (one unit below the bases with `SettleDefect::BasesOverGross`), signed by `who`.
    SettleUsage {
        who: Actor,
        batch: BatchCase,
        workers: Vec<(Actor, u64)>,
        extra: u64,
        defect: SettleDefect,
    },
    /// A plain token transfer into a vault (revenue the program learns of at the next sync, or
    /// $ASHAO donated to the stake vault).
    PlainTransfer {
        who: Actor,
        to: Vault,
        amount: Amount,
    },
    SyncRevenue {
        who: Actor,
        sub: Sub,
    },
    UpdateConfig {
        who: Actor,
        change: Change,
    },
    QueueConfigChange {
        who: Actor,
        change: Change,
    },
    ApplyConfigChange {
        who: Actor,
    },
    CancelConfigChange {
        who: Actor,
    },
    ProposeAuthority {
        who: Actor,
        /// `None` proposes the default key (cancels).
        to: Option<Actor>,
    },
    AcceptAuthority {
        who: Actor,
    },
    SetPaused {
        who: Actor,
        paused: bool,
    },
    Buyback {
        who: Actor,
        amount: Amount,
        min_out: MinOut,
        oracle: Oracle,
        shape: Shape,
        sub: Sub,
    },
    /// The liquidity provider trades against the pool, moving its price.
    MarketSwap {
        usdc_in: bool,
        amount: Amount,
    },
    /// `initialize` again (always refused once the treasury exists).
    Initialize {
        who: Actor,
    },
}

impl Op {
    /// The treasury instructions the step sends, by name (for coverage and heap figures).
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Warp(_) => "warp",
            Op::Stake { .. } => "stake",
            Op::RequestUnstake { .. } => "request_unstake",
            Op::Withdraw { .. } => "withdraw",
            Op::Claim { .. } => "claim",
            Op::ClosePosition { .. } => "close_position",
            Op::DepositRevenue { .. } => "deposit_revenue",
            Op::SettleUsage { .. } => "settle_usage",
            Op::PlainTransfer { .. } => "plain_transfer",
            Op::SyncRevenue { .. } => "sync_revenue",
            Op::UpdateConfig { .. } => "update_config",
            Op::QueueConfigChange { .. } => "queue_config_change",
            Op::ApplyConfigChange { .. } => "apply_config_change",
            Op::CancelConfigChange { .. } => "cancel_config_change",
            Op::ProposeAuthority { .. } => "propose_authority",
            Op::AcceptAuthority { .. } => "accept_authority",
            Op::SetPaused { .. } => "set_paused",
            Op::Buyback { .. } => "buyback",
            Op::MarketSwap { .. } => "market_swap",
            Op::Initialize { .. } => "initialize",
        }
    }
}
