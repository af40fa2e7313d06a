//! JSON-RPC about the cluster rather than accounts and transactions: supply, inflation, stake,
//! the leader schedule, block production and lists of blocks. This validator is a cluster of one
//! node (its identity) that leads every slot; shapes, limits and error codes are agave's.

use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use jsonrpsee::types::ErrorObjectOwned;
use solana_address::Address;
use solana_inflation::Inflation;
use solana_rpc_client_api::config::{
    RpcBlockProductionConfig, RpcBlocksConfigWrapper, RpcContextConfig, RpcEpochConfig,
    RpcGetVoteAccountsConfig, RpcLargestAccountsConfig, RpcLargestAccountsFilter,
    RpcLeaderScheduleConfig, RpcLeaderScheduleConfigWrapper, RpcSupplyConfig,
};
use solana_rpc_client_api::request::{MAX_GET_CONFIRMED_BLOCKS_RANGE, MAX_GET_SLOT_LEADERS};
use solana_rpc_client_api::response::{
    Response, RpcAccountBalance, RpcBlockCommitment, RpcBlockProduction, RpcBlockProductionRange,
    RpcInflationGovernor, RpcInflationRate, RpcInflationReward, RpcLeaderSchedule, RpcPerfSample,
    RpcSnapshotSlotInfo, RpcSupply, RpcVoteAccountInfo, RpcVoteAccountStatus,
};
use solana_sha256_hasher::hashv;

use crate::chain::Chain;
use crate::rpc::{
    at_least_confirmed, internal, invalid_params, lock, min_context, parse_address, respond,
    SharedChain, BLOCK_NOT_AVAILABLE,
};

/// `getLargestAccounts` answers the 20 largest, as agave.
const NUM_LARGEST_ACCOUNTS: usize = 20;
/// The most samples `getRecentPerformanceSamples` returns (agave keeps 720).
const MAX_PERF_SAMPLES: usize = 720;
/// agave's `NoSnapshot`.
const NO_SNAPSHOT: i32 = -32008;
/// `BlockCommitmentArray`: stake per lockout depth, `MAX_LOCKOUT_HISTORY + 1` entries.
const BLOCK_COMMITMENT_LEN: usize = 32;
/// The stake the single node (the validator's identity) is taken to hold: there is no vote or
/// stake account on chain, so this figure only gives `getVoteAccounts`, `getBlockCommitment`
/// and explorers' stake percentages a consistent total.
pub const NOTIONAL_STAKE: u64 = 1_000_000 * 1_000_000_000;

#[rpc(server)]
pub trait ClusterRpc {
    #[method(name = "getSupply", blocking)]
    fn get_supply(&self, config: Option<RpcSupplyConfig>) -> RpcResult<Response<RpcSupply>>;
    #[method(name = "getLargestAccounts", blocking)]
    fn get_largest_accounts(
        &self,
        config: Option<RpcLargestAccountsConfig>,
    ) -> RpcResult<Response<Vec<RpcAccountBalance>>>;
    #[method(name = "getInflationGovernor")]
    fn get_inflation_governor(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<RpcInflationGovernor>;
    #[method(name = "getInflationRate")]
    fn get_inflation_rate(&self) -> RpcResult<RpcInflationRate>;
    #[method(name = "getInflationReward")]
    fn get_inflation_reward(
        &self,
        addresses: Vec<String>,
        config: Option<RpcEpochConfig>,
    ) -> RpcResult<Vec<Option<RpcInflationReward>>>;
    #[method(name = "getVoteAccounts")]
    fn get_vote_accounts(
        &self,
        config: Option<RpcGetVoteAccountsConfig>,
    ) -> RpcResult<RpcVoteAccountStatus>;
    #[method(name = "getStakeMinimumDelegation", blocking)]
    fn get_stake_minimum_delegation(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<u64>>;
    #[method(name = "getRecentPerformanceSamples")]
    fn get_recent_performance_samples(&self, limit: Option<usize>)
        -> RpcResult<Vec<RpcPerfSample>>;
    #[method(name = "getBlocks")]
    fn get_blocks(
        &self,
        start_slot: u64,
        wrapper: Option<RpcBlocksConfigWrapper>,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Vec<u64>>;
    #[method(name = "getBlocksWithLimit")]
    fn get_blocks_with_limit(
        &self,
        start_slot: u64,
        limit: usize,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Vec<u64>>;
    #[method(name = "getLeaderSchedule")]
    fn get_leader_schedule(
        &self,
        options: Option<RpcLeaderScheduleConfigWrapper>,
        config: Option<RpcLeaderScheduleConfig>,
    ) -> RpcResult<Option<RpcLeaderSchedule>>;
    #[method(name = "getSlotLeader")]
    fn get_slot_leader(&self, config: Option<RpcContextConfig>) -> RpcResult<String>;
    #[method(name = "getSlotLeaders")]
    fn get_slot_leaders(&self, start_slot: u64, limit: u64) -> RpcResult<Vec<String>>;
    #[method(name = "getBlockCommitment")]
    fn get_block_commitment(&self, slot: u64) -> RpcResult<RpcBlockCommitment<Vec<u64>>>;
    #[method(name = "getBlockProduction")]
    fn get_block_production(
        &self,
        config: Option<RpcBlockProductionConfig>,
    ) -> RpcResult<Response<RpcBlockProduction>>;
    #[method(name = "getHighestSnapshotSlot")]
    fn get_highest_snapshot_slot(&self) -> RpcResult<RpcSnapshotSlotInfo>;
    #[method(name = "getMaxRetransmitSlot")]
    fn get_max_retransmit_slot(&self) -> RpcResult<u64>;
    #[method(name = "getMaxShredInsertSlot")]
    fn get_max_shred_insert_slot(&self) -> RpcResult<u64>;
}

pub struct ClusterImpl {
    pub chain: SharedChain,
}

/// The node's vote account address: derived from its identity, never created on chain.
pub fn vote_address(identity: &Address) -> Address {
    Address::new_from_array(hashv(&[b"ashao-validator vote", identity.as_ref()]).to_bytes())
}

/// Slots per year at the configured slot length (agave: `years_as_slots(1.0, ..)`).
fn slots_per_year(chain: &Chain) -> f64 {
    const SECONDS_PER_YEAR: f64 = 365.242_199 * 24.0 * 60.0 * 60.0;
    SECONDS_PER_YEAR * 1000.0 / chain.slot_ms as f64
}

/// agave's `slot_in_year_for_inflation`: years from the epoch inflation started (here the first
/// epoch of this chain) to the start of the current epoch.
fn inflation_year(chain: &Chain) -> f64 {
    let schedule = chain.epoch_schedule();
    let start = schedule.get_first_slot_in_epoch(schedule.get_epoch(chain.first_slot));
    let current = schedule.get_first_slot_in_epoch(schedule.get_epoch(chain.slot));
    current.saturating_sub(start) as f64 / slots_per_year(chain)
}

fn block_not_available(slot: u64) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        BLOCK_NOT_AVAILABLE,
        format!("Block not available for slot {slot}"),
        None::<()>,
    )
}

impl ClusterRpcServer for ClusterImpl {
    // `excludeNonCirculatingAccountsList` changes nothing: the list is always empty.
    fn get_supply(&self, _config: Option<RpcSupplyConfig>) -> RpcResult<Response<RpcSupply>> {
        let chain = lock(&self.chain);
        let total = chain
            .all_accounts()
            .fold(0u64, |sum, (_, lamports)| sum.saturating_add(lamports));
        // No lockups or foundation accounts exist here: everything circulates.
        Ok(respond(
            &chain,
            RpcSupply {
                total,
                circulating: total,
                non_circulating: 0,
                non_circulating_accounts: Vec::new(),
            },
        ))
    }

    fn get_largest_accounts(
        &self,
        config: Option<RpcLargestAccountsConfig>,
    ) -> RpcResult<Response<Vec<RpcAccountBalance>>> {
        let config = config.unwrap_or_default();
        let chain = lock(&self.chain);
        // Nothing is non-circulating, so that filter selects nothing.
        let mut accounts: Vec<(Address, u64)> =
            if config.filter == Some(RpcLargestAccountsFilter::NonCirculating) {
                Vec::new()
            } else {
                chain.all_accounts().map(|(k, l)| (*k, l)).collect()
            };
        accounts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        accounts.truncate(NUM_LARGEST_ACCOUNTS);
        let value = accounts
            .into_iter()
            .map(|(address, lamports)| RpcAccountBalance {
                address: address.to_string(),
                lamports,
            })
            .collect();
        Ok(respond(&chain, value))
    }

    fn get_inflation_governor(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<RpcInflationGovernor> {
        let chain = lock(&self.chain);
        min_context(&chain, config.and_then(|c| c.min_context_slot))?;
        Ok(Inflation::default().into())
    }

    fn get_inflation_rate(&self) -> RpcResult<RpcInflationRate> {
        let chain = lock(&self.chain);
        let year = inflation_year(&chain);
        let inflation = Inflation::default();
        Ok(RpcInflationRate {
            total: inflation.total(year),
            validator: inflation.validator(year),
            foundation: inflation.foundation(year),
            epoch: chain.epoch_schedule().get_epoch(chain.slot),
        })
    }

    fn get_inflation_reward(
        &self,
        addresses: Vec<String>,
        config: Option<RpcEpochConfig>,
    ) -> RpcResult<Vec<Option<RpcInflationReward>>> {
        let config = config.unwrap_or_default();
        if addresses.len() > solana_rpc_client_api::request::MAX_MULTIPLE_ACCOUNTS {
            return Err(invalid_params(format!(
                "Too many inputs provided; max {}",
                solana_rpc_client_api::request::MAX_MULTIPLE_ACCOUNTS
            )));
        }
        for address in &addresses {
            parse_address(address)?;
        }
        let chain = lock(&self.chain);
        min_context(&chain, config.min_context_slot)?;
        let schedule = chain.epoch_schedule();
        let epoch = config
            .epoch
            .unwrap_or_else(|| schedule.get_epoch(chain.slot).saturating_sub(1));
        // As agave: an epoch's rewards are paid in the first block of the next epoch. An epoch
        // that ended before the chain's first block is complete: this chain keeps every block
        // it made, so that epoch paid nothing, which is what an agave node holding the whole
        // history answers (agave refuses only for blocks its ledger has dropped).
        let first_slot_in_next = schedule.get_first_slot_in_epoch(epoch.saturating_add(1));
        if first_slot_in_next >= chain.first_available_block()
            && chain
                .block_slots(first_slot_in_next, chain.slot, 1)
                .is_empty()
        {
            return Err(block_not_available(first_slot_in_next));
        }
        // No stake is delegated and no vote account votes here, so no address earns rewards.
        Ok(addresses.iter().map(|_| None).collect())
    }

    fn get_vote_accounts(
        &self,
        config: Option<RpcGetVoteAccountsConfig>,
    ) -> RpcResult<RpcVoteAccountStatus> {
        let config = config.unwrap_or_default();
        let filter = config
            .vote_pubkey
            .as_deref()
            .map(parse_address)
            .transpose()?;
        let chain = lock(&self.chain);
        let vote = vote_address(&chain.identity);
        let epoch = chain.epoch_schedule().get_epoch(chain.slot);
        let current = (filter.is_none() || filter == Some(vote))
            .then(|| RpcVoteAccountInfo {
                vote_pubkey: vote.to_string(),
                node_pubkey: chain.identity.to_string(),
                activated_stake: NOTIONAL_STAKE,
                commission: 0,
                inflation_rewards_commission_bps: None,
                epoch_vote_account: true,
                epoch_credits: vec![(epoch, 0, 0)],
                last_vote: chain.slot,
                root_slot: chain.slot,
            })
            .into_iter()
            .collect();
        Ok(RpcVoteAccountStatus {
            current,
            delinquent: Vec::new(),
        })
    }

    fn get_stake_minimum_delegation(
        &self,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Response<u64>> {
        let chain = lock(&self.chain);
        min_context(&chain, config.and_then(|c| c.min_context_slot))?;
        let minimum = chain.stake_minimum_delegation().map_err(internal)?;
        Ok(respond(&chain, minimum))
    }

    fn get_recent_performance_samples(
        &self,
        limit: Option<usize>,
    ) -> RpcResult<Vec<RpcPerfSample>> {
        let limit = limit.unwrap_or(MAX_PERF_SAMPLES);
        if limit > MAX_PERF_SAMPLES {
            return Err(invalid_params(format!(
                "Invalid limit; max {MAX_PERF_SAMPLES}"
            )));
        }
        let chain = lock(&self.chain);
        Ok(chain
            .performance_samples(limit)
            .into_iter()
            .map(|s| RpcPerfSample {
                slot: s.slot,
                num_transactions: s.num_transactions,
                // Every transaction here is a non-vote transaction.
                num_non_vote_transactions: Some(s.num_transactions),
                num_slots: s.num_slots,
                sample_period_secs: crate::chain::PERF_SAMPLE_SECS as u16,
            })
            .collect())
    }

    fn get_blocks(
        &self,
        start_slot: u64,
        wrapper: Option<RpcBlocksConfigWrapper>,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Vec<u64>> {
        let (end_slot, wrapped) = wrapper.map(|w| w.unzip()).unwrap_or_default();
        let config = wrapped.or(config).unwrap_or_default();
        at_least_confirmed(config.commitment)?;
        let chain = lock(&self.chain);
        min_context(&chain, config.min_context_slot)?;
        let end_slot = end_slot
            .unwrap_or_else(|| start_slot.saturating_add(MAX_GET_CONFIRMED_BLOCKS_RANGE))
            .min(chain.slot);
        if end_slot < start_slot {
            return Ok(Vec::new());
        }
        if end_slot - start_slot > MAX_GET_CONFIRMED_BLOCKS_RANGE {
            return Err(invalid_params(format!(
                "Slot range too large; max {MAX_GET_CONFIRMED_BLOCKS_RANGE}"
            )));
        }
        Ok(chain.block_slots(start_slot, end_slot, usize::MAX))
    }

    fn get_blocks_with_limit(
        &self,
        start_slot: u64,
        limit: usize,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Vec<u64>> {
        let config = config.unwrap_or_default();
        at_least_confirmed(config.commitment)?;
        if limit as u64 > MAX_GET_CONFIRMED_BLOCKS_RANGE {
            return Err(invalid_params(format!(
                "Limit too large; max {MAX_GET_CONFIRMED_BLOCKS_RANGE}"
            )));
        }
        let chain = lock(&self.chain);
        min_context(&chain, config.min_context_slot)?;
        Ok(chain.block_slots(start_slot, chain.slot, limit))
    }

    fn get_leader_schedule(
        &self,
        options: Option<RpcLeaderScheduleConfigWrapper>,
        config: Option<RpcLeaderScheduleConfig>,
    ) -> RpcResult<Option<RpcLeaderSchedule>> {
        let (slot, wrapped) = options.map(|o| o.unzip()).unwrap_or_default();
        let config = wrapped.or(config).unwrap_or_default();
        let identity = config.identity.as_deref().map(parse_address).transpose()?;
        let chain = lock(&self.chain);
        let schedule = chain.epoch_schedule();
        let epoch = schedule.get_epoch(slot.unwrap_or(chain.slot));
        // As agave, schedules are known up to the leader-schedule epoch of the current slot.
        if epoch > schedule.get_leader_schedule_epoch(chain.slot) {
            return Ok(None);
        }
        let mut out = RpcLeaderSchedule::new();
        if identity.is_none() || identity == Some(chain.identity) {
            let slots = schedule.get_slots_in_epoch(epoch) as usize;
            out.insert(chain.identity.to_string(), (0..slots).collect());
        }
        Ok(Some(out))
    }

    fn get_slot_leader(&self, config: Option<RpcContextConfig>) -> RpcResult<String> {
        let chain = lock(&self.chain);
        min_context(&chain, config.and_then(|c| c.min_context_slot))?;
        Ok(chain.identity.to_string())
    }

    fn get_slot_leaders(&self, start_slot: u64, limit: u64) -> RpcResult<Vec<String>> {
        let limit = limit as usize;
        if limit > MAX_GET_SLOT_LEADERS {
            return Err(invalid_params(format!(
                "Invalid limit; max {MAX_GET_SLOT_LEADERS}"
            )));
        }
        let chain = lock(&self.chain);
        let schedule = chain.epoch_schedule();
        let last_epoch =
            schedule.get_epoch(start_slot.saturating_add(limit as u64).saturating_sub(1));
        if limit > 0 && last_epoch > schedule.get_leader_schedule_epoch(chain.slot) {
            return Err(invalid_params(format!(
                "Invalid slot range: leader schedule for epoch {last_epoch} is unavailable"
            )));
        }
        Ok(vec![chain.identity.to_string(); limit])
    }

    fn get_block_commitment(&self, slot: u64) -> RpcResult<RpcBlockCommitment<Vec<u64>>> {
        let chain = lock(&self.chain);
        // Every block is rooted at once: all the stake at the deepest lockout.
        let commitment = chain.block(slot).map(|_| {
            let mut array = vec![0u64; BLOCK_COMMITMENT_LEN];
            array[BLOCK_COMMITMENT_LEN - 1] = NOTIONAL_STAKE;
            array
        });
        Ok(RpcBlockCommitment {
            commitment,
            total_stake: NOTIONAL_STAKE,
        })
    }

    fn get_block_production(
        &self,
        config: Option<RpcBlockProductionConfig>,
    ) -> RpcResult<Response<RpcBlockProduction>> {
        let config = config.unwrap_or_default();
        let identity = config.identity.as_deref().map(parse_address).transpose()?;
        let chain = lock(&self.chain);
        let schedule = chain.epoch_schedule();
        let oldest = chain.first_slot;
        let (first_slot, last_slot) = match config.range {
            None => (
                schedule
                    .get_first_slot_in_epoch(schedule.get_epoch(chain.slot))
                    .max(oldest),
                chain.slot,
            ),
            Some(range) => {
                let last_slot = range.last_slot.unwrap_or(chain.slot);
                if last_slot < range.first_slot {
                    return Err(invalid_params(format!(
                        "lastSlot, {last_slot}, cannot be less than firstSlot, {}",
                        range.first_slot
                    )));
                }
                (range.first_slot, last_slot)
            }
        };
        if first_slot < oldest {
            return Err(invalid_params(format!(
                "firstSlot, {first_slot}, is too small; min {oldest}"
            )));
        }
        if last_slot > chain.slot {
            return Err(invalid_params(format!(
                "lastSlot, {last_slot}, is too large; max {}",
                chain.slot
            )));
        }
        let mut by_identity = std::collections::HashMap::new();
        if identity.is_none() || identity == Some(chain.identity) {
            let leader_slots = (last_slot - first_slot + 1) as usize;
            let produced = chain.block_slots(first_slot, last_slot, usize::MAX).len();
            by_identity.insert(chain.identity.to_string(), (leader_slots, produced));
        }
        Ok(respond(
            &chain,
            RpcBlockProduction {
                by_identity,
                range: RpcBlockProductionRange {
                    first_slot,
                    last_slot,
                },
            },
        ))
    }

    fn get_highest_snapshot_slot(&self) -> RpcResult<RpcSnapshotSlotInfo> {
        // No ledger, so no snapshots: agave's answer for a node without any.
        Err(ErrorObjectOwned::owned(
            NO_SNAPSHOT,
            "No snapshot",
            None::<serde_json::Value>,
        ))
    }

    // The node makes every slot itself, so the highest slot seen by turbine and inserted into
    // the blockstore are the current slot.
    fn get_max_retransmit_slot(&self) -> RpcResult<u64> {
        Ok(lock(&self.chain).slot)
    }

    fn get_max_shred_insert_slot(&self) -> RpcResult<u64> {
        Ok(lock(&self.chain).slot)
    }
}
