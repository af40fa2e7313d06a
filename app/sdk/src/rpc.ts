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

/** An account's owner program and bytes, as `getMultipleAccounts` answers them. */
export interface AccountBytes {
  owner: string;
  data: Buffer;
}

/** `getMultipleAccounts`' answer: the slot it was read at and each account (null: none). */
export interface AccountsAtSlot {
  slot: number;
  accounts: (AccountBytes | null)[];
}

/** The most addresses one `getMultipleAccounts` takes. */
export const MAX_MULTIPLE_ACCOUNTS = 100;

/**
 * `getMultipleAccounts` in base64 for up to 100 addresses, its answer read as plain JSON with
 * only the fields used checked. web3.js checks every answer against its full schema first
 * (superstruct, which builds an error object for each branch of a union it rules out): 10-30 ms
 * of the caller's event loop for 100 stake positions, which an API serving thousands of
 * requests a second pays every second for its consistency checks.
 */
export async function getMultipleAccountsBytes(
  rpcUrl: string,
  addresses: readonly string[],
  options: { commitment?: Commitment; timeoutMs?: number } = {},
): Promise<AccountsAtSlot> {
  if (addresses.length > MAX_MULTIPLE_ACCOUNTS) {
    throw new RangeError(`getMultipleAccounts takes at most ${MAX_MULTIPLE_ACCOUNTS} addresses`);
  }
  const send = fetchWithTimeout(rpcUrl, options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "getMultipleAccounts",
    params: [addresses, { encoding: "base64", commitment: options.commitment ?? "confirmed" }],
  });
  const post = () =>
    send(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
  // A node over its client's quota (429) is asked again as web3.js's own calls do: five
  // attempts in all, 500 ms apart and doubling.
  let response = await post();
  for (let retry = 0, waitMs = 500; response.status === 429 && retry < 4; retry++, waitMs *= 2) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    response = await post();
  }
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`getMultipleAccounts: HTTP ${response.status} ${text.slice(0, 200)}`.trim());
  }
  const answer = JSON.parse(text) as {
    result?: { context?: { slot?: unknown }; value?: unknown };
    error?: { code?: unknown; message?: unknown };
  };
  if (answer.error) {
    throw new Error(
      `getMultipleAccounts: ${String(answer.error.message)} (${String(answer.error.code)})`,
    );
  }
  const slot = answer.result?.context?.slot;
  const value = answer.result?.value;
  if (typeof slot !== "number" || !Array.isArray(value) || value.length !== addresses.length) {
    throw new Error("getMultipleAccounts: a malformed answer");
  }
  const accounts = value.map((account: unknown): AccountBytes | null => {
    if (account === null) return null;
    const { owner, data } = account as { owner?: unknown; data?: unknown };
    if (typeof owner !== "string" || !Array.isArray(data) || typeof data[0] !== "string") {
      throw new Error("getMultipleAccounts: a malformed account in the answer");
    }
    return { owner, data: Buffer.from(data[0], "base64") };
  });
  return { slot, accounts };
}
