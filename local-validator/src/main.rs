//! `ashao-validator`: an offline local Solana validator (see the crate docs).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ashao_local_validator::{capture, start, Config, StartError};
use clap::Parser;
use solana_address::Address;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "ashao-validator",
    about = "Offline local Solana validator: LiteSVM with the protocol's programs, behind JSON-RPC and PubSub.\nState is fresh on every start."
)]
struct Args {
    /// JSON-RPC (HTTP) port
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// PubSub (websocket) port [default: rpc port + 1]
    #[arg(long)]
    ws_port: Option<u16>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Slot duration in milliseconds
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Where `<program>.so` files are looked for; a program without one runs natively
    #[arg(long, default_value = "target/deploy")]
    deploy_dir: PathBuf,
    /// Log level (tracing filter) for stderr
    #[arg(long, default_value = "info")]
    log_level: String,
    /// Upgrade authority named in every hosted program's ProgramData [default: a new keypair's
    /// pubkey, whose secret key is not kept]
    #[arg(long, env = "ASHAO_UPGRADE_AUTHORITY")]
    upgrade_authority: Option<Address>,
    /// Let `localnet_setAccounts` write the hosted programs' data accounts (to seed program
    /// state at scale); without it, program state only comes from the programs
    #[arg(long)]
    allow_program_state_writes: bool,
    /// Stop when standard input reaches its end: a parent that starts the validator with its
    /// stdin on a pipe (and in a process group of its own, so a terminal's Ctrl-C reaches only the
    /// parent, which stops it last) takes it down with it, even when killed
    #[arg(long)]
    stop_on_stdin_eof: bool,
}

/// Resolves when standard input is at its end (read on a thread of its own: reading blocks).
fn stdin_closed() -> tokio::sync::oneshot::Receiver<()> {
    let (closed, on_close) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(std::io::Read::read(&mut stdin, &mut buf), Ok(n) if n > 0) {}
        let _ = closed.send(());
    });
    on_close
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = EnvFilter::try_new(format!(
        "{},jsonrpsee=warn,solana=warn,litesvm=warn",
        args.log_level
    ))
    .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking RPC methods (sendTransaction and the like) take the chain's lock one at a
        // time: more threads than this only add stacks and malloc arenas (32 concurrent clients
        // grew the validator by 40 MiB with tokio's default of 512) and contention.
        .max_blocking_threads(8)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let ws_port = args.ws_port.unwrap_or(if args.rpc_port == 0 {
        0
    } else {
        args.rpc_port.saturating_add(1)
    });
    let stdin_eof = async {
        if args.stop_on_stdin_eof {
            let _ = stdin_closed().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let config = Config {
        bind: args.bind,
        rpc_port: args.rpc_port,
        ws_port,
        slot_ms: args.slot_ms,
        deploy_dir: args.deploy_dir,
        upgrade_authority: args
            .upgrade_authority
            .unwrap_or_else(|| Keypair::new().pubkey()),
        allow_program_state_writes: args.allow_program_state_writes,
    };
    let started = std::time::Instant::now();
    let running = match start(config).await {
        Ok(r) => r,
        Err(e @ StartError::AddrInUse(_)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    capture::print_stdout_line(&running.ready_line());
    tracing::info!("ready in {} ms", started.elapsed().as_millis());

    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot install the SIGTERM handler: {e}");
            return ExitCode::from(1);
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = stdin_eof => tracing::info!("standard input closed"),
    }
    tracing::info!("shutting down");
    running.stop().await;
    ExitCode::SUCCESS
}
