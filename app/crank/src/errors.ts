import type { PriceGuardError } from "../../sdk/src";

/**
 * The price guard would refuse the buyback, so none is built: the oracle's account fails one of
 * `finish_buyback`'s checks (each named after the program's error), or Jupiter's quote is below
 * the least $ASHAO the oracle price allows.
 */
export type PriceGuardFailure =
  | "oracle-wrong-owner"
  | "oracle-invalid-account"
  | "oracle-wrong-feed"
  | "oracle-not-fully-verified"
  | "oracle-stale"
  | "oracle-published-in-future"
  | "oracle-price-invalid"
  | "oracle-confidence-too-wide"
  | "quote-below-oracle";

const ORACLE_FAILURES: Record<Exclude<PriceGuardError, "NoPriceGuard">, PriceGuardFailure> = {
  OracleWrongOwner: "oracle-wrong-owner",
  OracleInvalidAccount: "oracle-invalid-account",
  OracleWrongFeed: "oracle-wrong-feed",
  OracleNotFullyVerified: "oracle-not-fully-verified",
  OracleStale: "oracle-stale",
  OraclePublishedInFuture: "oracle-published-in-future",
  OraclePriceInvalid: "oracle-price-invalid",
  OracleConfidenceTooWide: "oracle-confidence-too-wide",
};

/** The crank's reason for a price account the program would refuse with `error`. */
export function oracleFailure(error: Exclude<PriceGuardError, "NoPriceGuard">): PriceGuardFailure {
  return ORACLE_FAILURES[error];
}

export const PRICE_GUARD_FAILURES: ReadonlySet<string> = new Set<PriceGuardFailure>([
  ...Object.values(ORACLE_FAILURES),
  "quote-below-oracle",
]);

/** Why a crank cycle failed; each maps to one log line, a metric label and an exit code. */
export type CrankFailure =
  | PriceGuardFailure
  | "venue-unreachable"
  | "rpc-unreachable"
  /** Pyth's Hermes price service could not be reached for a fresh price. */
  | "hermes-unreachable"
  /** Posting a fresh price update on chain failed. */
  | "price-update-failed"
  | "no-route"
  | "price-impact"
  | "transaction-too-large"
  | "simulation-failed"
  | "expired"
  | "send-failed"
  /** Sent, and the RPC node stayed unreachable: the transaction may still land. */
  | "outcome-unknown";

/** Failures a fresh quote and blockhash may cure. */
const RETRIABLE: ReadonlySet<CrankFailure> = new Set([
  "venue-unreachable",
  "rpc-unreachable",
  "hermes-unreachable",
  "simulation-failed",
  "expired",
  "send-failed",
]);

export class CrankError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly reason: CrankFailure,
    message: string,
  ) {
    super(message);
    this.name = "CrankError";
    this.retriable = RETRIABLE.has(reason);
  }
}

/** Bad flags or environment: exit code 2. */
export class CrankConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CrankConfigError";
  }
}

const NETWORK_ERROR =
  /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|socket hang up|\b50[234]\b|Service Unavailable|Bad Gateway/i;

/** Whether an error from an RPC or HTTP call means the other end could not be reached. */
export function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const cause = (err as { cause?: unknown }).cause;
  return (
    NETWORK_ERROR.test(err.message) ||
    (cause instanceof Error &&
      NETWORK_ERROR.test(`${cause.message} ${String((cause as { code?: string }).code)}`))
  );
}

/** RPC calls: an unreachable node becomes the named, retriable `rpc-unreachable`. */
export async function rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isNetworkError(err)) {
      throw new CrankError(
        "rpc-unreachable",
        `${what}: RPC unreachable (${(err as Error).message})`,
      );
    }
    throw err;
  }
}
