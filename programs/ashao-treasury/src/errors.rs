//! Every rejection is a named error with a message a person can act on.

use anchor_lang::prelude::*;

#[error_code]
pub enum TreasuryError {
    // --- Parameters -------------------------------------------------------------------------
    #[msg("Stream period exceeds the 30-day maximum; choose a shorter stream_period_secs")]
    StreamPeriodTooLong,
    #[msg("Stream period is under the 1-hour minimum; choose a longer stream_period_secs")]
    StreamPeriodTooShort,
    #[msg("Unstake cooldown exceeds the 30-day maximum; choose a shorter unstake_cooldown_secs")]
    UnstakeCooldownTooLong,
    #[msg("Unstake cooldown is under the 1-hour minimum; choose a longer unstake_cooldown_secs")]
    UnstakeCooldownTooShort,
    #[msg("Too many boost tiers; at most 8 are stored")]
    TooManyBoostTiers,
    #[msg("Boost tiers must have strictly ascending min_stake, each above zero")]
    BoostTiersNotAscending,
    #[msg("Boost tiers must have non-decreasing boost_bps")]
    BoostBpsDecreasing,
    #[msg("A boost tier exceeds the 10_000 bps maximum")]
    BoostBpsTooHigh,
    #[msg("Too many crank operators; at most 8 are stored")]
    TooManyCranks,
    #[msg("Crank list holds a duplicate or the default (all-zero) address")]
    InvalidCrank,
    #[msg("max_buyback_usdc must be between 1 and 1,000,000 USDC (1_000_000_000_000 base units)")]
    InvalidMaxBuyback,
    #[msg("max_slippage_bps must be between 1 and 1_000 (10%)")]
    InvalidSlippage,
    #[msg("min_buyback_interval_secs exceeds the 30-day maximum")]
    BuybackIntervalTooLong,
    #[msg("min_buyback_interval_secs is under the 60-second minimum")]
    BuybackIntervalTooShort,
    #[msg("timelock_secs must be at least unstake_cooldown_secs + 1 day (the stakers' reaction window) and at most 31 days")]
    InvalidTimelock,
    #[msg("Price guard: feed_id must be set, max_age_secs 1..=3600, max_confidence_bps 1..=1000")]
    InvalidPriceGuard,

    // --- Mints ------------------------------------------------------------------------------
    #[msg("USDC mint and $ASHAO mint must be different mints")]
    SameMint,
    #[msg("$ASHAO mint has a transfer fee; use a mint without the TransferFeeConfig extension")]
    MintHasTransferFee,
    #[msg("$ASHAO mint has a transfer hook; use a mint without the TransferHook extension")]
    MintHasTransferHook,
    #[msg(
        "$ASHAO mint has a permanent delegate, who could take staked principal; use another mint"
    )]
    MintHasPermanentDelegate,
    #[msg("$ASHAO mint is non-transferable and cannot be staked")]
    MintIsNonTransferable,
    #[msg("$ASHAO mint has a default account state (frozen vaults); use another mint")]
    MintHasDefaultAccountState,
    #[msg("$ASHAO mint is interest-bearing; use a mint without InterestBearingConfig")]
    MintIsInterestBearing,
    #[msg("$ASHAO mint has confidential transfers; use a mint without confidential extensions")]
    MintHasConfidentialTransfer,
    #[msg("$ASHAO mint is pausable; use a mint without the Pausable extension")]
    MintIsPausable,
    #[msg("$ASHAO mint has a scaled UI amount; use a mint without ScaledUiAmount")]
    MintHasScaledUiAmount,
    #[msg("$ASHAO mint has a Token-2022 extension outside the allow-list")]
    MintExtensionNotAllowed,
    #[msg("$ASHAO mint has a freeze authority, who could freeze the stake vault and block every exit; revoke it first")]
    MintHasFreezeAuthority,
    #[msg("$ASHAO mint has a close authority; revoke it (set it to none) first")]
    MintHasCloseAuthority,

    // --- Authority --------------------------------------------------------------------------
    #[msg("Only the treasury authority may do this")]
    Unauthorized,
    #[msg("The proposed authority is already the authority; propose a different address")]
    InvalidNewAuthority,
    #[msg("No authority transfer is pending; the authority must propose one first")]
    NoPendingAuthority,
    #[msg("Only the pending authority may accept the transfer")]
    NotPendingAuthority,
    #[msg("The authority transfer was not accepted within 14 days of its accept_after and has expired; the authority must propose it again")]
    AuthorityProposalExpired,
    #[msg("Only the program's upgrade authority may initialize the treasury (pass the program and its ProgramData account)")]
    NotUpgradeAuthority,
    #[msg("This change adds risk and must wait out the timelock; use queue_config_change")]
    ChangeNeedsTimelock,
    #[msg("The change leaves every parameter as it is")]
    NoConfigChange,
    #[msg("A config change is already queued; apply or cancel it first")]
    ConfigChangeAlreadyQueued,
    #[msg("No config change is queued")]
    NoQueuedConfigChange,
    #[msg("The timelock has not elapsed yet; try again at or after the queued eta")]
    TimelockNotElapsed,
    #[msg("The queued change was not applied within 14 days of its eta and has expired; queue it again (that replaces it)")]
    ConfigChangeExpired,

    // --- Operations -------------------------------------------------------------------------
    #[msg(
        "The treasury is paused; staking, deposits and syncs resume when the authority unpauses"
    )]
    Paused,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Amount exceeds the position's staked balance")]
    InsufficientStake,
    #[msg("Amount exceeds the balance of the token account it would come from")]
    InsufficientBalance,
    #[msg("Nothing is unstaking; call request_unstake first")]
    NothingToWithdraw,
    #[msg("No unstake request has finished its cooldown; withdraw at or after the earliest ticket's available_at")]
    CooldownNotElapsed,
    #[msg("The position already holds 8 unstake requests cooling down; withdraw the matured ones or wait until one matures")]
    UnstakeTicketsFull,
    #[msg("No rewards are owed to this position yet")]
    NothingToClaim,
    #[msg(
        "Position still holds stake, unstaking principal or owed rewards; withdraw and claim first"
    )]
    PositionNotEmpty,
    #[msg("No unaccounted USDC in the treasury vaults; nothing to sync")]
    NothingToSync,
    #[msg("Destination is a treasury vault; pass your own token account")]
    InvalidDestination,
    #[msg("Position owner does not match the signer")]
    PositionOwnerMismatch,

    // --- Internal ---------------------------------------------------------------------------
    #[msg("A vault holds less than the treasury accounts for; report this to the protocol team")]
    VaultShortfall,
    #[msg("An account invariant does not hold; the transaction was rolled back")]
    InvariantViolated,
    #[msg("Arithmetic overflow or underflow")]
    MathOverflow,

    // --- Buyback ----------------------------------------------------------------------------
    #[msg("The signer is not on the treasury's crank allow-list")]
    CrankNotAllowed,
    #[msg(
        "begin_buyback and finish_buyback must be top-level instructions, not called through a CPI"
    )]
    BuybackNotTopLevel,
    #[msg(
        "begin_buyback needs exactly one finish_buyback later in the same transaction, with the same crank and token accounts"
    )]
    MissingFinishBuyback,
    #[msg(
        "Between begin_buyback and finish_buyback only the swap program, the associated token program's create instructions and compute budget may run"
    )]
    BuybackInstructionNotAllowed,
    #[msg(
        "An instruction between begin_buyback and finish_buyback names a treasury account, or moves the crank's USDC or $ASHAO outside the swap"
    )]
    BuybackTouchesTreasury,
    #[msg("The buyback amount exceeds max_buyback_usdc")]
    BuybackTooLarge,
    #[msg("The buyback amount exceeds the USDC in the buyback bucket")]
    BuybackExceedsBucket,
    #[msg("min_buyback_interval_secs has not passed since the last buyback; try again later")]
    BuybackTooSoon,
    #[msg("A buyback is already in progress in this transaction")]
    BuybackInProgress,
    #[msg("finish_buyback needs a matching begin_buyback earlier in the same transaction")]
    NoBuybackInProgress,
    #[msg("The swap delivered less $ASHAO than min_ashao_out; nothing was spent")]
    MinAshaoOutNotMet,
    #[msg("The swap spent more USDC than begin_buyback took from the bucket")]
    BuybackOverspent,
    #[msg("No price guard is configured; buybacks stay off until the authority sets one")]
    NoPriceGuard,
    #[msg("The swap delivered less $ASHAO than the oracle price less max_slippage_bps allows; nothing was spent")]
    PriceBelowOracle,

    // --- Oracle -----------------------------------------------------------------------------
    #[msg("The price account is not owned by the guard's oracle program")]
    OracleWrongOwner,
    #[msg("The price account is not a Pyth PriceUpdateV2 account")]
    OracleInvalidAccount,
    #[msg("The price update is for another feed than the guard's feed_id")]
    OracleWrongFeed,
    #[msg("The price update is not fully verified (Wormhole verification level must be Full)")]
    OracleNotFullyVerified,
    #[msg("The oracle price is older than the guard's max_age_secs; post a fresh price update")]
    OracleStale,
    #[msg("The oracle price is published more than 10 seconds after the chain's clock; wait for the clock to catch up")]
    OraclePublishedInFuture,
    #[msg("The oracle price's confidence interval is wider than the guard allows")]
    OracleConfidenceTooWide,
    #[msg("The oracle price is not positive or its exponent is out of range")]
    OraclePriceInvalid,

    // --- Usage settlement (appended: the codes above stay as they were) ----------------------
    #[msg("Too many billing authorities; at most 4 are stored")]
    TooManyBillingAuthorities,
    #[msg("Billing authority list holds a duplicate or the default (all-zero) address")]
    InvalidBillingAuthority,
    #[msg("The signer is not one of the treasury's billing authorities; only they settle usage")]
    BillingNotAllowed,
    #[msg("A settlement pays at most 9 workers; split the batch into several")]
    TooManyWorkers,
    #[msg("Pass two remaining accounts per worker, in the order of the bases: the worker's USDC account (writable), then its stake position address")]
    WorkerAccountsMismatch,
    #[msg("The same worker (owner of a worker USDC account) is named twice in the batch; merge its rows")]
    DuplicateWorker,
    #[msg("A worker's USDC account is not a writable, initialised, unfrozen SPL Token account")]
    InvalidWorkerAccount,
    #[msg("A worker's account holds another mint than the treasury's USDC")]
    WorkerAccountWrongMint,
    #[msg("The stake position passed for a worker is not the position address of the owner of the worker's USDC account")]
    WorkerPositionMismatch,
    #[msg("The workers' base shares add up to more than the batch's gross; the gross pays the bases and the protocol's remainder")]
    BasesExceedGross,
    #[msg("This billing authority already settled this batch id; nothing was paid again")]
    BatchAlreadySettled,
    #[msg("The batch id is older than the 4,096 ids the ledger remembers, so whether it settled cannot be told; settle it under a new id only if it never settled")]
    BatchIdTooOld,
    #[msg("The batch id is more than 8,192 ids past the ledger's window; use the next id after the last settled one")]
    BatchIdTooFarAhead,
}
