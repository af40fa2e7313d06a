/**
 * The crank's own settings, as data: each flag and the environment variable it falls back to
 * (`.env.example` lists them all). Loads nothing, so `ashao crank --help` stays fast. The
 * cluster and the key are the global flags: `-u` (ASHAO_RPC_URL), `--ws` (ASHAO_WS_URL), `-k`
 * (ASHAO_CRANK_KEYPAIR), `--program-id` (ASHAO_PROGRAM_ID), `--rpc-timeout`
 * (ASHAO_RPC_TIMEOUT_SECS).
 */
export const CRANK_SETTINGS = {
  "jupiter-url": "JUPITER_BASE_URL",
  "jupiter-api-key": "JUPITER_API_KEY",
  "jupiter-timeout": "JUPITER_TIMEOUT_SECS",
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
  "hermes-timeout": "PYTH_HERMES_TIMEOUT_SECS",
  "metrics-listen": "ASHAO_CRANK_METRICS_LISTEN",
} as const;

export type CrankSetting = keyof typeof CRANK_SETTINGS;
export type CrankFlags = Partial<Record<CrankSetting, string>> & { "dry-run"?: boolean };

/** The environment variable the crank's key falls back to. */
export const CRANK_KEYPAIR_ENV = "ASHAO_CRANK_KEYPAIR";
