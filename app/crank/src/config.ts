/**
 * The crank's configuration, typed and validated, from flags first and then environment
 * variables (see `.env.example`). Every problem is a `CrankConfigError` with a one-line reason.
 */
import { readFileSync } from "fs";

import { Keypair, PACKET_DATA_SIZE, PublicKey } from "@solana/web3.js";

import { ASHAO_TREASURY_PROGRAM_ID, MAX_SLIPPAGE_BPS } from "../../sdk/src";
import { type ListenAddress, parseListenAddress } from "../../util/listen-address";
import { CrankConfigError } from "./errors";

export interface CrankConfig {
  rpcUrl: string;
  wsUrl?: string;
  programId: PublicKey;
  crank: Keypair;
  jupiterBaseUrl: string;
  jupiterApiKey?: string;
  /** Slippage asked of Jupiter; never above the treasury's `max_slippage_bps`. */
  slippageBps: number;
  /** Quotes whose price impact is above this are refused. */
  maxPriceImpactBps: number;
  /** Buybacks smaller than this (USDC base units) are not worth a transaction. */
  minBuybackUsdc: bigint;
  priorityFeeMicroLamports: number;
  computeUnitLimit: number;
  /** `loop` mode: seconds between cycles. */
  intervalSecs: number;
  /** Attempts per cycle, each with a fresh quote and blockhash. */
  maxAttempts: number;
  /**
   * The transaction's byte budget: 1232 on the wire, less when something else (a bundle tip, a
   * wallet) must fit beside the buyback.
   */
  maxTransactionBytes: number;
  /** `maxAccounts` asked of Jupiter, in order, while the transaction does not fit. */
  maxAccountsLadder: number[];
  /**
   * The `PriceUpdateV2` account `finish_buyback` reads; by default Pyth's price feed account of
   * the treasury's feed (shard 0), the one sponsored feeds keep fresh.
   */
  priceUpdate?: PublicKey;
  /** When set, a price older than the guard allows is refreshed from this Hermes endpoint. */
  hermesUrl?: string;
  dryRun: boolean;
  statusFile?: string;
  /** `loop` mode: where `/metrics` is served (Prometheus); none when unset. */
  metricsListen?: ListenAddress;
}

/** Flag name → environment variable, for both the parser and `.env.example`. */
export const CRANK_SETTINGS = {
  "rpc-url": "ASHAO_RPC_URL",
  "ws-url": "ASHAO_WS_URL",
  "program-id": "ASHAO_PROGRAM_ID",
  keypair: "ASHAO_CRANK_KEYPAIR",
  "jupiter-url": "JUPITER_BASE_URL",
  "jupiter-api-key": "JUPITER_API_KEY",
  "slippage-bps": "ASHAO_CRANK_SLIPPAGE_BPS",
  "max-price-impact-bps": "ASHAO_CRANK_MAX_PRICE_IMPACT_BPS",
  "min-buyback-usdc": "ASHAO_CRANK_MIN_BUYBACK_USDC",
  "priority-fee": "ASHAO_CRANK_PRIORITY_FEE_MICROLAMPORTS",
  "compute-unit-limit": "ASHAO_CRANK_COMPUTE_UNIT_LIMIT",
  "interval-secs": "ASHAO_CRANK_INTERVAL_SECS",
  "max-attempts": "ASHAO_CRANK_MAX_ATTEMPTS",
  "max-transaction-bytes": "ASHAO_CRANK_MAX_TRANSACTION_BYTES",
  "status-file": "ASHAO_CRANK_STATUS_FILE",
  "price-update": "ASHAO_CRANK_PRICE_UPDATE",
  "hermes-url": "PYTH_HERMES_URL",
  "metrics-listen": "ASHAO_CRANK_METRICS_LISTEN",
} as const;

export type CrankSetting = keyof typeof CRANK_SETTINGS;
export type CrankFlags = Partial<Record<CrankSetting, string>> & { "dry-run"?: boolean };

/**
 * Starts at 49: a transaction locks at most 64 accounts and the buyback itself names 15 (the
 * price account among them; scripts/measure-buyback-transaction.ts).
 */
export const DEFAULT_MAX_ACCOUNTS_LADDER = [49, 40, 32, 24, 16];

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CrankConfigError(`${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  }
  return value;
}

function address(name: string, raw: string | undefined): PublicKey | undefined {
  if (!raw) return undefined;
  try {
    return new PublicKey(raw);
  } catch {
    throw new CrankConfigError(`${name} is not a base58 address (got ${raw})`);
  }
}

function url(name: string, raw: string | undefined): string {
  if (!raw) throw new CrankConfigError(`${name} is required`);
  try {
    const parsed = new URL(raw);
    if (!["http:", "https:", "ws:", "wss:"].includes(parsed.protocol)) throw new Error();
  } catch {
    throw new CrankConfigError(`${name} must be an http(s) or ws(s) URL (got ${raw})`);
  }
  return raw;
}

function listenAddress(name: string, raw: string | undefined): ListenAddress | undefined {
  if (!raw) return undefined;
  try {
    return parseListenAddress(raw);
  } catch (err) {
    throw new CrankConfigError(`${name}: ${(err as Error).message}`);
  }
}

/** A keypair from a JSON file of 64 numbers (the Solana CLI's format). */
export function readKeypairFile(path: string): Keypair {
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CrankConfigError(`cannot read the crank keypair ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b))) {
    throw new CrankConfigError(`${path} is not a keypair file (a JSON array of 64 numbers)`);
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

/** Reads every setting from `flags`, else `env`, else its default. */
export function crankConfigFrom(flags: CrankFlags, env: NodeJS.ProcessEnv): CrankConfig {
  const get = (setting: CrankSetting) => flags[setting] ?? env[CRANK_SETTINGS[setting]];
  const keypairPath = get("keypair");
  if (!keypairPath) throw new CrankConfigError("--keypair (or ASHAO_CRANK_KEYPAIR) is required");
  const programId = address("--program-id", get("program-id")) ?? ASHAO_TREASURY_PROGRAM_ID;
  const minUsdcRaw = get("min-buyback-usdc") ?? "1000000";
  if (!/^\d+$/.test(minUsdcRaw) || BigInt(minUsdcRaw) === 0n) {
    throw new CrankConfigError(
      `--min-buyback-usdc must be a positive amount in USDC base units (got ${minUsdcRaw})`,
    );
  }
  const wsUrl = get("ws-url");
  const hermesUrl = get("hermes-url");
  return {
    rpcUrl: url("--rpc-url (or ASHAO_RPC_URL)", get("rpc-url")),
    wsUrl: wsUrl ? url("--ws-url", wsUrl) : undefined,
    programId,
    crank: readKeypairFile(keypairPath),
    jupiterBaseUrl: url("--jupiter-url (or JUPITER_BASE_URL)", get("jupiter-url")),
    jupiterApiKey: get("jupiter-api-key") || undefined,
    slippageBps: integer("--slippage-bps", get("slippage-bps"), 50, 1, MAX_SLIPPAGE_BPS),
    maxPriceImpactBps: integer(
      "--max-price-impact-bps",
      get("max-price-impact-bps"),
      100,
      1,
      10_000,
    ),
    minBuybackUsdc: BigInt(minUsdcRaw),
    priorityFeeMicroLamports: integer(
      "--priority-fee",
      get("priority-fee"),
      10_000,
      0,
      100_000_000,
    ),
    computeUnitLimit: integer(
      "--compute-unit-limit",
      get("compute-unit-limit"),
      400_000,
      50_000,
      1_400_000,
    ),
    intervalSecs: integer("--interval-secs", get("interval-secs"), 60, 1, 86_400),
    maxAttempts: integer("--max-attempts", get("max-attempts"), 3, 1, 20),
    maxTransactionBytes: integer(
      "--max-transaction-bytes",
      get("max-transaction-bytes"),
      PACKET_DATA_SIZE,
      400,
      PACKET_DATA_SIZE,
    ),
    maxAccountsLadder: DEFAULT_MAX_ACCOUNTS_LADDER,
    priceUpdate: address("--price-update", get("price-update")),
    hermesUrl: hermesUrl ? url("--hermes-url", hermesUrl) : undefined,
    dryRun: flags["dry-run"] ?? false,
    statusFile: get("status-file") || undefined,
    metricsListen: listenAddress("--metrics-listen", get("metrics-listen")),
  };
}
