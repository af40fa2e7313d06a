/**
 * A local stand-in for Jupiter's Swap API v6 (TEST INFRASTRUCTURE ONLY): `GET /quote` and
 * `POST /swap-instructions` answered in Jupiter's exact shapes from the test AMM's pools, so the
 * real `@jup-ag/api` client works against localnet. Routes are served at `/`, `/v6` and
 * `/swap/v1`, so any of Jupiter's base URLs can be swapped for `http://127.0.0.1:<port>[/prefix]`.
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createCloseAccountInstruction,
  createSyncNativeInstruction,
  getAssociatedTokenAddressSync,
  NATIVE_MINT,
} from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  type Connection,
  type Keypair,
  PublicKey,
  SystemProgram,
  type TransactionInstruction,
} from "@solana/web3.js";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";

import {
  type JupiterInstruction,
  poolSides,
  SWAP_ACCOUNT_COUNT,
  swapInstruction,
  toJupiterInstruction,
} from "./instructions";
import { AmmMathError, minimumOut, priceImpact, quoteExactIn } from "./math";
import { type PoolState, readPools, TEST_AMM_LABEL, TEST_AMM_PROGRAM_ID } from "./pool";
import { createPoolLookupTable } from "./seed";

/** A pool the venue routes through, and the address lookup table holding its accounts. */
export interface LocalVenuePool {
  pool: PublicKey;
  lookupTable?: PublicKey;
}

export interface JupiterLocalServerOptions {
  connection: Connection;
  pools: LocalVenuePool[];
  /** 0 picks a free port. */
  port?: number;
  /** Loopback only; anything else is refused. */
  host?: "127.0.0.1" | "localhost" | "::1";
  /** When set, pools without a lookup table get one created at start, paid by this keypair. */
  lookupTablePayer?: Keypair;
  /** Compute unit limit put in `computeBudgetInstructions` (Jupiter returns one too). */
  computeUnitLimit?: number;
  logger?: boolean;
  /**
   * A malicious venue, for tests of a client's defences: rewrites each `/swap-instructions`
   * answer before it is sent (adds a transfer out of the user's wallet, say).
   */
  adversary?: (answer: SwapInstructionsAnswer, user: PublicKey) => SwapInstructionsAnswer;
}

/** `/swap-instructions`' answer, in Jupiter's shape. */
export interface SwapInstructionsAnswer {
  setupInstructions: JupiterInstruction[];
  swapInstruction: JupiterInstruction;
  cleanupInstruction: JupiterInstruction | null;
  otherInstructions: JupiterInstruction[];
  [field: string]: unknown;
}

export interface JupiterLocalServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>`: pass it as `new Configuration({ basePath })`. */
  url: string;
  pools: LocalVenuePool[];
  close(): Promise<void>;
}

/** Jupiter's error body: `{ error, errorCode }` with a 4xx status. */
export class JupiterApiError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const ROUTE_PREFIXES = ["", "/v6", "/swap/v1"];
const DEFAULT_SLIPPAGE_BPS = 50;
const DEFAULT_COMPUTE_UNIT_LIMIT = 200_000;
const U64_MAX = (1n << 64n) - 1n;

function badRequest(message: string, errorCode = "INVALID_REQUEST"): JupiterApiError {
  return new JupiterApiError(400, errorCode, message);
}

function noRoute(detail?: string): JupiterApiError {
  return new JupiterApiError(
    400,
    "COULD_NOT_FIND_ANY_ROUTE",
    detail ? `Could not find any route: ${detail}` : "Could not find any route",
  );
}

function parsePubkey(value: unknown, name: string): PublicKey {
  if (typeof value !== "string" || value.length === 0) {
    throw badRequest(`Missing required parameter ${name}`);
  }
  try {
    return new PublicKey(value);
  } catch {
    throw badRequest(`${name} cannot be parsed: invalid public key ${value}`);
  }
}

function parseU64(value: unknown, name: string): bigint {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^\d+$/.test(text)) {
    throw badRequest(`${name} cannot be parsed: expected a base-unit integer`);
  }
  const parsed = BigInt(text);
  if (parsed > U64_MAX) {
    throw badRequest(`${name} cannot be parsed: above u64`);
  }
  return parsed;
}

function parseOptionalInt(
  value: unknown,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === "") {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest(`${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

function parseBool(value: unknown): boolean | undefined {
  if (value === undefined) {
    return undefined;
  }
  return value === true || value === "true";
}

function listParam(value: unknown): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const items = Array.isArray(value) ? value : [value];
  return items
    .flatMap((v) => String(v).split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** The QuoteResponse Jupiter returns for ExactIn (one direct route, 100% through one pool). */
export interface LocalQuoteResponse {
  inputMint: string;
  inAmount: string;
  outputMint: string;
  outAmount: string;
  otherAmountThreshold: string;
  swapMode: "ExactIn";
  slippageBps: number;
  platformFee: null;
  priceImpactPct: string;
  routePlan: {
    swapInfo: {
      ammKey: string;
      label: string;
      inputMint: string;
      outputMint: string;
      inAmount: string;
      outAmount: string;
      feeAmount: string;
      feeMint: string;
    };
    percent: number;
    bps: number;
  }[];
  contextSlot: number;
  timeTaken: number;
}

export function createJupiterLocalServer(
  opts: JupiterLocalServerOptions,
): Promise<JupiterLocalServer> {
  return startServer(opts);
}

async function startServer(opts: JupiterLocalServerOptions): Promise<JupiterLocalServer> {
  const host = opts.host ?? "127.0.0.1";
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
    throw new Error(`jupiter-local binds to loopback only, not ${host}`);
  }
  const { connection } = opts;
  const computeUnitLimit = opts.computeUnitLimit ?? DEFAULT_COMPUTE_UNIT_LIMIT;
  const pools: LocalVenuePool[] = opts.pools.map((p) => ({ ...p }));

  if (opts.lookupTablePayer !== undefined) {
    const missing = pools.filter((p) => p.lookupTable === undefined);
    const states = await readPools(
      connection,
      missing.map((p) => p.pool),
    );
    for (const [i, p] of missing.entries()) {
      p.lookupTable = await createPoolLookupTable(connection, opts.lookupTablePayer, states[i]);
    }
  }

  const lookupTableOf = (pool: PublicKey) => pools.find((p) => p.pool.equals(pool))?.lookupTable;

  /** The pool trading inputMint → outputMint, with fresh reserves. */
  async function findPool(
    inputMint: PublicKey,
    outputMint: PublicKey,
  ): Promise<PoolState | undefined> {
    const states = await readPools(
      connection,
      pools.map((p) => p.pool),
    );
    return states.find((s) => poolSides(s, inputMint, outputMint) !== undefined);
  }

  async function quote(query: Record<string, unknown>): Promise<LocalQuoteResponse> {
    const started = performance.now();
    const inputMint = parsePubkey(query.inputMint, "inputMint");
    const outputMint = parsePubkey(query.outputMint, "outputMint");
    const amount = parseU64(query.amount, "amount");
    const slippageBps =
      parseOptionalInt(query.slippageBps, "slippageBps", 0, 10_000) ?? DEFAULT_SLIPPAGE_BPS;
    const swapMode = query.swapMode ?? "ExactIn";
    if (swapMode !== "ExactIn") {
      throw badRequest(
        `swapMode ${String(swapMode)} is not supported by the local venue (ExactIn only)`,
        "NOT_SUPPORTED",
      );
    }
    if (inputMint.equals(outputMint)) {
      throw badRequest("Circular arbitrage is disabled", "CIRCULAR_ARBITRAGE_IS_DISABLED");
    }
    const maxAccounts = parseOptionalInt(query.maxAccounts, "maxAccounts", 1, 256);
    if (maxAccounts !== undefined && maxAccounts < SWAP_ACCOUNT_COUNT) {
      throw noRoute(`a swap through ${TEST_AMM_LABEL} needs ${SWAP_ACCOUNT_COUNT} accounts`);
    }
    const dexes = listParam(query.dexes);
    const excluded = listParam(query.excludeDexes);
    if (
      (dexes !== undefined && !dexes.includes(TEST_AMM_LABEL)) ||
      excluded?.includes(TEST_AMM_LABEL)
    ) {
      throw noRoute(`${TEST_AMM_LABEL} is the only local DEX`);
    }
    if (amount === 0n) {
      throw badRequest("amount must be greater than zero");
    }
    const pool = await findPool(inputMint, outputMint);
    if (pool === undefined) {
      throw noRoute();
    }
    const sides = poolSides(pool, inputMint, outputMint);
    const aToB = sides !== undefined && sides.input.mint.equals(pool.mintA);
    const [reserveIn, reserveOut] = aToB
      ? [pool.reserveA, pool.reserveB]
      : [pool.reserveB, pool.reserveA];
    let result;
    try {
      result = quoteExactIn(reserveIn, reserveOut, amount, pool.feeBps);
    } catch (err) {
      if (err instanceof AmmMathError) {
        throw noRoute(`pool ${pool.address.toBase58()}: ${err.errorName}`);
      }
      throw err;
    }
    const outAmount = result.amountOut.toString();
    return {
      inputMint: inputMint.toBase58(),
      inAmount: amount.toString(),
      outputMint: outputMint.toBase58(),
      outAmount,
      otherAmountThreshold: minimumOut(result.amountOut, slippageBps).toString(),
      swapMode: "ExactIn",
      slippageBps,
      platformFee: null,
      priceImpactPct: priceImpact(reserveIn, reserveOut, result),
      routePlan: [
        {
          swapInfo: {
            ammKey: pool.address.toBase58(),
            label: TEST_AMM_LABEL,
            inputMint: inputMint.toBase58(),
            outputMint: outputMint.toBase58(),
            inAmount: amount.toString(),
            outAmount,
            feeAmount: result.feeAmount.toString(),
            feeMint: inputMint.toBase58(),
          },
          percent: 100,
          bps: 10_000,
        },
      ],
      contextSlot: pool.slot,
      timeTaken: (performance.now() - started) / 1000,
    };
  }

  async function swapInstructions(body: Record<string, unknown>) {
    const quoteResponse = body.quoteResponse as Record<string, unknown> | undefined;
    if (
      quoteResponse === undefined ||
      quoteResponse === null ||
      typeof quoteResponse !== "object"
    ) {
      throw badRequest("Missing quoteResponse");
    }
    const user = parsePubkey(body.userPublicKey, "userPublicKey");
    const payer = body.payer === undefined ? user : parsePubkey(body.payer, "payer");
    const inputMint = parsePubkey(quoteResponse.inputMint, "quoteResponse.inputMint");
    const outputMint = parsePubkey(quoteResponse.outputMint, "quoteResponse.outputMint");
    const inAmount = parseU64(quoteResponse.inAmount, "quoteResponse.inAmount");
    const threshold = parseU64(
      quoteResponse.otherAmountThreshold,
      "quoteResponse.otherAmountThreshold",
    );
    if (quoteResponse.swapMode !== undefined && quoteResponse.swapMode !== "ExactIn") {
      throw badRequest("Only ExactIn quotes are supported by the local venue", "NOT_SUPPORTED");
    }
    const routePlan = quoteResponse.routePlan as { swapInfo?: { ammKey?: unknown } }[] | undefined;
    if (!Array.isArray(routePlan) || routePlan.length !== 1) {
      throw badRequest(
        "quoteResponse.routePlan must hold the one step this venue quoted",
        "INVALID_ROUTE_PLAN",
      );
    }
    const ammKey = parsePubkey(routePlan[0].swapInfo?.ammKey, "routePlan[0].swapInfo.ammKey");
    if (!pools.some((p) => p.pool.equals(ammKey))) {
      throw badRequest(`Unknown AMM ${ammKey.toBase58()}`, "MARKET_NOT_FOUND");
    }
    const [pool] = await readPools(connection, [ammKey]);
    const sides = poolSides(pool, inputMint, outputMint);
    if (sides === undefined) {
      throw badRequest("The route's AMM does not trade this pair", "INVALID_ROUTE_PLAN");
    }

    const wrapAndUnwrapSol = parseBool(body.wrapAndUnwrapSol) ?? true;
    const userSource = getAssociatedTokenAddressSync(
      inputMint,
      user,
      true,
      sides.input.tokenProgram,
    );
    const destinationGiven =
      body.destinationTokenAccount !== undefined && body.destinationTokenAccount !== null;
    const userDestination = destinationGiven
      ? parsePubkey(body.destinationTokenAccount, "destinationTokenAccount")
      : getAssociatedTokenAddressSync(outputMint, user, true, sides.output.tokenProgram);

    const setup: TransactionInstruction[] = [
      createAssociatedTokenAccountIdempotentInstruction(
        payer,
        userSource,
        user,
        inputMint,
        sides.input.tokenProgram,
      ),
    ];
    if (wrapAndUnwrapSol && inputMint.equals(NATIVE_MINT)) {
      setup.push(
        SystemProgram.transfer({ fromPubkey: user, toPubkey: userSource, lamports: inAmount }),
        createSyncNativeInstruction(userSource, sides.input.tokenProgram),
      );
    }
    if (!destinationGiven) {
      setup.push(
        createAssociatedTokenAccountIdempotentInstruction(
          payer,
          userDestination,
          user,
          outputMint,
          sides.output.tokenProgram,
        ),
      );
    }
    let cleanup: TransactionInstruction | null = null;
    if (wrapAndUnwrapSol && outputMint.equals(NATIVE_MINT) && !destinationGiven) {
      cleanup = createCloseAccountInstruction(
        userDestination,
        user,
        user,
        [],
        sides.output.tokenProgram,
      );
    } else if (wrapAndUnwrapSol && inputMint.equals(NATIVE_MINT)) {
      cleanup = createCloseAccountInstruction(userSource, user, user, [], sides.input.tokenProgram);
    }

    const swap = swapInstruction(
      pool,
      { user, pool: ammKey, inputMint, outputMint, userSource, userDestination },
      inAmount,
      threshold,
    );

    const computeBudget: TransactionInstruction[] = [
      ComputeBudgetProgram.setComputeUnitLimit({ units: computeUnitLimit }),
    ];
    const price = parseOptionalInt(
      body.computeUnitPriceMicroLamports,
      "computeUnitPriceMicroLamports",
      0,
      Number.MAX_SAFE_INTEGER,
    );
    let prioritizationFeeLamports = 0;
    if (price !== undefined && price > 0) {
      computeBudget.push(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: price }));
      prioritizationFeeLamports = Number(
        (BigInt(price) * BigInt(computeUnitLimit) + 999_999n) / 1_000_000n,
      );
    }
    const lookupTable = lookupTableOf(ammKey);
    return {
      tokenLedgerInstruction: null,
      computeBudgetInstructions: computeBudget.map(toJupiterInstruction),
      setupInstructions: setup.map(toJupiterInstruction),
      swapInstruction: toJupiterInstruction(swap),
      cleanupInstruction: cleanup === null ? null : toJupiterInstruction(cleanup),
      otherInstructions: [] as JupiterInstruction[],
      addressLookupTableAddresses: lookupTable === undefined ? [] : [lookupTable.toBase58()],
      prioritizationFeeLamports,
      computeUnitLimit,
      prioritizationType: {
        computeBudget: { microLamports: price ?? 0, estimatedMicroLamports: price ?? 0 },
      },
      simulationSlot: null,
      dynamicSlippageReport: null,
      simulationError: null,
    };
  }

  const app = Fastify({ logger: opts.logger ?? false });
  app.setErrorHandler((err: unknown, _req, reply: FastifyReply) => {
    if (err instanceof JupiterApiError) {
      return reply.status(err.statusCode).send({ error: err.message, errorCode: err.errorCode });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ error: (err as Error).message, errorCode: "INVALID_REQUEST" });
    }
    app.log.error(err);
    return reply
      .status(500)
      .send({ error: `Internal error: ${(err as Error).message}`, errorCode: "INTERNAL_ERROR" });
  });
  for (const prefix of ROUTE_PREFIXES) {
    app.get(`${prefix}/quote`, async (req) => quote(req.query as Record<string, unknown>));
    app.post(`${prefix}/swap-instructions`, async (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const answer = await swapInstructions(body);
      return opts.adversary
        ? opts.adversary(answer, parsePubkey(body.userPublicKey, "userPublicKey"))
        : answer;
    });
    app.get(`${prefix}/program-id-to-label`, async () => ({
      [TEST_AMM_PROGRAM_ID.toBase58()]: TEST_AMM_LABEL,
    }));
  }

  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  const urlHost = host === "::1" ? "[::1]" : host;
  return {
    app,
    url: `http://${urlHost}:${port}`,
    pools,
    close: () => app.close(),
  };
}
