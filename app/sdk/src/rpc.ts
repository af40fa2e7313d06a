/**
 * JSON-RPC connections with an explicit timeout on every HTTP call and named transport failures,
 * for the crank, the CLI and the services: a node that does not answer fails the call after
 * `timeoutMs` (`RpcTimeout`) instead of after undici's 300 s, and one that cannot be reached
 * fails at once (`RpcUnreachable`); both name the node (its URL without credentials).
 */
import { type Commitment, Connection } from "@solana/web3.js";

import { guardSubscriptionCalls } from "./websocket";

/** solana-cli's default RPC timeout. */
export const DEFAULT_RPC_TIMEOUT_MS = 30_000;

export type RpcTransportErrorName = "RpcTimeout" | "RpcUnreachable";

export class RpcTransportError extends Error {
  constructor(
    override readonly name: RpcTransportErrorName,
    /** The node's URL as shown (`redactUrl`). */
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A URL fit to print in an error or a log: no user or password, query values and long path
 * segments (where providers put API keys) replaced by `…`.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  url.username = "";
  url.password = "";
  url.pathname = url.pathname
    .split("/")
    .map((segment) => (segment.length >= 20 ? "…" : segment))
    .join("/");
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, "…");
  return url.toString().replace(/%E2%80%A6/g, "…");
}

/** What a failed `fetch` of `url` means, as a named transport error. */
export function transportError(err: unknown, url: string, timeoutMs: number): RpcTransportError {
  const shown = redactUrl(url);
  const name = (err as { name?: string }).name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new RpcTransportError(
      "RpcTimeout",
      shown,
      `the RPC node at ${shown} did not answer within ${timeoutMs / 1000} s`,
    );
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new RpcTransportError(
    "RpcUnreachable",
    shown,
    `the RPC node at ${shown} could not be reached (${why})`,
  );
}

/** Statuses of a gateway or node that is down for now (429 is web3.js's to retry). */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/**
 * `fetch` that gives up after `timeoutMs` (the body included) and turns transport failures,
 * and a gateway's 502, 503 or 504, into `RpcTransportError`s.
 */
export function fetchWithTimeout(url: string, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await fetch(input, { ...init, signal });
      // Read here, under the same deadline, so a node that sends headers and stalls fails too.
      body = await response.arrayBuffer();
    } catch (err) {
      throw transportError(err, url, timeoutMs);
    }
    if (UNAVAILABLE_STATUSES.has(response.status)) {
      const shown = redactUrl(url);
      throw new RpcTransportError(
        "RpcUnreachable",
        shown,
        `the RPC node at ${shown} answered ${response.status} ${response.statusText}`.trim(),
      );
    }
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

export interface TimedConnectionOptions {
  commitment?: Commitment;
  wsEndpoint?: string;
  /** Per HTTP call (default 30 s). */
  timeoutMs?: number;
}

/** A web3.js `Connection` whose every HTTP call has a deadline (`fetchWithTimeout`). */
export function timedConnection(url: string, options: TimedConnectionOptions = {}): Connection {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  return guardSubscriptionCalls(
    new Connection(url, {
      commitment: options.commitment ?? "confirmed",
      wsEndpoint: options.wsEndpoint,
      fetch: fetchWithTimeout(url, timeoutMs),
    }),
  );
}

const QUOTED = /\b(RpcTimeout|RpcUnreachable): (the RPC node at (\S+) .*)$/;

/**
 * The transport failure behind `err`, when it is one: the error itself, one of its causes, or
 * the failure quoted in its message (web3.js rethrows some as a new `Error` that quotes them).
 */
export function rpcTransportFailure(err: unknown): RpcTransportError | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof RpcTransportError) return e;
  }
  const quoted = err instanceof Error ? QUOTED.exec(err.message.split("\n")[0]) : null;
  return quoted
    ? new RpcTransportError(quoted[1] as RpcTransportErrorName, quoted[3], quoted[2])
    : undefined;
}
