/** Why a crank cycle failed; each maps to one log line, a metric label and an exit code. */
export type CrankFailure =
  | "venue-unreachable"
  | "rpc-unreachable"
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
