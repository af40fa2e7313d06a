//! `ashao-validator`: an offline local Solana validator built on LiteSVM, with the protocol's
//! programs registered as native (host-compiled) programs, behind standard JSON-RPC and PubSub.

pub mod capture;
pub mod chain;
pub mod cluster;
pub mod ledger;
pub mod middleware;
pub mod native;
pub mod owner_index;
pub mod pubsub;
pub mod rpc;
pub mod upgradeable;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonrpsee::server::{Server, ServerConfig, ServerHandle};
use tower_http::cors::CorsLayer;

use crate::chain::{Chain, ProgramSpec};
use crate::cluster::{ClusterImpl, ClusterRpcServer};
use crate::middleware::HealthLayer;
use crate::pubsub::{pubsub_module, PubSubImpl, SequentialIds};
use crate::rpc::{lock, RpcImpl, SharedChain, SolanaRpcServer};

/// The programs the validator hosts: one line each. A program runs natively unless
/// `<deploy-dir>/<name>.so` exists.
pub fn programs() -> Vec<ProgramSpec> {
    vec![
        ProgramSpec {
            name: "ashao_treasury",
            id: ashao_treasury::ID,
            entry: native_entry!(ashao_treasury::entry),
        },
        ProgramSpec {
            name: "test_amm",
            id: test_amm::ID,
            entry: native_entry!(test_amm::entry),
        },
        ProgramSpec {
            name: "test_buyback_proxy",
            id: test_buyback_proxy::ID,
            entry: native_entry!(test_buyback_proxy::entry),
        },
    ]
}

pub struct Config {
    pub bind: std::net::IpAddr,
    pub rpc_port: u16,
    pub ws_port: u16,
    pub slot_ms: u64,
    pub deploy_dir: PathBuf,
    /// The upgrade authority of every hosted program (named in its ProgramData).
    pub upgrade_authority: solana_address::Address,
    /// Lets `localnet_setAccounts` write the hosted programs' data accounts (seeding their state
    /// at scale); off, program state only ever comes from the programs.
    pub allow_program_state_writes: bool,
}

impl Config {
    /// On loopback with ports the OS picks, 50 ms slots, the programs compiled in (no SBF
    /// builds) and no program state writes: a validator for one test or tool run.
    pub fn ephemeral(upgrade_authority: solana_address::Address) -> Self {
        Config {
            bind: std::net::Ipv4Addr::LOCALHOST.into(),
            rpc_port: 0,
            ws_port: 0,
            slot_ms: 50,
            deploy_dir: "/nonexistent".into(),
            upgrade_authority,
            allow_program_state_writes: false,
        }
    }
}

/// Why the validator could not start.
#[derive(Debug)]
pub enum StartError {
    AddrInUse(SocketAddr),
    Other(anyhow::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::AddrInUse(addr) => {
                write!(f, "{addr} is already in use (another validator running?)")
            }
            StartError::Other(e) => write!(f, "{e:#}"),
        }
    }
}

pub struct Running {
    pub chain: SharedChain,
    pub rpc_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    pub rpc_handle: ServerHandle,
    pub ws_handle: ServerHandle,
    ticker: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The line printed when the validator is ready (fields are only ever appended, so
    /// parsers of the first ones keep working).
    pub fn ready_line(&self) -> String {
        let chain = lock(&self.chain);
        let programs = chain
            .programs
            .iter()
            .map(|p| format!("{}:{}", p.name, p.kind))
            .collect::<Vec<_>>()
            .join(",");
        format!(
            "ashao-validator ready rpc=http://{} ws=ws://{} programs={} upgrade_authority={}",
            self.rpc_addr, self.ws_addr, programs, chain.upgrade_authority
        )
    }

    /// Stops the slot clock and both servers, waiting at most `STOP_GRACE` for calls in
    /// flight, so a stop (SIGTERM) always ends.
    pub async fn stop(self) {
        const STOP_GRACE: Duration = Duration::from_secs(5);
        self.ticker.abort();
        let _ = self.rpc_handle.stop();
        let _ = self.ws_handle.stop();
        let stopped = async {
            self.rpc_handle.stopped().await;
            self.ws_handle.stopped().await;
        };
        if tokio::time::timeout(STOP_GRACE, stopped).await.is_err() {
            tracing::warn!("calls still in flight after {STOP_GRACE:?}; stopping anyway");
        }
    }
}

fn map_bind_error(addr: SocketAddr, e: std::io::Error) -> StartError {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        StartError::AddrInUse(addr)
    } else {
        StartError::Other(anyhow::anyhow!("binding {addr}: {e}"))
    }
}

/// Starts the chain, the slot clock and both servers (port 0 picks a free port).
pub async fn start(config: Config) -> Result<Running, StartError> {
    let rpc_addr = SocketAddr::new(config.bind, config.rpc_port);
    let ws_addr = SocketAddr::new(config.bind, config.ws_port);
    let rpc_server = Server::builder()
        .set_http_middleware(
            tower::ServiceBuilder::new()
                .layer(CorsLayer::permissive())
                .layer(HealthLayer),
        )
        .set_config(
            ServerConfig::builder()
                .http_only()
                .max_connections(1024)
                .max_request_body_size(50 * 1024 * 1024)
                .max_response_body_size(500 * 1024 * 1024)
                .build(),
        )
        .build(rpc_addr)
        .await
        .map_err(|e| map_bind_error(rpc_addr, e))?;
    let ws_server = Server::builder()
        .set_config(
            ServerConfig::builder()
                .ws_only()
                .max_connections(1024)
                .max_subscriptions_per_connection(4096)
                .set_id_provider(SequentialIds::default())
                .build(),
        )
        .build(ws_addr)
        .await
        .map_err(|e| map_bind_error(ws_addr, e))?;
    let rpc_addr = rpc_server
        .local_addr()
        .map_err(|e| StartError::Other(e.into()))?;
    let ws_addr = ws_server
        .local_addr()
        .map_err(|e| StartError::Other(e.into()))?;

    let mut chain = Chain::new(
        config.slot_ms,
        &config.deploy_dir,
        &programs(),
        config.upgrade_authority,
    )
    .map_err(StartError::Other)?;
    chain.allow_program_state_writes = config.allow_program_state_writes;
    let chain: SharedChain = Arc::new(Mutex::new(chain));

    let mut rpc = RpcImpl {
        chain: chain.clone(),
        rpc_addr,
        ws_addr,
    }
    .into_rpc();
    rpc.merge(
        ClusterImpl {
            chain: chain.clone(),
        }
        .into_rpc(),
    )
    .map_err(|e| StartError::Other(e.into()))?;
    let rpc_handle = rpc_server.start(rpc);
    let pubsub = pubsub_module(PubSubImpl {
        chain: chain.clone(),
        subscriptions: Arc::default(),
    })
    .map_err(StartError::Other)?;
    let ws_handle = ws_server.start(pubsub);

    let ticking = chain.clone();
    let slot_ms = config.slot_ms.max(1);
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_millis(slot_ms));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            interval.tick().await;
            let chain = ticking.clone();
            let _ = tokio::task::spawn_blocking(move || lock(&chain).advance_slots(1)).await;
        }
    });

    Ok(Running {
        chain,
        rpc_addr,
        ws_addr,
        rpc_handle,
        ws_handle,
        ticker,
    })
}
