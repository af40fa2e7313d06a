/**
 * One crank cycle: read the treasury, size the buyback, read (and if need be refresh) the
 * oracle's price, quote, build, simulate, send, confirm, and on a retriable failure start over
 * with a fresh quote and blockhash. A buyback the price guard would refuse is never built. The
 * treasury's USDC only ever leaves the vault inside the atomic transaction, so a cycle
 * interrupted anywhere leaves nothing behind and the next one starts clean.
 */
import type { QuoteResponse, SwapApi } from "@jup-ag/api";
import { AddressLookupTableAccount, Connection, VersionedTransaction } from "@solana/web3.js";
import type { Logger } from "pino";

import {
  buybackCapacity,
  crankAccounts,
  fetchChainTime,
  fetchTreasuryOrThrow,
  findTreasuryEvents,
  oracleMinAshaoOut,
  sendSigned,
  toTreasuryError,
  treasuryAccounts,
  type TreasuryProgram,
  type TreasuryState,
  UnknownOutcomeError,
} from "../../sdk/src";
import { checkSwapPlan } from "./allow-list";
import type { CrankConfig } from "./config";
import { CrankError, rpc, rpcFailure } from "./errors";
import { priceImpactBps, quoteBuyback, swapPlan } from "./jupiter";
import type { CrankMetrics } from "./metrics";
import { type OracleReading, priceAccountFor, type PriceUpdater, readOracle } from "./price";
import { buildBuybackTransaction, fetchLookupTables } from "./transaction";

export interface CrankDeps {
  connection: Connection;
  program: TreasuryProgram;
  swapApi: SwapApi;
  log: Logger;
  metrics: CrankMetrics;
  /** Refreshes a price too old for the guard; without one such a cycle ends `oracle-stale`. */
  priceUpdater?: PriceUpdater;
}

export type CycleResult =
  | { status: "skipped"; reason: string }
  | {
      status: "dry-run" | "bought";
      usdcAmount: bigint;
      minAshaoOut: bigint;
      bytes: number;
      accounts: number;
      maxAccounts: number;
      attempts: number;
      signature?: string;
      /** The oracle's price (`price × 10^exponent` USD per $ASHAO) the buyback is held to. */
      oraclePrice: bigint;
      oracleExponent: number;
      /** The least $ASHAO the guard accepts for `usdcAmount` (SDK math, as the program's). */
      oracleMinAshaoOut: bigint;
      usdcSpent?: bigint;
      ashaoBurned?: bigint;
      priceUsdcPerAshao?: bigint;
      oraclePriceUsdcPerAshao?: bigint;
      /** Where the figures come from: the buyback's event, or the treasury's totals. */
      figuresFrom?: "event" | "accounts";
    };

interface Prepared {
  transaction: VersionedTransaction;
  latest: { blockhash: string; lastValidBlockHeight: number };
  quote: QuoteResponse;
  bytes: number;
  accounts: number;
  maxAccounts: number;
  minAshaoOut: bigint;
}

/**
 * Quotes and builds, asking for fewer accounts while the transaction does not fit. A quote
 * below the oracle's floor is refused; the buyback's `min_ashao_out` is the higher of Jupiter's
 * threshold and that floor, so the crank's own bound is never looser than the program's.
 */
async function prepare(
  deps: CrankDeps,
  config: CrankConfig,
  state: TreasuryState,
  usdcAmount: bigint,
  oracle: OracleReading,
  oracleMin: bigint,
): Promise<Prepared> {
  const { connection, program, swapApi, log } = deps;
  const accounts = treasuryAccounts(program.programId, state);
  const crank = crankAccounts(config.crank.publicKey, accounts);
  const slippageBps = Math.min(config.slippageBps, state.maxSlippageBps);
  let largest: { bytes: number; maxAccounts: number } | undefined;
  for (const maxAccounts of config.maxAccountsLadder) {
    let quote: QuoteResponse;
    try {
      quote = await quoteBuyback(swapApi, {
        usdcMint: state.usdcMint,
        ashaoMint: state.ashaoMint,
        usdcAmount,
        slippageBps,
        maxAccounts,
      });
    } catch (err) {
      // No route this small: the larger ones did not fit.
      if (largest && err instanceof CrankError && err.reason === "no-route") break;
      throw err;
    }
    const impact = priceImpactBps(quote);
    if (impact > config.maxPriceImpactBps) {
      throw new CrankError(
        "price-impact",
        `quote's price impact ${impact} bps is over the limit of ${config.maxPriceImpactBps} bps`,
      );
    }
    if (BigInt(quote.outAmount) < oracleMin) {
      throw new CrankError(
        "quote-below-oracle",
        `Jupiter quotes ${quote.outAmount} $ASHAO units for ${usdcAmount} USDC units; the price ` +
          `guard wants at least ${oracleMin} (oracle price ${oracle.price.price} × ` +
          `10^${oracle.price.exponent} less ${state.maxSlippageBps} bps)`,
      );
    }
    const plan = await swapPlan(swapApi, quote, config.crank.publicKey);
    checkSwapPlan(plan, { crank: config.crank.publicKey, swapProgram: state.swapProgram });
    const tables: AddressLookupTableAccount[] = await rpc("lookup tables", () =>
      fetchLookupTables(connection, plan.lookupTables),
    );
    const latest = await rpc("blockhash", () => connection.getLatestBlockhash("confirmed"));
    const threshold = BigInt(quote.otherAmountThreshold);
    const minAshaoOut = threshold > oracleMin ? threshold : oracleMin;
    const built = await buildBuybackTransaction({
      program,
      accounts,
      crank: config.crank,
      crankAccounts: crank,
      usdcAmount,
      minAshaoOut,
      swapProgram: state.swapProgram,
      priceUpdate: oracle.account,
      plan,
      lookupTables: tables,
      computeUnitLimit: config.computeUnitLimit,
      priorityFeeMicroLamports: config.priorityFeeMicroLamports,
      blockhash: latest.blockhash,
      maxBytes: config.maxTransactionBytes,
    });
    if (built.transaction) {
      return { ...built, transaction: built.transaction, latest, quote, maxAccounts, minAshaoOut };
    }
    largest = { bytes: built.bytes, maxAccounts };
    log.info(
      { bytes: built.bytes, accounts: built.accounts, maxAccounts },
      `transaction over ${config.maxTransactionBytes} bytes; re-quoting with fewer accounts`,
    );
  }
  throw new CrankError(
    "transaction-too-large",
    `no route fits in ${config.maxTransactionBytes} bytes (smallest tried: maxAccounts ${largest?.maxAccounts})`,
  );
}

async function attempt(
  deps: CrankDeps,
  config: CrankConfig,
  attemptNo: number,
): Promise<CycleResult> {
  const { connection, program, log } = deps;
  const state = await rpc("treasury", () => fetchTreasuryOrThrow(program));
  const capacity = buybackCapacity(state, await rpc("clock", () => fetchChainTime(connection)));
  if (capacity.blocked) {
    const reason =
      capacity.blocked === "interval"
        ? `interval: next buyback allowed at ${new Date(Number(capacity.nextAllowedAtSecs) * 1000).toISOString()}`
        : capacity.blocked;
    return { status: "skipped", reason };
  }
  if (capacity.maxUsdc < config.minBuybackUsdc) {
    return {
      status: "skipped",
      reason: `bucket ${capacity.maxUsdc} is below the minimum buyback ${config.minBuybackUsdc}`,
    };
  }
  const guard = state.priceGuard;
  if (guard.kind === "none") {
    return {
      status: "skipped",
      reason: "no-price-guard: buybacks are off until one is configured",
    };
  }
  const oracle = await readOracle({
    connection,
    state,
    guard,
    account: priceAccountFor(guard, config.priceUpdate),
    updater: deps.priceUpdater,
    log,
  });
  const usdcAmount = capacity.maxUsdc;
  const oracleMin = oracleMinAshaoOut(
    usdcAmount,
    oracle.price,
    oracle.decimals,
    state.maxSlippageBps,
  );
  const prepared = await prepare(deps, config, state, usdcAmount, oracle, oracleMin);
  const summary = {
    usdcAmount,
    minAshaoOut: prepared.minAshaoOut,
    oraclePrice: oracle.price.price,
    oracleExponent: oracle.price.exponent,
    oracleMinAshaoOut: oracleMin,
    bytes: prepared.bytes,
    accounts: prepared.accounts,
    maxAccounts: prepared.maxAccounts,
    attempts: attemptNo,
  };
  log.info(
    {
      ...stringify(summary),
      outAmount: prepared.quote.outAmount,
      priceUpdate: oracle.account.toBase58(),
      oraclePublishTime: Number(oracle.price.publishTime),
    },
    "quoted and built the buyback transaction",
  );

  const simulation = await rpc("simulate", () =>
    connection.simulateTransaction(prepared.transaction, { commitment: "confirmed" }),
  );
  if (simulation.value.err) {
    const error = toTreasuryError({ logs: simulation.value.logs ?? [] });
    throw new CrankError("simulation-failed", `simulation failed: ${error.name}: ${error.message}`);
  }
  log.info({ unitsConsumed: simulation.value.unitsConsumed }, "simulated");
  if (config.dryRun) return { status: "dry-run", ...summary };

  let outcome;
  try {
    // Not through rpc(): sendSigned follows the signature through RPC failures itself, and a
    // failure here must never read as "retry with a new transaction".
    outcome = await sendSigned(connection, prepared.transaction, prepared.latest, {
      commitment: "confirmed",
      skipPreflight: true,
    });
  } catch (err) {
    if (err instanceof UnknownOutcomeError) {
      // Never build another buy while this one may land; the next run starts from the chain.
      throw new CrankError("outcome-unknown", err.message);
    }
    const error = toTreasuryError(err);
    throw new CrankError("send-failed", `transaction failed: ${error.name}: ${error.message}`);
  }
  if (outcome.status === "expired") {
    throw new CrankError(
      "expired",
      "blockhash expired before the transaction landed; it never will",
    );
  }
  return {
    status: "bought",
    ...summary,
    signature: outcome.signature,
    ...(await boughtFigures(deps, outcome.signature, state)),
  };
}

type BoughtFigures = Partial<{
  usdcSpent: bigint;
  ashaoBurned: bigint;
  priceUsdcPerAshao: bigint;
  oraclePriceUsdcPerAshao: bigint;
  figuresFrom: "event" | "accounts";
}>;

/**
 * What a landed buyback spent and burned: from its event, or, when the node returns no
 * transaction (it may not have it yet), from the treasury's totals against those the cycle
 * started from (one buyback per interval, so the difference is this one). Never zeros for
 * figures nobody read.
 */
async function boughtFigures(
  deps: CrankDeps,
  signature: string,
  before: TreasuryState,
): Promise<BoughtFigures> {
  const { connection, program, log } = deps;
  const tx = await connection
    .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
    .catch(() => null);
  const [event] = findTreasuryEvents(program, tx?.meta?.logMessages ?? [], "buybackExecuted");
  if (event) {
    return {
      usdcSpent: event.data.usdcSpent,
      ashaoBurned: event.data.ashaoBurned,
      priceUsdcPerAshao: event.data.priceUsdcPerAshao,
      oraclePriceUsdcPerAshao: event.data.oraclePriceUsdcPerAshao,
      figuresFrom: "event",
    };
  }
  const after = await fetchTreasuryOrThrow(program, "confirmed").catch(() => undefined);
  if (after && after.buybackCount === before.buybackCount + 1n) {
    log.warn(
      { signature },
      "the node returned no transaction: figures read from the treasury's totals",
    );
    return {
      usdcSpent: after.totalBuybackUsdcSpent - before.totalBuybackUsdcSpent,
      ashaoBurned: after.totalAshaoBurned - before.totalAshaoBurned,
      figuresFrom: "accounts",
    };
  }
  log.warn({ signature }, "bought, but neither the transaction nor the treasury gave its figures");
  return {};
}

/** Bigints as decimal strings, for JSON logs. */
function stringify(values: Record<string, bigint | number | string | undefined>) {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
  );
}

/** Runs one cycle with up to `maxAttempts` attempts; records the outcome in the metrics. */
export async function runCrankCycle(deps: CrankDeps, config: CrankConfig): Promise<CycleResult> {
  const { log, metrics } = deps;
  const started = Date.now();
  for (let attemptNo = 1; ; attemptNo++) {
    try {
      const result = await attempt(deps, config, attemptNo);
      const ms = Date.now() - started;
      if (result.status === "skipped") {
        metrics.recordSkipped(result.reason, ms);
        log.info({ reason: result.reason, durationMs: ms }, "nothing to buy back");
      } else if (result.status === "dry-run") {
        metrics.recordDryRun(ms);
        log.info(
          { ...stringify({ ...result, status: undefined }), durationMs: ms },
          "dry run: not sent",
        );
      } else {
        metrics.recordBought(result.usdcSpent, result.ashaoBurned, ms, result.signature!);
        log.info(
          { ...stringify({ ...result, status: undefined }), durationMs: ms },
          "bought back and burned",
        );
      }
      return result;
    } catch (err) {
      const failure = err instanceof CrankError ? err : rpcFailure(err, "RPC");
      const ms = Date.now() - started;
      if (failure?.reason.endsWith("-timeout")) metrics.recordTimeout(failure.reason);
      if (!failure) {
        metrics.recordFailed("unexpected", ms);
        log.error({ err, attempt: attemptNo }, "crank cycle failed unexpectedly");
        throw err;
      }
      const last = !failure.retriable || attemptNo >= config.maxAttempts;
      log.warn({ reason: failure.reason, attempt: attemptNo, retrying: !last }, failure.message);
      if (last) {
        metrics.recordFailed(failure.reason, ms);
        throw failure;
      }
    }
  }
}
