/**
 * Starts and stops `ashao-validator` (the embedded local validator) as a child process. Shared by
 * the CLI's local economy and the test suites.
 */
import { ChildProcess, spawn } from "child_process";
import { createWriteStream, existsSync, mkdirSync } from "fs";
import { createServer } from "net";
import { homedir } from "os";
import { dirname, join } from "path";
import { createInterface } from "readline";

import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";

import { closeWebSocket, guardSubscriptionCalls } from "../sdk/src/websocket";
import { REPO_ROOT } from "../util/repo-root";

export interface LocalValidator {
  rpcUrl: string;
  wsUrl: string;
  /** The `programs=` part of the ready line, e.g. `ashao_treasury:native`. */
  programs: string;
  connection: Connection;
  /**
   * The upgrade authority of every hosted program (each program's ProgramData names it), holding
   * SOL to pay for `initialize`.
   */
  upgradeAuthority: Keypair;
  /** The validator's process id, when this process started it (for CPU and memory figures). */
  pid?: number;
  stop(): Promise<void>;
}

export interface StartValidatorOptions {
  rpcPort?: number;
  wsPort?: number;
  slotMs?: number;
  /** Where the validator's stderr goes (default: artifacts/validator-<rpcPort>.log). */
  logFile?: string;
  /** How long to wait for the ready line. */
  readyTimeoutMs?: number;
  /** The hosted programs' upgrade authority (default: a new keypair). */
  upgradeAuthority?: Keypair;
  /**
   * Let `setAccounts` write the hosted programs' data accounts (`--allow-program-state-writes`),
   * to seed program state at scale (default: off, program state only comes from the programs).
   */
  allowProgramStateWrites?: boolean;
}

/** How long the validator may take to stop on SIGTERM before it is killed. */
const STOP_GRACE_MS = 2_000;

/** What the upgrade authority is given once the validator is ready. */
const UPGRADE_AUTHORITY_LAMPORTS = 100 * LAMPORTS_PER_SOL;

/** The validator binary: `ASHAO_VALIDATOR_BIN`, else the debug build in cargo's target dir. */
export function validatorBinary(): string {
  if (process.env.ASHAO_VALIDATOR_BIN) return process.env.ASHAO_VALIDATOR_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache/ashao-treasury/target");
  return join(targetDir, "debug/ashao-validator");
}

/** A TCP port nothing listens on right now, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
  });
}

/** Spawns the validator and resolves once it prints its ready line. */
export async function startValidator(options: StartValidatorOptions = {}): Promise<LocalValidator> {
  const binary = validatorBinary();
  if (!existsSync(binary)) {
    throw new Error(
      `local validator not built at ${binary}: run \`npm test\` or \`cargo build -p ashao-local-validator\``,
    );
  }
  const rpcPort = options.rpcPort ?? (await freePort());
  const wsPort = options.wsPort ?? (await freePort());
  const logFile = options.logFile ?? join(REPO_ROOT, `artifacts/validator-${rpcPort}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const upgradeAuthority = options.upgradeAuthority ?? Keypair.generate();
  const args = [
    "--rpc-port",
    String(rpcPort),
    "--ws-port",
    String(wsPort),
    "--upgrade-authority",
    upgradeAuthority.publicKey.toBase58(),
  ];
  if (options.slotMs !== undefined) args.push("--slot-ms", String(options.slotMs));
  if (options.allowProgramStateWrites) args.push("--allow-program-state-writes");
  // In a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground group)
  // reaches only this process, which stops the validator after its clients; and on a pipe for
  // stdin, whose end (this process gone, even killed) stops it.
  args.push("--stop-on-stdin-eof");
  const child = spawn(binary, args, {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  child.stderr?.pipe(createWriteStream(logFile));

  const ready = await new Promise<{ rpc: string; ws: string; programs: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(
          new Error(
            `validator not ready within ${options.readyTimeoutMs ?? 30_000} ms; see ${logFile}`,
          ),
        );
      }, options.readyTimeoutMs ?? 30_000);
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        const match = /^ashao-validator ready rpc=(\S+) ws=(\S+) programs=(\S*)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({ rpc: match[1], ws: match[2], programs: match[3] });
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`validator exited with code ${code} before it was ready; see ${logFile}`));
      });
    },
  );

  const connection = guardSubscriptionCalls(
    new Connection(ready.rpc, { commitment: "confirmed", wsEndpoint: ready.ws }),
  );
  const stop = async () => {
    closeWebSocket(connection);
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await waitForExit(child);
    clearTimeout(killer);
  };
  try {
    const signature = await connection.requestAirdrop(
      upgradeAuthority.publicKey,
      UPGRADE_AUTHORITY_LAMPORTS,
    );
    const latest = await connection.getLatestBlockhash();
    const result = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
    if (result.value.err) throw new Error(JSON.stringify(result.value.err));
  } catch (err) {
    await stop();
    throw new Error(`funding the upgrade authority failed: ${(err as Error).message}`);
  }
  return {
    rpcUrl: ready.rpc,
    wsUrl: ready.ws,
    programs: ready.programs,
    connection,
    upgradeAuthority,
    pid: child.pid,
    stop,
  };
}

/**
 * Forgets the blockhash web3.js caches (30 s) for the legacy transactions it stamps itself (as
 * spl-token's helpers send them): after the clock moves, that blockhash has expired, and the
 * next such send would fail with "Blockhash not found".
 */
function forgetCachedBlockhash(connection: Connection): void {
  const internal = connection as unknown as {
    _blockhashInfo?: { latestBlockhash: unknown; lastFetch: number };
  };
  if (internal._blockhashInfo) {
    internal._blockhashInfo.latestBlockhash = null;
    internal._blockhashInfo.lastFetch = 0;
  }
}

/** Calls one of the validator's local-only JSON-RPC methods (web3.js has no call for them). */
async function localnetRpc<T>(connection: Connection, method: string, params: unknown): Promise<T> {
  const response = await fetch(connection.rpcEndpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [params] }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (!body.result) throw new Error(`${method} failed: ${body.error?.message}`);
  return body.result;
}

/**
 * Moves the validator's clock forward (local-only RPC `localnet_advanceClock`); blockhashes
 * older than 150 slots expire, so `connection`'s cached blockhash is dropped too.
 */
export async function advanceClock(
  connection: Connection,
  seconds: number,
): Promise<{ slot: number; unixTimestamp: number }> {
  const result = await localnetRpc<{ slot: number; unixTimestamp: number }>(
    connection,
    "localnet_advanceClock",
    { seconds },
  );
  forgetCachedBlockhash(connection);
  return result;
}

/**
 * Writes a data account into the validator's state (local-only RPC `localnet_setAccount`), e.g. a
 * Pyth price update owned by the receiver program, which is not deployed locally. Account and
 * program subscribers are notified. The validator refuses programs, the hosted programs' accounts,
 * loaders and sysvars.
 */
export async function setAccount(
  connection: Connection,
  pubkey: PublicKey,
  account: AccountBytes,
): Promise<{ slot: number }> {
  return localnetRpc<{ slot: number }>(
    connection,
    "localnet_setAccount",
    accountParams(pubkey, account),
  );
}

/** An account as `setAccount` and `setAccounts` write it. */
export interface AccountBytes {
  lamports: number;
  data: Buffer;
  owner: PublicKey;
  executable?: boolean;
}

function accountParams(pubkey: PublicKey, account: AccountBytes) {
  return {
    pubkey: pubkey.toBase58(),
    lamports: account.lamports,
    data: account.data.toString("base64"),
    owner: account.owner.toBase58(),
    executable: account.executable ?? false,
  };
}

/**
 * Writes many data accounts in one call, all or none (local-only RPC `localnet_setAccounts`),
 * with `setAccount`'s refusals; a validator started with `allowProgramStateWrites` also writes
 * the hosted programs' data accounts (the treasury's config and positions, to seed a chain at
 * scale). Subscribers are notified of each account.
 */
export async function setAccounts(
  connection: Connection,
  accounts: { pubkey: PublicKey; account: AccountBytes }[],
): Promise<{ slot: number }> {
  return localnetRpc<{ slot: number }>(connection, "localnet_setAccounts", {
    accounts: accounts.map(({ pubkey, account }) => accountParams(pubkey, account)),
  });
}
