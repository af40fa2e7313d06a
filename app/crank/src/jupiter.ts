/**
 * Jupiter through the real `@jup-ag/api` client. `createJupiterApiClient` would replace the base
 * URL with Jupiter's public one, so the generated `SwapApi` gets our own `Configuration`: the
 * mainnet endpoint with an `x-api-key`, or the local venue on localnet, and a `fetch` with a
 * deadline (`venue-timeout` past it).
 */
import { Configuration, FetchError, type QuoteResponse, ResponseError, SwapApi } from "@jup-ag/api";
import { PublicKey, TransactionInstruction } from "@solana/web3.js";

import { fromJupiterInstruction, redactUrl } from "../../sdk/src";
import { CrankError } from "./errors";

export function jupiterSwapApi(
  baseUrl: string,
  apiKey: string | undefined,
  timeoutMs: number,
): SwapApi {
  return new SwapApi(
    new Configuration({
      basePath: baseUrl.replace(/\/$/, ""),
      headers: apiKey ? { "x-api-key": apiKey } : undefined,
      // The deadline covers the body too: a server that sends headers and stalls fails as well.
      fetchApi: async (input: string | URL | Request, init?: RequestInit) => {
        try {
          const response = await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
          const body = await response.arrayBuffer();
          return new Response(body, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
        } catch (err) {
          if ((err as Error).name !== "TimeoutError") throw err;
          throw new CrankError(
            "venue-timeout",
            `Jupiter at ${redactUrl(baseUrl)} did not answer within ${timeoutMs / 1000} s`,
          );
        }
      },
    }),
  );
}

/** The crank's own failure inside a client error (the client wraps what `fetchApi` throws). */
function crankErrorIn(err: unknown): CrankError | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof CrankError) return e;
  }
  return undefined;
}

/** Jupiter's error body, `{ error, errorCode }`, as one line. */
async function describeResponseError(err: ResponseError): Promise<{ code?: string; text: string }> {
  try {
    const body = (await err.response.json()) as { error?: string; errorCode?: string };
    return { code: body.errorCode, text: `${err.response.status} ${body.error ?? ""}`.trim() };
  } catch {
    return { text: `HTTP ${err.response.status}` };
  }
}

/** Turns the client's failures into the crank's named ones. */
async function venueCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const own = crankErrorIn(err);
    if (own) throw new CrankError(own.reason, `${what}: ${own.message}`);
    if (err instanceof FetchError) {
      throw new CrankError(
        "venue-unreachable",
        `${what}: Jupiter unreachable (${err.cause.message})`,
      );
    }
    if (err instanceof ResponseError) {
      const { code, text } = await describeResponseError(err);
      if (code === "COULD_NOT_FIND_ANY_ROUTE" || code === "NO_ROUTES_FOUND") {
        throw new CrankError("no-route", `${what}: ${text}`);
      }
      if (err.response.status >= 500 || err.response.status === 429) {
        throw new CrankError("venue-unreachable", `${what}: ${text}`);
      }
      throw new CrankError("no-route", `${what}: ${text}`);
    }
    throw err;
  }
}

export interface BuybackQuoteRequest {
  usdcMint: PublicKey;
  ashaoMint: PublicKey;
  usdcAmount: bigint;
  slippageBps: number;
  maxAccounts: number;
}

export function quoteBuyback(api: SwapApi, request: BuybackQuoteRequest): Promise<QuoteResponse> {
  if (request.usdcAmount > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount ${request.usdcAmount} is beyond what the Jupiter client can send`);
  }
  return venueCall("quote", () =>
    api.quoteGet({
      inputMint: request.usdcMint.toBase58(),
      outputMint: request.ashaoMint.toBase58(),
      amount: Number(request.usdcAmount),
      slippageBps: request.slippageBps,
      swapMode: "ExactIn",
      maxAccounts: request.maxAccounts,
    }),
  );
}

export interface SwapPlan {
  setup: TransactionInstruction[];
  swap: TransactionInstruction;
  cleanup: TransactionInstruction[];
  lookupTables: PublicKey[];
}

/** Jupiter's instructions for `quote`, swapping from and to `user`'s associated accounts. */
export async function swapPlan(
  api: SwapApi,
  quote: QuoteResponse,
  user: PublicKey,
): Promise<SwapPlan> {
  const answer = await venueCall("swap-instructions", () =>
    api.swapInstructionsPost({
      swapRequest: {
        quoteResponse: quote,
        userPublicKey: user.toBase58(),
        wrapAndUnwrapSol: false,
        dynamicComputeUnitLimit: false,
      },
    }),
  );
  return {
    setup: [...answer.otherInstructions, ...answer.setupInstructions].map(fromJupiterInstruction),
    swap: fromJupiterInstruction(answer.swapInstruction),
    cleanup: answer.cleanupInstruction ? [fromJupiterInstruction(answer.cleanupInstruction)] : [],
    lookupTables: answer.addressLookupTableAddresses.map((a) => new PublicKey(a)),
  };
}

/** The quote's price impact in basis points (Jupiter sends a decimal fraction as a string). */
export function priceImpactBps(quote: QuoteResponse): number {
  return Math.ceil(Math.abs(Number(quote.priceImpactPct)) * 10_000);
}
