/**
 * The crank's configuration, typed and validated, from flags first and then environment
 * variables (see `.env.example`); the cluster and the key come from the global flags resolved as
 * solana-cli does (`-u`, `--ws`, `-k`, `--program-id`, `--rpc-timeout`). Every problem is a
 * `CrankConfigError` with a one-line reason.
 */
import { Keypair, PACKET_DATA_SIZE, PublicKey } from "@solana/web3.js";

import { MAX_SLIPPAGE_BPS } from "../../sdk/src";
import { readKeypairFile } from "../../util/keypair-file";
import { type ListenAddress, parseListenAddress } from "../../util/listen-address";
import { CrankConfigError } from "./errors";
import { CRANK_SETTINGS, type CrankFlags, type CrankSetting } from "./settings";

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
  /** Per call: the RPC node, the swap API, Hermes. */
  rpcTimeoutMs: number;
  jupiterTimeoutMs: number;
  hermesTimeoutMs: number;
  dryRun: boolean;
  statusFile?: string;
  /** `loop` mode: where `/metrics` is served (Prometheus); none when unset. */
  metricsListen?: ListenAddress;
}

export const DEFAULT_TIMEOUTS = {
  rpcTimeoutMs: 30_000,
  jupiterTimeoutMs: 10_000,
  hermesTimeoutMs: 10_000,
} as const;

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

/** The cluster and key, resolved from the global flags (app/util/solana-config.ts). */
export interface CrankCluster {
  rpcUrl: string;
  wsUrl?: string;
  keypairPath: string;
  programId: PublicKey;
  rpcTimeoutSecs: number;
}

/** Reads every setting from `flags`, else `env`, else its default. */
export function crankConfigFrom(
  flags: CrankFlags,
  cluster: CrankCluster,
  env: NodeJS.ProcessEnv,
): CrankConfig {
  const get = (setting: CrankSetting) =>
    flags[setting] ?? (env[CRANK_SETTINGS[setting]] || undefined);
  const minUsdcRaw = get("min-buyback-usdc") ?? "1000000";
  if (!/^\d+$/.test(minUsdcRaw) || BigInt(minUsdcRaw) === 0n) {
    throw new CrankConfigError(
      `--min-buyback-usdc must be a positive amount in USDC base units (got ${minUsdcRaw})`,
    );
  }
  const hermesUrl = get("hermes-url");
  const seconds = (setting: CrankSetting, fallbackMs: number) =>
    integer(`--${setting}`, get(setting), fallbackMs / 1000, 1, 3600) * 1000;
  return {
    rpcUrl: cluster.rpcUrl,
    wsUrl: cluster.wsUrl,
    programId: cluster.programId,
    crank: readKeypairFile(cluster.keypairPath),
    jupiterBaseUrl: url("--jupiter-url (or JUPITER_BASE_URL)", get("jupiter-url")),
    jupiterApiKey: get("jupiter-api-key"),
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
    rpcTimeoutMs: cluster.rpcTimeoutSecs * 1000,
    jupiterTimeoutMs: seconds("jupiter-timeout", DEFAULT_TIMEOUTS.jupiterTimeoutMs),
    hermesTimeoutMs: seconds("hermes-timeout", DEFAULT_TIMEOUTS.hermesTimeoutMs),
    dryRun: flags["dry-run"] ?? false,
    statusFile: get("status-file"),
    metricsListen: listenAddress("--metrics-listen", get("metrics-listen")),
  };
}
