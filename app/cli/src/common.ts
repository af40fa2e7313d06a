/**
 * What the operator subcommands share: the cluster flags, input parsing with one-line refusals,
 * keypair files, exit codes and output as text or `--json`.
 */
import { readFileSync } from "fs";
import { homedir } from "os";
import type { ParseArgsConfig } from "node:util";

import { Connection, Keypair, PublicKey } from "@solana/web3.js";

import {
  ASHAO_TREASURY_PROGRAM_ID,
  type Cluster,
  clusterOf,
  parseCluster,
  parseUnits,
  toTreasuryError,
  treasuryProgram,
  type TreasuryProgram,
} from "../../sdk/src";

/** Exit codes of the operator subcommands (`status`, `deposit`, `admin`, `position`). */
export const EXIT = {
  ok: 0,
  /** Anything unexpected: the RPC node unreachable, a transaction that did not confirm. */
  failed: 1,
  /** A check before signing, or the program, refused: the reason is printed by name. */
  refused: 2,
  /** Bad flags or arguments. */
  usage: 64,
} as const;

export class UsageError extends Error {
  override name = "UsageError";
}

/** A refusal with the program's error name where there is one (`TimelockNotElapsed`, …). */
export class RefusedError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = "RefusedError";
  }
}

export const DEFAULT_RPC_URL = "http://127.0.0.1:8899";

/** Flags every operator subcommand takes. */
export const CHAIN_FLAGS = {
  "rpc-url": { type: "string" },
  "program-id": { type: "string" },
  cluster: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export const CHAIN_USAGE = `  --rpc-url URL      the RPC node (default $ASHAO_RPC_URL, else ${DEFAULT_RPC_URL})
  --program-id ID    another deployment of the treasury program (default $ASHAO_PROGRAM_ID, else the IDL's)
  --cluster NAME     for explorer links: mainnet-beta, devnet, testnet or localnet (default: from the RPC URL)
  --json             one JSON document on stdout (errors too: {"error", "message"})
  -h, --help         this help`;

export interface Chain {
  rpcUrl: string;
  connection: Connection;
  program: TreasuryProgram;
  cluster: Cluster;
}

export function parseAddress(what: string, text: string | undefined): PublicKey {
  if (text === undefined) throw new UsageError(`${what} is required`);
  try {
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) throw new Error();
    return new PublicKey(text);
  } catch {
    throw new UsageError(`${what} must be a base58 address (got ${text})`);
  }
}

export function chainFrom(values: {
  "rpc-url"?: string;
  "program-id"?: string;
  cluster?: string;
}): Chain {
  const rpcUrl = values["rpc-url"] ?? process.env.ASHAO_RPC_URL ?? DEFAULT_RPC_URL;
  if (!/^https?:\/\//.test(rpcUrl)) {
    throw new UsageError(`--rpc-url must be an http(s) URL (got ${rpcUrl})`);
  }
  const programText = values["program-id"] ?? process.env.ASHAO_PROGRAM_ID;
  const programId = programText
    ? parseAddress("--program-id", programText)
    : ASHAO_TREASURY_PROGRAM_ID;
  let cluster: Cluster;
  try {
    cluster = values.cluster ? parseCluster(values.cluster, rpcUrl) : clusterOf(rpcUrl);
  } catch (err) {
    throw new UsageError(`--cluster: ${(err as Error).message}`);
  }
  const connection = new Connection(rpcUrl, { commitment: "confirmed" });
  return {
    rpcUrl,
    connection,
    program: treasuryProgram(connection, undefined, { programId }),
    cluster,
  };
}

/** A positive amount of a token with `decimals` places (`12.5`). */
export function parseAmount(what: string, text: string | undefined, decimals: number): bigint {
  if (text === undefined) throw new UsageError(`${what} is required`);
  let value: bigint;
  try {
    value = parseUnits(text, decimals);
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
  if (value === 0n) throw new UsageError(`${what} must be above zero`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** Seconds, as `90`, `90s`, `15m`, `2h` or `1d`. */
export function parseDuration(what: string, text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const secs = match ? Number(match[1]) * DURATION_UNITS[match[2] || "s"] : NaN;
  if (!Number.isSafeInteger(secs) || secs > 0xffff_ffff) {
    throw new UsageError(
      `${what} must be a duration such as 3600, 90s, 15m, 2h or 1d (got ${text})`,
    );
  }
  return secs;
}

export function parseInteger(what: string, text: string, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value > max) {
    throw new UsageError(`${what} must be an integer from 0 to ${max} (got ${text})`);
  }
  return value;
}

/** A keypair file as the Solana CLI writes it: a JSON array of 64 bytes. */
export function loadKeypair(path: string): Keypair {
  const file = path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(
      `--keypair ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b))) {
    throw new UsageError(`--keypair ${path} is not a keypair file (a JSON array of 64 bytes)`);
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

/** A send's failure as a refusal by the program's error name, or as is when it has none. */
export function refusalOf(err: unknown): unknown {
  const info = toTreasuryError(err);
  return info.code !== null ? new RefusedError(info.name, info.message) : err;
}

/** A failure as one line: `Name: reason`, with no stack or logs. */
export function errorLine(err: unknown): { name: string; message: string } {
  if (err instanceof RefusedError) return { name: err.errorName, message: err.message };
  if (err instanceof UsageError) return { name: "UsageError", message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  if (/fetch failed|ECONNREFUSED|ENOTFOUND/.test(message) || cause) {
    return { name: "RpcUnreachable", message: `the RPC node did not answer (${cause ?? message})` };
  }
  return { name: err instanceof Error ? err.name : "Error", message: message.split("\n")[0] };
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof RefusedError) return EXIT.refused;
  return EXIT.failed;
}

/** Prints `value` as JSON (amounts already strings) or as text. */
export function print(json: boolean, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}
