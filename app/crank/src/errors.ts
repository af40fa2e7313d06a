import { EXIT, type ExitCode } from "../../util/exit-codes";
import { type PriceGuardError, rpcTransportFailure } from "../../sdk/src";

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
  /** The swap API did not answer within `--jupiter-timeout`. */
  | "venue-timeout"
  | "rpc-unreachable"
  /** The RPC node did not answer within `--rpc-timeout`. */
  | "rpc-timeout"
  /** Pyth's Hermes price service could not be reached for a fresh price. */
  | "hermes-unreachable"
  /** Hermes did not answer within `--hermes-timeout`. */
  | "hermes-timeout"
  /**
   * The swap API's answer holds an instruction outside the crank's allow-list (or one moving the
   * crank's own lamports or tokens): nothing was signed.
   */
  | "instruction-not-allowed"
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
  "venue-timeout",
  "rpc-unreachable",
  "rpc-timeout",
  "hermes-unreachable",
  "hermes-timeout",
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

/**
 * The exit code of a cycle that ended with `failure`, in the shared table (app/util/exit-codes):
 * the network when the node, the swap API or Hermes did not answer or a sent buyback's fate is
 * open; refused when a check or the program said no (nothing was sent, or it failed on chain).
 */
export const FAILURE_EXIT: Record<CrankFailure, ExitCode> = {
  "oracle-wrong-owner": EXIT.refused,
  "oracle-invalid-account": EXIT.refused,
  "oracle-wrong-feed": EXIT.refused,
  "oracle-not-fully-verified": EXIT.refused,
  "oracle-stale": EXIT.refused,
  "oracle-published-in-future": EXIT.refused,
  "oracle-price-invalid": EXIT.refused,
  "oracle-confidence-too-wide": EXIT.refused,
  "quote-below-oracle": EXIT.refused,
  "venue-unreachable": EXIT.network,
  "venue-timeout": EXIT.network,
  "rpc-unreachable": EXIT.network,
  "rpc-timeout": EXIT.network,
  "hermes-unreachable": EXIT.network,
  "hermes-timeout": EXIT.network,
  "instruction-not-allowed": EXIT.refused,
  "price-update-failed": EXIT.refused,
  "no-route": EXIT.refused,
  "price-impact": EXIT.refused,
  "transaction-too-large": EXIT.refused,
  "simulation-failed": EXIT.refused,
  expired: EXIT.network,
  "send-failed": EXIT.refused,
  "outcome-unknown": EXIT.network,
};

/** Bad flags or environment: exit code 2 (usage). */
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
  if (rpcTransportFailure(err)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return (
    NETWORK_ERROR.test(err.message) ||
    (cause instanceof Error &&
      NETWORK_ERROR.test(`${cause.message} ${String((cause as { code?: string }).code)}`))
  );
}

/** The crank's reason for an RPC call that failed in transport: `rpc-timeout` or `rpc-unreachable`. */
export function rpcFailure(err: unknown, what: string): CrankError | undefined {
  const transport = rpcTransportFailure(err);
  if (transport) {
    return new CrankError(
      transport.name === "RpcTimeout" ? "rpc-timeout" : "rpc-unreachable",
      `${what}: ${transport.message}`,
    );
  }
  return isNetworkError(err)
    ? new CrankError("rpc-unreachable", `${what}: RPC unreachable (${(err as Error).message})`)
    : undefined;
}

/** RPC calls: a node that does not answer becomes the named, retriable `rpc-timeout` or `rpc-unreachable`. */
export async function rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const failure = rpcFailure(err, what);
    if (failure) throw failure;
    throw err;
  }
}
