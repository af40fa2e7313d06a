//! JSON-RPC over HTTP, with Solana's method names, parameters and response shapes.

use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::prelude::{Engine, BASE64_STANDARD};
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use jsonrpsee::types::ErrorObjectOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use solana_account::{Account, AccountSharedData, ReadableAccount};
use solana_account_decoder::parse_account_data::{
    AccountAdditionalDataV3, SplTokenAdditionalDataV2,
};
use solana_account_decoder::parse_token::{
    get_token_account_mint, parse_token_v3, token_amount_to_ui_amount_v3, TokenAccountType,
};
use solana_account_decoder::{encode_ui_account, UiAccount, UiAccountEncoding, UiDataSliceConfig};
use solana_address::Address;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_message::VersionedMessage;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcBlockConfig, RpcContextConfig, RpcEncodingConfigWrapper,
    RpcProgramAccountsConfig, RpcRequestAirdropConfig, RpcSendTransactionConfig,
    RpcSignatureStatusConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
    RpcTokenAccountsFilter, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::request::MAX_GET_PROGRAM_ACCOUNT_FILTERS;
use solana_rpc_client_api::response::{
    OptionalContext, Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature,
    RpcContactInfo, RpcIdentity, RpcKeyedAccount, RpcPrioritizationFee, RpcResponseContext,
    RpcSimulateTransactionResult, RpcTokenAccountBalance, RpcVersionInfo,
};
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status::{
    BlockEncodingOptions, ConfirmedBlock, ConfirmedTransactionWithStatusMeta,
    EncodedConfirmedTransactionWithStatusMeta, TransactionBinaryEncoding,
    TransactionConfirmationStatus, TransactionStatus, TransactionWithStatusMeta,
    UiInnerInstructions, UiTransactionEncoding, UiTransactionReturnData,
    VersionedTransactionWithStatusMeta,
};

use crate::chain::{
    Chain, Execution, ProgramAccount, MAX_CLOCK_ADVANCE_SECS, SPL_TOKEN_2022_ID, SPL_TOKEN_ID,
};

pub type SharedChain = Arc<Mutex<Chain>>;

/// The agave version whose runtime crates this validator runs.
const SOLANA_CORE_VERSION: &str = "4.2.2";
/// `getVersion`'s `feature-set` (first 4 bytes of the feature set identifier).
const FEATURE_SET_ID: u32 = 0x9a8f_e2e3;

pub fn lock(chain: &SharedChain) -> MutexGuard<'_, Chain> {
    chain.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Errors

pub const INVALID_REQUEST: i32 = -32600;
pub const INVALID_PARAMS: i32 = -32602;
pub const INTERNAL_ERROR: i32 = -32603;
pub const BLOCK_CLEANED_UP: i32 = -32001;
pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i32 = -32002;
pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i32 = -32003;
pub const BLOCK_NOT_AVAILABLE: i32 = -32004;
pub const UNSUPPORTED_TRANSACTION_VERSION: i32 = -32015;
pub const SLOT_SKIPPED: i32 = -32007;
pub const MIN_CONTEXT_SLOT_NOT_REACHED: i32 = -32016;

pub fn invalid_params(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(INVALID_PARAMS, message.into(), None::<()>)
}

pub fn internal(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(INTERNAL_ERROR, message.into(), None::<()>)
}

pub fn parse_address(s: &str) -> RpcResult<Address> {
    Address::from_str(s).map_err(|e| invalid_params(format!("Invalid param: {e:?}")))
}

fn parse_signature(s: &str) -> RpcResult<Signature> {
    Signature::from_str(s).map_err(|_| invalid_params("Invalid param: Invalid"))
}

fn parse_hash(s: &str) -> RpcResult<Hash> {
    Hash::from_str(s).map_err(|_| invalid_params(format!("Invalid param: {s} is not a valid hash")))
}

fn context(chain: &Chain) -> RpcResponseContext {
    RpcResponseContext::new(chain.slot)
}

pub fn respond<T>(chain: &Chain, value: T) -> Response<T> {
    Response {
        context: context(chain),
        value,
    }
}

/// agave's `MinContextSlotNotReached` when the chain is not yet at `min_context_slot`.
pub fn min_context(chain: &Chain, min_context_slot: Option<u64>) -> RpcResult<()> {
    match min_context_slot {
        Some(min) if chain.slot < min => Err(ErrorObjectOwned::owned(
            MIN_CONTEXT_SLOT_NOT_REACHED,
            "Minimum context slot has not been reached",
            Some(json!({ "contextSlot": chain.slot })),
        )),
        _ => Ok(()),
    }
}

/// Ledger methods refuse `processed`, as agave's `check_is_at_least_confirmed`.
pub fn at_least_confirmed(commitment: Option<CommitmentConfig>) -> RpcResult<()> {
    if commitment.is_some_and(|c| !c.is_at_least_confirmed()) {
        return Err(invalid_params(
            "Method does not support commitment below `confirmed`",
        ));
    }
    Ok(())
}

/// Why there is no block at `slot`, with agave's codes: not produced yet, no longer kept, or a
/// slot that was skipped (`localnet_advanceClock` skips all but the last slot it moves over).
fn missing_block(chain: &Chain, slot: u64) -> ErrorObjectOwned {
    let first_available = chain.first_available_block();
    if slot > chain.slot {
        ErrorObjectOwned::owned(
            BLOCK_NOT_AVAILABLE,
            format!("Block not available for slot {slot}"),
            None::<()>,
        )
    } else if slot < first_available {
        ErrorObjectOwned::owned(
            BLOCK_CLEANED_UP,
            format!(
                "Block {slot} cleaned up, does not exist on node. First available block: {first_available}"
            ),
            None::<()>,
        )
    } else {
        ErrorObjectOwned::owned(
            SLOT_SKIPPED,
            format!("Slot {slot} was skipped, or missing due to ledger jump to recent snapshot"),
            None::<()>,
        )
    }
}

fn min_slot(config: &Option<RpcContextConfig>) -> Option<u64> {
    config.as_ref().and_then(|c| c.min_context_slot)
}

// ---------------------------------------------------------------------------------------------
// Account encoding

/// Encodes an account as `getAccountInfo` does (jsonParsed token accounts get their decimals).
pub fn ui_account(
    chain: &Chain,
    pubkey: &Address,
    account: &impl ReadableAccount,
    encoding: UiAccountEncoding,
    data_slice: Option<UiDataSliceConfig>,
) -> UiAccount {
    let decimals = token_decimals(chain, account, encoding);
    ui_account_with(pubkey, account, encoding, decimals, data_slice)
}

/// What `ui_account` reads from the chain: a jsonParsed token account's mint decimals.
fn token_decimals(
    chain: &Chain,
    account: &impl ReadableAccount,
    encoding: UiAccountEncoding,
) -> Option<u8> {
    if encoding == UiAccountEncoding::JsonParsed
        && (*account.owner() == SPL_TOKEN_ID || *account.owner() == SPL_TOKEN_2022_ID)
    {
        get_token_account_mint(account.data()).and_then(|mint| chain.mint_decimals(&mint))
    } else {
        None
    }
}

/// `ui_account` with the mint decimals already read, so it can run without the chain's lock.
fn ui_account_with(
    pubkey: &Address,
    account: &impl ReadableAccount,
    encoding: UiAccountEncoding,
    decimals: Option<u8>,
    data_slice: Option<UiDataSliceConfig>,
) -> UiAccount {
    let additional = decimals.map(|decimals| AccountAdditionalDataV3 {
        spl_token_additional_data: Some(SplTokenAdditionalDataV2::with_decimals(decimals)),
    });
    encode_ui_account(pubkey, account, encoding, additional, data_slice)
}

fn check_slice(encoding: UiAccountEncoding, slice: &Option<UiDataSliceConfig>) -> RpcResult<()> {
    if slice.is_some() && encoding == UiAccountEncoding::JsonParsed {
        // agave ignores dataSlice for jsonParsed (falls back to binary); accept it.
        return Ok(());
    }
    Ok(())
}

/// agave's `verify_filters` (at most four, each well formed), then its `optimize_filters`: a
/// memcmp's base58 or base64 bytes decoded once, not for every account compared.
pub fn prepare_filters(filters: &mut [RpcFilterType]) -> RpcResult<()> {
    if filters.len() > MAX_GET_PROGRAM_ACCOUNT_FILTERS {
        return Err(invalid_params(format!(
            "Too many filters provided; max {MAX_GET_PROGRAM_ACCOUNT_FILTERS}"
        )));
    }
    for f in filters {
        f.verify()
            .map_err(|e| invalid_params(format!("Invalid param: {e:?}")))?;
        if let RpcFilterType::Memcmp(memcmp) = f {
            memcmp
                .convert_to_raw_bytes()
                .map_err(|e| invalid_params(format!("Invalid param: {e:?}")))?;
        }
    }
    Ok(())
}

pub fn filters_match(filters: &[RpcFilterType], account: &Account) -> bool {
    filters_match_data(filters, &account.owner, &account.data)
}

/// `filters_match_data` for an account of the owner index: answered from its entry (the data's
/// length and first bytes) where the filters look there, from the runtime's account otherwise.
fn filters_match_indexed(
    filters: &[RpcFilterType],
    owner: &Address,
    found: &ProgramAccount,
) -> bool {
    let data = || found.account().map(|a| a.data()).unwrap_or_default();
    filters.iter().all(|f| match f {
        RpcFilterType::DataSize(n) => found.entry.data_len() as u64 == *n,
        RpcFilterType::Memcmp(m) => m
            .raw_bytes_as_ref()
            .and_then(|bytes| found.entry.bytes_at(m.offset(), bytes))
            .unwrap_or_else(|| m.bytes_match(data())),
        RpcFilterType::TokenAccountState => {
            filters_match_data(std::slice::from_ref(f), owner, data())
        }
    })
}

fn filters_match_data(filters: &[RpcFilterType], owner: &Address, data: &[u8]) -> bool {
    filters.iter().all(|f| match f {
        RpcFilterType::DataSize(n) => data.len() as u64 == *n,
        RpcFilterType::Memcmp(m) => m.bytes_match(data),
        RpcFilterType::TokenAccountState => {
            (*owner == SPL_TOKEN_ID || *owner == SPL_TOKEN_2022_ID)
                && get_token_account_mint(data).is_some()
        }
    })
}

fn token_amount(
    chain: &Chain,
    account: &impl ReadableAccount,
) -> Option<solana_account_decoder::parse_token::UiTokenAmount> {
    let mint = get_token_account_mint(account.data())?;
    let decimals = chain.mint_decimals(&mint)?;
    match parse_token_v3(
        account.data(),
        Some(&SplTokenAdditionalDataV2::with_decimals(decimals)),
    )
    .ok()?
    {
        TokenAccountType::Account(ui) => Some(ui.token_amount),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Transactions

fn decode_transaction(
    data: &str,
    encoding: UiTransactionEncoding,
) -> RpcResult<VersionedTransaction> {
    let binary = encoding.into_binary_encoding().ok_or_else(|| {
        invalid_params(format!(
            "unsupported encoding: {encoding}. Supported encodings: base58, base64"
        ))
    })?;
    let bytes = match binary {
        TransactionBinaryEncoding::Base58 => bs58::decode(data)
            .into_vec()
            .map_err(|e| invalid_params(format!("invalid base58 encoding: {e:?}")))?,
        TransactionBinaryEncoding::Base64 => BASE64_STANDARD
            .decode(data)
            .map_err(|e| invalid_params(format!("invalid base64 encoding: {e:?}")))?,
    };
    if bytes.len() > 1232 {
        return Err(invalid_params(format!(
            "base64 encoded solana_transaction::versioned::VersionedTransaction too large: {} bytes (max: encoded/raw 1644/1232)",
            bytes.len()
        )));
    }
    let tx: VersionedTransaction = bincode::deserialize(&bytes).map_err(|e| {
        invalid_params(format!(
            "failed to deserialize solana_transaction::versioned::VersionedTransaction: {e}"
        ))
    })?;
    tx.sanitize().map_err(|e| {
        invalid_params(format!(
            "invalid transaction: {}",
            TransactionError::from(e)
        ))
    })?;
    Ok(tx)
}

fn simulation_result(
    chain: &Chain,
    exec: &Execution,
    accounts: Option<(Vec<Address>, UiAccountEncoding)>,
    inner: bool,
    replacement: Option<RpcBlockhash>,
) -> RpcSimulateTransactionResult {
    let accounts = accounts.map(|(addresses, encoding)| {
        addresses
            .iter()
            .map(|a| {
                let account = if exec.result.is_ok() {
                    exec.post_accounts
                        .get(a)
                        .cloned()
                        .or_else(|| chain.get_account(a))
                } else {
                    chain.get_account(a)
                };
                account
                    .filter(|acc| acc.lamports > 0)
                    .map(|acc| ui_account(chain, a, &acc, encoding, None))
            })
            .collect()
    });
    RpcSimulateTransactionResult {
        err: exec.result.clone().err().map(Into::into),
        logs: Some(exec.logs.clone()),
        accounts,
        units_consumed: Some(exec.units_consumed),
        loaded_accounts_data_size: Some(exec.loaded_accounts_data_size),
        return_data: exec.return_data.clone().map(UiTransactionReturnData::from),
        inner_instructions: inner.then(|| {
            exec.inner_instructions
                .iter()
                .cloned()
                .map(UiInnerInstructions::from)
                .collect()
        }),
        replacement_blockhash: replacement,
        fee: Some(exec.fee),
        pre_balances: Some(exec.pre_balances.clone()),
        post_balances: Some(exec.post_balances.clone()),
        pre_token_balances: Some(
            exec.pre_token_balances
                .iter()
                .map(|b| b.to_ui().into())
                .collect(),
        ),
        post_token_balances: Some(
            exec.post_token_balances
                .iter()
                .map(|b| b.to_ui().into())
                .collect(),
        ),
        loaded_addresses: Some(solana_transaction_status::UiLoadedAddresses::from(
            &exec.loaded_addresses,
        )),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvanceClockParams {
    pub seconds: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvanceClockResult {
    pub slot: u64,
    pub unix_timestamp: i64,
}

/// An account to write, in the shape of surfpool's `surfnet_setAccount`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetAccountParams {
    pub pubkey: String,
    pub lamports: u64,
    /// Base64.
    pub data: String,
    pub owner: String,
    #[serde(default)]
    pub executable: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetAccountResult {
    pub slot: u64,
}

/// Accounts to write in one call (`localnet_setAccounts`), each as `localnet_setAccount` takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetAccountsParams {
    pub accounts: Vec<SetAccountParams>,
}

impl SetAccountParams {
    fn to_account(&self) -> RpcResult<(Address, Account)> {
        let address = parse_address(&self.pubkey)?;
        let owner = parse_address(&self.owner)?;
        let data = BASE64_STANDARD
            .decode(&self.data)
            .map_err(|e| invalid_params(format!("Invalid param: data is not base64: {e}")))?;
        let account = Account {
            lamports: self.lamports,
            data,
            owner,
            executable: self.executable,
            // As the runtime leaves accounts that transactions create.
            rent_epoch: u64::MAX,
        };
        Ok((address, account))
    }
}

// ---------------------------------------------------------------------------------------------
// The API

#[rpc(server)]
pub trait SolanaRpc {
    #[method(name = "getVersion")]
    fn get_version(&self) -> RpcResult<RpcVersionInfo>;
    #[method(name = "getHealth")]
    fn get_health(&self) -> RpcResult<String>;
    #[method(name = "getIdentity")]
    fn get_identity(&self) -> RpcResult<RpcIdentity>;
    #[method(name = "getGenesisHash")]
    fn get_genesis_hash(&self) -> RpcResult<String>;
    #[method(name = "getSlot")]
    fn get_slot(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;
    #[method(name = "getBlockHeight")]
    fn get_block_height(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;
    #[method(name = "getTransactionCount")]
    fn get_transaction_count(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;
    #[method(name = "getEpochInfo")]
    fn get_epoch_info(&self, config: Option<RpcContextConfig>) -> RpcResult<Value>;
    #[method(name = "getEpochSchedule")]
    fn get_epoch_schedule(&self) -> RpcResult<Value>;
    #[method(name = "getLatestBlockhash")]
    fn get_latest_blockhash(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<RpcBlockhash>>;
    #[method(name = "isBlockhashValid")]
    fn is_blockhash_valid(
        &self,
        blockhash: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<bool>>;
    #[method(name = "getFeeForMessage")]
    fn get_fee_for_message(
        &self,
        message: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<Option<u64>>>;
    #[method(name = "getMinimumBalanceForRentExemption")]
    fn get_minimum_balance_for_rent_exemption(
        &self,
        data_len: usize,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<u64>;
    #[method(name = "getBalance")]
    fn get_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<u64>>;
    #[method(name = "getAccountInfo")]
    fn get_account_info(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Option<UiAccount>>>;
    #[method(name = "getMultipleAccounts")]
    fn get_multiple_accounts(
        &self,
        pubkeys: Vec<String>,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<Option<UiAccount>>>>;
    #[method(name = "getProgramAccounts", blocking)]
    fn get_program_accounts(
        &self,
        program_id: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> RpcResult<OptionalContext<Vec<RpcKeyedAccount>>>;
    #[method(name = "getTokenAccountBalance")]
    fn get_token_account_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<solana_account_decoder::parse_token::UiTokenAmount>>;
    #[method(name = "getTokenSupply")]
    fn get_token_supply(
        &self,
        mint: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<solana_account_decoder::parse_token::UiTokenAmount>>;
    #[method(name = "getTokenAccountsByOwner", blocking)]
    fn get_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>>;
    #[method(name = "getTokenAccountsByDelegate", blocking)]
    fn get_token_accounts_by_delegate(
        &self,
        delegate: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>>;
    #[method(name = "getTokenLargestAccounts", blocking)]
    fn get_token_largest_accounts(
        &self,
        mint: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<Vec<RpcTokenAccountBalance>>>;
    #[method(name = "sendTransaction", blocking)]
    fn send_transaction(
        &self,
        data: String,
        config: Option<RpcSendTransactionConfig>,
    ) -> RpcResult<String>;
    #[method(name = "simulateTransaction", blocking)]
    fn simulate_transaction(
        &self,
        data: String,
        config: Option<RpcSimulateTransactionConfig>,
    ) -> RpcResult<Response<RpcSimulateTransactionResult>>;
    #[method(name = "getSignatureStatuses")]
    fn get_signature_statuses(
        &self,
        signatures: Vec<String>,
        config: Option<RpcSignatureStatusConfig>,
    ) -> RpcResult<Response<Vec<Option<TransactionStatus>>>>;
    #[method(name = "getSignaturesForAddress")]
    fn get_signatures_for_address(
        &self,
        address: String,
        config: Option<RpcSignaturesForAddressConfig>,
    ) -> RpcResult<Vec<RpcConfirmedTransactionStatusWithSignature>>;
    #[method(name = "getTransaction")]
    fn get_transaction(
        &self,
        signature: String,
        config: Option<RpcEncodingConfigWrapper<RpcTransactionConfig>>,
    ) -> RpcResult<Option<EncodedConfirmedTransactionWithStatusMeta>>;
    #[method(name = "getBlockTime")]
    fn get_block_time(&self, slot: u64) -> RpcResult<i64>;
    #[method(name = "getBlock")]
    fn get_block(
        &self,
        slot: u64,
        config: Option<RpcEncodingConfigWrapper<RpcBlockConfig>>,
    ) -> RpcResult<Option<Value>>;
    #[method(name = "getFirstAvailableBlock")]
    fn get_first_available_block(&self) -> RpcResult<u64>;
    #[method(name = "minimumLedgerSlot")]
    fn minimum_ledger_slot(&self) -> RpcResult<u64>;
    #[method(name = "getRecentPrioritizationFees")]
    fn get_recent_prioritization_fees(
        &self,
        addresses: Option<Vec<String>>,
    ) -> RpcResult<Vec<RpcPrioritizationFee>>;
    #[method(name = "requestAirdrop", blocking)]
    fn request_airdrop(
        &self,
        pubkey: String,
        lamports: u64,
        config: Option<RpcRequestAirdropConfig>,
    ) -> RpcResult<String>;
    #[method(name = "getClusterNodes")]
    fn get_cluster_nodes(&self) -> RpcResult<Vec<RpcContactInfo>>;
    #[method(name = "localnet_advanceClock", blocking)]
    fn advance_clock(&self, params: AdvanceClockParams) -> RpcResult<AdvanceClockResult>;
    #[method(name = "localnet_setAccount", blocking)]
    fn set_account(&self, params: SetAccountParams) -> RpcResult<SetAccountResult>;
    #[method(name = "localnet_setAccounts", blocking)]
    fn set_accounts(&self, params: SetAccountsParams) -> RpcResult<SetAccountResult>;
}

pub struct RpcImpl {
    pub chain: SharedChain,
    pub rpc_addr: std::net::SocketAddr,
    pub ws_addr: std::net::SocketAddr,
}

fn encoding_of(
    config: &Option<RpcAccountInfoConfig>,
) -> (UiAccountEncoding, Option<UiDataSliceConfig>) {
    let encoding = config
        .as_ref()
        .and_then(|c| c.encoding)
        .unwrap_or(UiAccountEncoding::Binary);
    let slice = config.as_ref().and_then(|c| c.data_slice);
    (encoding, slice)
}

/// The most accounts one transaction may lock, and so the most addresses
/// `getRecentPrioritizationFees` takes (agave's `MAX_TX_ACCOUNT_LOCKS`).
const MAX_TX_ACCOUNT_LOCKS: usize = 128;

/// The most account data agave encodes in base58 (`MAX_BASE58_BYTES`).
const MAX_BASE58_BYTES: usize = 128;

/// Agave's refusal of base58 account data over 128 bytes: `-32600` (invalid request), counting
/// only the bytes a `dataSlice` actually takes.
fn check_binary_size(
    encoding: UiAccountEncoding,
    account: &impl ReadableAccount,
    slice: &Option<UiDataSliceConfig>,
) -> RpcResult<()> {
    if matches!(
        encoding,
        UiAccountEncoding::Binary | UiAccountEncoding::Base58
    ) {
        let len = slice
            .map(|s| s.length.min(account.data().len().saturating_sub(s.offset)))
            .unwrap_or(account.data().len());
        if len > MAX_BASE58_BYTES {
            return Err(ErrorObjectOwned::owned(
                INVALID_REQUEST,
                format!(
                    "Encoded binary (base 58) data should be less than {MAX_BASE58_BYTES} bytes, please use Base64 encoding."
                ),
                None::<()>,
            ));
        }
    }
    Ok(())
}

/// Which field of a token account `getTokenAccountsBy*` matches.
#[derive(Clone, Copy)]
enum TokenAccountKey {
    Owner(Address),
    Delegate(Address),
}

impl TokenAccountKey {
    /// Whether a token account's data (the SPL Token layout, shared by Token-2022) names this
    /// owner, or this delegate (a `COption<Pubkey>` at offset 72).
    fn matches(&self, data: &[u8]) -> bool {
        match self {
            TokenAccountKey::Owner(owner) => data.get(32..64) == Some(owner.as_ref()),
            TokenAccountKey::Delegate(delegate) => {
                data.get(72..76) == Some(&[1, 0, 0, 0])
                    && data.get(76..108) == Some(delegate.as_ref())
            }
        }
    }
}

impl RpcImpl {
    /// `getTokenAccountsByOwner` / `getTokenAccountsByDelegate`: token accounts of a mint or of a
    /// token program whose owner (delegate) is `key`, in address order.
    fn token_accounts(
        &self,
        key: TokenAccountKey,
        filter: &RpcTokenAccountsFilter,
        config: &Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>> {
        let chain = lock(&self.chain);
        min_context(&chain, config.as_ref().and_then(|c| c.min_context_slot))?;
        let (program, mint) = match filter {
            RpcTokenAccountsFilter::Mint(m) => {
                let mint = parse_address(m)?;
                let program = chain
                    .get_account(&mint)
                    .map(|a| a.owner)
                    .filter(|o| *o == SPL_TOKEN_ID || *o == SPL_TOKEN_2022_ID)
                    .ok_or_else(|| invalid_params("Invalid param: could not find mint"))?;
                (program, Some(mint))
            }
            RpcTokenAccountsFilter::ProgramId(p) => {
                let program = parse_address(p)?;
                if program != SPL_TOKEN_ID && program != SPL_TOKEN_2022_ID {
                    return Err(invalid_params(
                        "Invalid param: unrecognized Token program id",
                    ));
                }
                (program, None)
            }
        };
        let (encoding, slice) = encoding_of(config);
        let mut out = Vec::new();
        for found in chain.program_accounts(&program, &[]) {
            let Some(account) = found.account() else {
                continue;
            };
            let pubkey = found.address;
            let data = account.data();
            if get_token_account_mint(data).is_none() || !key.matches(data) {
                continue;
            }
            if let Some(m) = &mint {
                if data.get(..32) != Some(m.as_ref()) {
                    continue;
                }
            }
            check_binary_size(encoding, account, &slice)?;
            out.push(RpcKeyedAccount {
                pubkey: pubkey.to_string(),
                account: ui_account(&chain, pubkey, account, encoding, slice),
            });
        }
        Ok(respond(&chain, out))
    }
}

impl SolanaRpcServer for RpcImpl {
    fn get_version(&self) -> RpcResult<RpcVersionInfo> {
        Ok(RpcVersionInfo {
            solana_core: SOLANA_CORE_VERSION.to_string(),
            feature_set: Some(FEATURE_SET_ID),
        })
    }

    fn get_health(&self) -> RpcResult<String> {
        Ok("ok".to_string())
    }

    fn get_identity(&self) -> RpcResult<RpcIdentity> {
        Ok(RpcIdentity {
            identity: lock(&self.chain).identity.to_string(),
        })
    }

    fn get_genesis_hash(&self) -> RpcResult<String> {
        Ok(lock(&self.chain).genesis_hash.to_string())
    }

    fn get_slot(&self, config: Option<RpcContextConfig>) -> RpcResult<u64> {
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        Ok(chain.slot)
    }

    fn get_block_height(&self, config: Option<RpcContextConfig>) -> RpcResult<u64> {
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        Ok(chain.block_height)
    }

    fn get_transaction_count(&self, config: Option<RpcContextConfig>) -> RpcResult<u64> {
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        Ok(chain.transaction_count())
    }

    fn get_epoch_info(&self, config: Option<RpcContextConfig>) -> RpcResult<Value> {
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        let schedule = chain.epoch_schedule();
        let (epoch, slot_index) = schedule.get_epoch_and_slot_index(chain.slot);
        Ok(json!({
            "absoluteSlot": chain.slot,
            "blockHeight": chain.block_height,
            "epoch": epoch,
            "slotIndex": slot_index,
            "slotsInEpoch": schedule.get_slots_in_epoch(epoch),
            "transactionCount": chain.transaction_count(),
        }))
    }

    fn get_epoch_schedule(&self) -> RpcResult<Value> {
        let s = lock(&self.chain).epoch_schedule();
        Ok(json!({
            "slotsPerEpoch": s.slots_per_epoch,
            "leaderScheduleSlotOffset": s.leader_schedule_slot_offset,
            "warmup": s.warmup,
            "firstNormalEpoch": s.first_normal_epoch,
            "firstNormalSlot": s.first_normal_slot,
        }))
    }

    fn get_latest_blockhash(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<RpcBlockhash>> {
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        Ok(respond(
            &chain,
            RpcBlockhash {
                blockhash: chain.latest_blockhash().to_string(),
                last_valid_block_height: chain.last_valid_block_height(),
            },
        ))
    }

    fn is_blockhash_valid(
        &self,
        blockhash: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<bool>> {
        let hash = parse_hash(&blockhash)?;
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        Ok(respond(&chain, chain.is_blockhash_valid(&hash)))
    }

    fn get_fee_for_message(
        &self,
        message: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<Option<u64>>> {
        let bytes = BASE64_STANDARD
            .decode(&message)
            .map_err(|e| invalid_params(format!("invalid base64 encoding: {e:?}")))?;
        let message: VersionedMessage = bincode::deserialize(&bytes)
            .map_err(|e| invalid_params(format!("failed to deserialize message: {e}")))?;
        message
            .sanitize()
            .map_err(|e| invalid_params(format!("invalid transaction message: {e}")))?;
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        let fee = chain
            .fee_for_message(message)
            .map_err(|e| invalid_params(format!("invalid transaction message: {e}")))?;
        Ok(respond(&chain, fee))
    }

    fn get_minimum_balance_for_rent_exemption(
        &self,
        data_len: usize,
        _config: Option<RpcContextConfig>,
    ) -> RpcResult<u64> {
        Ok(lock(&self.chain)
            .svm()
            .minimum_balance_for_rent_exemption(data_len))
    }

    fn get_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<u64>> {
        let address = parse_address(&pubkey)?;
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        let balance = chain.get_account(&address).map(|a| a.lamports).unwrap_or(0);
        Ok(respond(&chain, balance))
    }

    fn get_account_info(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Option<UiAccount>>> {
        let address = parse_address(&pubkey)?;
        let (encoding, slice) = encoding_of(&config);
        check_slice(encoding, &slice)?;
        let chain = lock(&self.chain);
        min_context(&chain, config.as_ref().and_then(|c| c.min_context_slot))?;
        let value = match chain.get_account(&address) {
            Some(account) => {
                check_binary_size(encoding, &account, &slice)?;
                Some(ui_account(&chain, &address, &account, encoding, slice))
            }
            None => None,
        };
        Ok(respond(&chain, value))
    }

    fn get_multiple_accounts(
        &self,
        pubkeys: Vec<String>,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<Option<UiAccount>>>> {
        if pubkeys.len() > 100 {
            return Err(invalid_params("Too many inputs provided; max 100"));
        }
        let addresses = pubkeys
            .iter()
            .map(|p| parse_address(p))
            .collect::<RpcResult<Vec<_>>>()?;
        let (encoding, slice) = encoding_of(&config);
        let chain = lock(&self.chain);
        min_context(&chain, config.as_ref().and_then(|c| c.min_context_slot))?;
        let mut out = Vec::with_capacity(addresses.len());
        for address in &addresses {
            out.push(match chain.get_account(address) {
                Some(account) => {
                    check_binary_size(encoding, &account, &slice)?;
                    Some(ui_account(&chain, address, &account, encoding, slice))
                }
                None => None,
            });
        }
        Ok(respond(&chain, out))
    }

    fn get_program_accounts(
        &self,
        program_id: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> RpcResult<OptionalContext<Vec<RpcKeyedAccount>>> {
        let program = parse_address(&program_id)?;
        let config = config.unwrap_or_default();
        let mut filters = config.filters.clone().unwrap_or_default();
        prepare_filters(&mut filters)?;
        let encoding = config
            .account_config
            .encoding
            .unwrap_or(UiAccountEncoding::Binary);
        let slice = config.account_config.data_slice;
        // Only the program's accounts are read (the chain's owner index, in address order, its
        // entries answering the filters), the matching ones read from the runtime and kept by
        // reference (their data shared with the runtime's, not copied) and
        // encoded after the chain's lock is released: a read of 100,000 positions does not hold
        // up transactions while it is serialised.
        let (context, accounts) = {
            let chain = lock(&self.chain);
            min_context(&chain, config.account_config.min_context_slot)?;
            let accounts: Vec<(Address, AccountSharedData, Option<u8>)> = chain
                .program_accounts(&program, &filters)
                .filter(|found| filters_match_indexed(&filters, &program, found))
                .filter_map(|found| {
                    let account = found.account()?;
                    let decimals = token_decimals(&chain, account, encoding);
                    Some((*found.address, account.clone(), decimals))
                })
                .collect();
            (context(&chain), accounts)
        };
        let mut keyed = Vec::with_capacity(accounts.len());
        for (pubkey, account, decimals) in &accounts {
            check_binary_size(encoding, account, &slice)?;
            keyed.push(RpcKeyedAccount {
                pubkey: pubkey.to_string(),
                account: ui_account_with(pubkey, account, encoding, *decimals, slice),
            });
        }
        Ok(if config.with_context.unwrap_or(false) {
            OptionalContext::Context(Response {
                context,
                value: keyed,
            })
        } else {
            OptionalContext::NoContext(keyed)
        })
    }

    fn get_token_account_balance(
        &self,
        pubkey: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<solana_account_decoder::parse_token::UiTokenAmount>> {
        let address = parse_address(&pubkey)?;
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        let amount = chain
            .get_account(&address)
            .filter(|a| a.owner == SPL_TOKEN_ID || a.owner == SPL_TOKEN_2022_ID)
            .and_then(|a| token_amount(&chain, &a))
            .ok_or_else(|| invalid_params("Invalid param: not a Token account"))?;
        Ok(respond(&chain, amount))
    }

    fn get_token_supply(
        &self,
        mint: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<solana_account_decoder::parse_token::UiTokenAmount>> {
        let address = parse_address(&mint)?;
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        let account = chain
            .get_account(&address)
            .filter(|a| a.owner == SPL_TOKEN_ID || a.owner == SPL_TOKEN_2022_ID)
            .ok_or_else(|| invalid_params("Invalid param: not a Token mint"))?;
        let mint = match parse_token_v3(&account.data, None) {
            Ok(TokenAccountType::Mint(m)) => m,
            _ => return Err(invalid_params("Invalid param: not a Token mint")),
        };
        let supply: u64 = mint.supply.parse().unwrap_or(0);
        Ok(respond(
            &chain,
            token_amount_to_ui_amount_v3(
                supply,
                &SplTokenAdditionalDataV2::with_decimals(mint.decimals),
            ),
        ))
    }

    fn get_token_accounts_by_owner(
        &self,
        owner: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>> {
        let owner = parse_address(&owner)?;
        self.token_accounts(TokenAccountKey::Owner(owner), &filter, &config)
    }

    fn get_token_accounts_by_delegate(
        &self,
        delegate: String,
        filter: RpcTokenAccountsFilter,
        config: Option<RpcAccountInfoConfig>,
    ) -> RpcResult<Response<Vec<RpcKeyedAccount>>> {
        let delegate = parse_address(&delegate)?;
        self.token_accounts(TokenAccountKey::Delegate(delegate), &filter, &config)
    }

    fn get_token_largest_accounts(
        &self,
        mint: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<Vec<RpcTokenAccountBalance>>> {
        let mint = parse_address(&mint)?;
        let chain = lock(&self.chain);
        min_context(&chain, min_slot(&config))?;
        let program = chain
            .get_account(&mint)
            .map(|a| a.owner)
            .filter(|o| *o == SPL_TOKEN_ID || *o == SPL_TOKEN_2022_ID)
            .ok_or_else(|| invalid_params("Invalid param: could not find mint"))?;
        let mut balances: Vec<(u64, RpcTokenAccountBalance)> = chain
            .program_accounts(&program, &[])
            .filter_map(|found| {
                let account = found.account()?;
                if account.data().get(..32) != Some(mint.as_ref()) {
                    return None;
                }
                let amount = token_amount(&chain, account)?;
                let raw = amount.amount.parse::<u64>().unwrap_or(0);
                Some((
                    raw,
                    RpcTokenAccountBalance {
                        address: found.address.to_string(),
                        amount,
                    },
                ))
            })
            .collect();
        balances.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.address.cmp(&b.1.address)));
        balances.truncate(20);
        Ok(respond(
            &chain,
            balances.into_iter().map(|(_, b)| b).collect(),
        ))
    }

    fn send_transaction(
        &self,
        data: String,
        config: Option<RpcSendTransactionConfig>,
    ) -> RpcResult<String> {
        let config = config.unwrap_or_default();
        let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Base58);
        let tx = decode_transaction(&data, encoding)?;
        let signature = tx.signatures[0];
        if !Chain::verify_signatures(&tx) {
            return Err(ErrorObjectOwned::owned(
                TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
                "Transaction signature verification failure",
                None::<()>,
            ));
        }
        let mut chain = lock(&self.chain);
        min_context(&chain, config.min_context_slot)?;
        if !config.skip_preflight {
            let exec = match chain.simulate(&tx) {
                Ok(exec) => Some(exec),
                Err(err) => {
                    return Err(preflight_error(
                        &err,
                        RpcSimulateTransactionResult {
                            err: Some(err.clone().into()),
                            logs: Some(Vec::new()),
                            accounts: None,
                            units_consumed: Some(0),
                            loaded_accounts_data_size: Some(0),
                            return_data: None,
                            inner_instructions: None,
                            replacement_blockhash: None,
                            fee: None,
                            pre_balances: None,
                            post_balances: None,
                            pre_token_balances: None,
                            post_token_balances: None,
                            loaded_addresses: None,
                        },
                    ))
                }
            };
            if let Some(exec) = exec {
                let err = if chain.is_processed(&signature) {
                    Some(TransactionError::AlreadyProcessed)
                } else {
                    exec.result.clone().err()
                };
                if let Some(err) = err {
                    let mut result = simulation_result(&chain, &exec, None, false, None);
                    result.err = Some(err.clone().into());
                    return Err(preflight_error(&err, result));
                }
            }
        }
        // Past preflight, the transaction goes to the (one) leader: agave's `receivedSignature`.
        chain.note_received(signature);
        match chain.process(tx) {
            Ok(_) => {}
            Err(err) => {
                tracing::debug!(%signature, %err, "transaction dropped");
            }
        }
        Ok(signature.to_string())
    }

    fn simulate_transaction(
        &self,
        data: String,
        config: Option<RpcSimulateTransactionConfig>,
    ) -> RpcResult<Response<RpcSimulateTransactionResult>> {
        let config = config.unwrap_or_default();
        let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Base58);
        let mut tx = decode_transaction(&data, encoding)?;
        if config.sig_verify {
            if config.replace_recent_blockhash {
                return Err(invalid_params(
                    "sigVerify may not be used with replaceRecentBlockhash",
                ));
            }
            if !Chain::verify_signatures(&tx) {
                return Err(ErrorObjectOwned::owned(
                    TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
                    "Transaction signature verification failure",
                    None::<()>,
                ));
            }
        }
        let accounts = match &config.accounts {
            Some(a) => {
                let encoding = a.encoding.unwrap_or(UiAccountEncoding::Base64);
                if matches!(
                    encoding,
                    UiAccountEncoding::Binary | UiAccountEncoding::Base58
                ) {
                    return Err(invalid_params("base58 encoding not supported"));
                }
                let addresses = a
                    .addresses
                    .iter()
                    .map(|s| parse_address(s))
                    .collect::<RpcResult<Vec<_>>>()?;
                Some((addresses, encoding))
            }
            None => None,
        };
        let mut chain = lock(&self.chain);
        min_context(&chain, config.min_context_slot)?;
        let replacement = if config.replace_recent_blockhash {
            let hash = chain.latest_blockhash();
            tx.message.set_recent_blockhash(hash);
            Some(RpcBlockhash {
                blockhash: hash.to_string(),
                last_valid_block_height: chain.last_valid_block_height(),
            })
        } else {
            None
        };
        let result = match chain.simulate(&tx) {
            Ok(exec) => simulation_result(
                &chain,
                &exec,
                accounts,
                config.inner_instructions,
                replacement,
            ),
            Err(err) => RpcSimulateTransactionResult {
                err: Some(err.into()),
                logs: Some(Vec::new()),
                accounts: None,
                units_consumed: Some(0),
                loaded_accounts_data_size: Some(0),
                return_data: None,
                inner_instructions: None,
                replacement_blockhash: replacement,
                fee: None,
                pre_balances: None,
                post_balances: None,
                pre_token_balances: None,
                post_token_balances: None,
                loaded_addresses: None,
            },
        };
        Ok(respond(&chain, result))
    }

    fn get_signature_statuses(
        &self,
        signatures: Vec<String>,
        _config: Option<RpcSignatureStatusConfig>,
    ) -> RpcResult<Response<Vec<Option<TransactionStatus>>>> {
        if signatures.len() > 256 {
            return Err(invalid_params("Too many inputs provided; max 256"));
        }
        let signatures = signatures
            .iter()
            .map(|s| parse_signature(s))
            .collect::<RpcResult<Vec<_>>>()?;
        let chain = lock(&self.chain);
        let statuses = signatures
            .iter()
            .map(|s| {
                chain.get_entry(s).map(|r| TransactionStatus {
                    slot: r.slot,
                    confirmations: None,
                    status: r.status.clone(),
                    err: r.status.clone().err(),
                    confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                })
            })
            .collect();
        Ok(respond(&chain, statuses))
    }

    fn get_signatures_for_address(
        &self,
        address: String,
        config: Option<RpcSignaturesForAddressConfig>,
    ) -> RpcResult<Vec<RpcConfirmedTransactionStatusWithSignature>> {
        let address = parse_address(&address)?;
        let config = config.unwrap_or_default();
        let limit = config.limit.unwrap_or(1000);
        if limit == 0 || limit > 1000 {
            return Err(invalid_params(format!("Invalid limit; max {}", 1000)));
        }
        let before = config.before.as_deref().map(parse_signature).transpose()?;
        let until = config.until.as_deref().map(parse_signature).transpose()?;
        let chain = lock(&self.chain);
        min_context(&chain, config.min_context_slot)?;
        // Everything older than `before`; a `before` this node never processed leaves nothing
        // to list, as on agave.
        let mut out = Vec::new();
        for r in chain.signatures_for(&address, before.as_ref()) {
            if Some(r.signature) == until || out.len() >= limit {
                break;
            }
            out.push(RpcConfirmedTransactionStatusWithSignature {
                signature: r.signature.to_string(),
                slot: r.slot,
                err: r.status.clone().err().map(Into::into),
                memo: r.memo.as_deref().map(str::to_string),
                block_time: Some(r.block_time),
                confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                transaction_index: None,
            });
        }
        Ok(out)
    }

    fn get_transaction(
        &self,
        signature: String,
        config: Option<RpcEncodingConfigWrapper<RpcTransactionConfig>>,
    ) -> RpcResult<Option<EncodedConfirmedTransactionWithStatusMeta>> {
        let signature = parse_signature(&signature)?;
        let config = config.map(|c| c.convert_to_current()).unwrap_or_default();
        at_least_confirmed(config.commitment)?;
        let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
        // Only the stored entry is copied under the chain's lock; it is decompressed, decoded
        // and encoded after (concurrent reads, such as an indexer's batches, then run in
        // parallel instead of one at a time).
        let entry = match lock(&self.chain).get_entry(&signature) {
            Some(entry) => entry.clone(),
            None => return Ok(None),
        };
        let record = entry.record();
        let confirmed = ConfirmedTransactionWithStatusMeta {
            slot: record.slot,
            tx_with_meta: TransactionWithStatusMeta::Complete(VersionedTransactionWithStatusMeta {
                transaction: record.transaction,
                meta: record.meta,
            }),
            block_time: Some(record.block_time),
            index: record.index,
        };
        // Returned as the encoded type itself (serialised once, straight into the response),
        // not through a `serde_json::Value` built and then serialised.
        confirmed
            .encode(encoding, config.max_supported_transaction_version)
            .map(Some)
            .map_err(|e| encode_error(&e))
    }

    fn get_block_time(&self, slot: u64) -> RpcResult<i64> {
        let chain = lock(&self.chain);
        chain
            .block(slot)
            .map(|b| b.block_time)
            .ok_or_else(|| missing_block(&chain, slot))
    }

    fn get_block(
        &self,
        slot: u64,
        config: Option<RpcEncodingConfigWrapper<RpcBlockConfig>>,
    ) -> RpcResult<Option<Value>> {
        let config = config.map(|c| c.convert_to_current()).unwrap_or_default();
        at_least_confirmed(config.commitment)?;
        let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
        let options = BlockEncodingOptions {
            transaction_details: config.transaction_details.unwrap_or_default(),
            show_rewards: config.rewards.unwrap_or(true),
            max_supported_transaction_version: config.max_supported_transaction_version,
        };
        let chain = lock(&self.chain);
        let block = chain
            .block(slot)
            .cloned()
            .ok_or_else(|| missing_block(&chain, slot))?;
        let transactions = chain
            .block_records(&block)
            .into_iter()
            .map(|r| {
                TransactionWithStatusMeta::Complete(VersionedTransactionWithStatusMeta {
                    transaction: r.transaction,
                    meta: r.meta,
                })
            })
            .collect();
        drop(chain);
        // agave's own encoder, so every `transactionDetails` level has agave's shape.
        let confirmed = ConfirmedBlock {
            previous_blockhash: block.previous_blockhash.to_string(),
            blockhash: block.blockhash.to_string(),
            parent_slot: block.parent_slot,
            transactions,
            rewards: Vec::new(),
            num_partitions: None,
            block_time: Some(block.block_time),
            block_height: Some(block.block_height),
        };
        let encoded = confirmed
            .encode_with_options(encoding, options)
            .map_err(|e| encode_error(&e))?;
        serde_json::to_value(encoded)
            .map(Some)
            .map_err(|e| internal(e.to_string()))
    }

    fn get_first_available_block(&self) -> RpcResult<u64> {
        Ok(lock(&self.chain).first_available_block())
    }

    fn minimum_ledger_slot(&self) -> RpcResult<u64> {
        Ok(lock(&self.chain).first_available_block())
    }

    fn get_recent_prioritization_fees(
        &self,
        addresses: Option<Vec<String>>,
    ) -> RpcResult<Vec<RpcPrioritizationFee>> {
        let addresses = addresses.unwrap_or_default();
        if addresses.len() > MAX_TX_ACCOUNT_LOCKS {
            return Err(invalid_params(format!(
                "Too many inputs provided; max {MAX_TX_ACCOUNT_LOCKS}"
            )));
        }
        for a in addresses {
            parse_address(&a)?;
        }
        let slot = lock(&self.chain).slot;
        Ok((slot.saturating_sub(149)..=slot)
            .map(|slot| RpcPrioritizationFee {
                slot,
                prioritization_fee: 0,
            })
            .collect())
    }

    fn request_airdrop(
        &self,
        pubkey: String,
        lamports: u64,
        _config: Option<RpcRequestAirdropConfig>,
    ) -> RpcResult<String> {
        let address = parse_address(&pubkey)?;
        let mut chain = lock(&self.chain);
        match chain.airdrop(&address, lamports) {
            Ok(exec) if exec.result.is_ok() => Ok(exec.signature.to_string()),
            Ok(exec) => Err(internal(format!(
                "airdrop failed: {}",
                exec.result.err().map(|e| e.to_string()).unwrap_or_default()
            ))),
            Err(e) => Err(internal(format!("airdrop failed: {e}"))),
        }
    }

    fn get_cluster_nodes(&self) -> RpcResult<Vec<RpcContactInfo>> {
        let chain = lock(&self.chain);
        // One node, reachable only over RPC and PubSub (no gossip, TPU or repair ports).
        Ok(vec![RpcContactInfo {
            pubkey: chain.identity.to_string(),
            gossip: None,
            tvu: None,
            tpu: None,
            tpu_quic: None,
            tpu_forwards: None,
            tpu_forwards_quic: None,
            tpu_vote: None,
            serve_repair: None,
            rpc: Some(self.rpc_addr),
            pubsub: Some(self.ws_addr),
            version: Some(SOLANA_CORE_VERSION.to_string()),
            client_id: None,
            feature_set: Some(FEATURE_SET_ID),
            shred_version: Some(0),
        }])
    }

    fn advance_clock(&self, params: AdvanceClockParams) -> RpcResult<AdvanceClockResult> {
        if params.seconds < 0 {
            return Err(invalid_params("seconds must be >= 0"));
        }
        let mut chain = lock(&self.chain);
        chain.advance_clock(params.seconds).map_err(|too_large| {
            ErrorObjectOwned::owned(
                INVALID_PARAMS,
                format!(
                    "ClockAdvanceTooLarge: {} seconds is more than one call may advance, {MAX_CLOCK_ADVANCE_SECS} (a century)",
                    too_large.seconds
                ),
                Some(json!({
                    "name": "ClockAdvanceTooLarge",
                    "seconds": too_large.seconds,
                    "maxSeconds": MAX_CLOCK_ADVANCE_SECS,
                })),
            )
        })?;
        Ok(AdvanceClockResult {
            slot: chain.slot,
            unix_timestamp: chain.unix_timestamp(),
        })
    }

    fn set_account(&self, params: SetAccountParams) -> RpcResult<SetAccountResult> {
        let (address, account) = params.to_account()?;
        let slot = lock(&self.chain)
            .set_data_account(address, account)
            .map_err(|refusal| invalid_params(format!("Invalid param: {refusal}")))?;
        Ok(SetAccountResult { slot })
    }

    fn set_accounts(&self, params: SetAccountsParams) -> RpcResult<SetAccountResult> {
        let accounts = params
            .accounts
            .iter()
            .map(SetAccountParams::to_account)
            .collect::<RpcResult<Vec<_>>>()?;
        let slot = lock(&self.chain)
            .set_data_accounts(accounts)
            .map_err(|refusal| invalid_params(format!("Invalid param: {refusal}")))?;
        Ok(SetAccountResult { slot })
    }
}

fn preflight_error(
    err: &TransactionError,
    result: RpcSimulateTransactionResult,
) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        SEND_TRANSACTION_PREFLIGHT_FAILURE,
        format!("Transaction simulation failed: {err}"),
        Some(result),
    )
}

fn encode_error(e: &solana_transaction_status::EncodeError) -> ErrorObjectOwned {
    let solana_transaction_status::EncodeError::UnsupportedTransactionVersion(version) = e;
    ErrorObjectOwned::owned(
            UNSUPPORTED_TRANSACTION_VERSION,
            format!(
                "Transaction version ({version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"
            ),
            None::<()>,
        )
}
