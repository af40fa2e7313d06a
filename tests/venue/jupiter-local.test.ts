/**
 * The local Jupiter venue through the real `@jup-ag/api` client: quote, swap instructions, a v0
 * transaction with the returned lookup table, and balances moving by exactly the quoted amounts.
 */
import { Configuration, ResponseError, SwapApi } from "@jup-ag/api";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  createMintToInstruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  type AddressLookupTableAccount,
  type Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  sendAndConfirmTransaction,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import { expect } from "chai";

import {
  createJupiterLocalServer,
  fromJupiterInstruction,
  type JupiterLocalServer,
  type LocalVenue,
  quoteExactIn,
  readPools,
  seedLocalVenue,
  TEST_AMM_LABEL,
  TEST_AMM_PROGRAM_ID,
} from "../../app/jupiter-local/src";
import IDL from "../../app/jupiter-local/src/idl/test_amm.json";
import { startTestValidator, type TestValidator } from "../utils/validator";

const USDC_DECIMALS = 6;
const ASHAO_DECIMALS = 9;
const POOL_USDC = 1_000_000n * 10n ** 6n; // 1M USDC
const POOL_ASHAO = 50_000_000n * 10n ** 9n; // 50M $ASHAO

async function createMint(
  connection: Connection,
  payer: Keypair,
  decimals: number,
  tokenProgram: PublicKey,
): Promise<PublicKey> {
  const mint = Keypair.generate();
  const lamports = await connection.getMinimumBalanceForRentExemption(MINT_SIZE);
  await sendAndConfirmTransaction(
    connection,
    new Transaction().add(
      SystemProgram.createAccount({
        fromPubkey: payer.publicKey,
        newAccountPubkey: mint.publicKey,
        lamports,
        space: MINT_SIZE,
        programId: tokenProgram,
      }),
      createInitializeMint2Instruction(
        mint.publicKey,
        decimals,
        payer.publicKey,
        null,
        tokenProgram,
      ),
    ),
    [payer, mint],
    { commitment: "confirmed" },
  );
  return mint.publicKey;
}

async function balance(connection: Connection, account: PublicKey): Promise<bigint> {
  const info = await connection.getTokenAccountBalance(account, "confirmed").catch(() => undefined);
  return info === undefined ? 0n : BigInt(info.value.amount);
}

async function lookupTables(
  connection: Connection,
  addresses: string[],
): Promise<AddressLookupTableAccount[]> {
  const tables = await Promise.all(
    addresses.map((a) =>
      connection.getAddressLookupTable(new PublicKey(a), { commitment: "confirmed" }),
    ),
  );
  return tables.map((t, i) => {
    if (t.value === null) {
      throw new Error(`lookup table ${addresses[i]} not found`);
    }
    return t.value;
  });
}

/** Sends the swap-instructions response as one v0 transaction, as the crank will. */
async function sendV0(
  connection: Connection,
  signer: Keypair,
  ixs: TransactionInstruction[],
  tables: AddressLookupTableAccount[],
): Promise<VersionedTransaction> {
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  const message = new TransactionMessage({
    payerKey: signer.publicKey,
    recentBlockhash: blockhash,
    instructions: ixs,
  }).compileToV0Message(tables);
  const tx = new VersionedTransaction(message);
  tx.sign([signer]);
  const fail = (err: unknown): never => {
    throw new Error(`swap failed: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
  };
  const signature = await connection.sendTransaction(tx, { skipPreflight: true }).catch(fail);
  // web3.js rejects with the bare transaction error when the confirmation reports one.
  const result = await connection
    .confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed")
    .catch(fail);
  if (result.value.err !== null) {
    fail(result.value.err);
  }
  return tx;
}

describe("local Jupiter venue (test AMM behind the Swap API v6 shapes)", () => {
  let validator: TestValidator;
  let connection: Connection;
  let payer: Keypair;
  let usdc: PublicKey;
  let ashao: PublicKey;
  let venue: LocalVenue;
  let server: JupiterLocalServer;
  let jupiter: SwapApi;
  let user: Keypair;

  before(async () => {
    validator = await startTestValidator();
    connection = validator.connection;
    payer = await validator.fundedKeypair(100 * LAMPORTS_PER_SOL);
    usdc = await createMint(connection, payer, USDC_DECIMALS, TOKEN_PROGRAM_ID);
    // $ASHAO on Token-2022 exercises the token-interface side of the pool.
    ashao = await createMint(connection, payer, ASHAO_DECIMALS, TOKEN_2022_PROGRAM_ID);
    venue = await seedLocalVenue({
      connection,
      payer,
      mintA: usdc,
      mintB: ashao,
      amountA: POOL_USDC,
      amountB: POOL_ASHAO,
      feeBps: 30,
    });
    server = await createJupiterLocalServer({ connection, pools: [venue], port: 0 });
    // Not createJupiterApiClient: it replaces basePath with Jupiter's public URL.
    jupiter = new SwapApi(new Configuration({ basePath: server.url }));

    user = await validator.fundedKeypair(2 * LAMPORTS_PER_SOL);
    const userUsdc = getAssociatedTokenAddressSync(usdc, user.publicKey);
    await sendAndConfirmTransaction(
      connection,
      new Transaction().add(
        createAssociatedTokenAccountIdempotentInstruction(
          payer.publicKey,
          userUsdc,
          user.publicKey,
          usdc,
        ),
        createMintToInstruction(usdc, userUsdc, payer.publicKey, 10_000n * 10n ** 6n),
      ),
      [payer],
      { commitment: "confirmed" },
    );
  });

  after(async () => {
    await server?.close();
    await validator?.stop();
  });

  it("binds to loopback only", () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("quotes from the pool's on-chain reserves, in Jupiter's QuoteResponse shape", async () => {
    const amount = 250n * 10n ** 6n;
    const quote = await jupiter.quoteGet({
      inputMint: usdc.toBase58(),
      outputMint: ashao.toBase58(),
      amount: Number(amount),
      slippageBps: 100,
      swapMode: "ExactIn",
      onlyDirectRoutes: true,
      maxAccounts: 64,
    });
    const [pool] = await readPools(connection, [venue.pool]);
    const expected = quoteExactIn(pool.reserveA, pool.reserveB, amount, pool.feeBps);
    expect(quote.inputMint).to.equal(usdc.toBase58());
    expect(quote.outputMint).to.equal(ashao.toBase58());
    expect(quote.inAmount).to.equal(amount.toString());
    expect(quote.outAmount).to.equal(expected.amountOut.toString());
    expect(quote.otherAmountThreshold).to.equal(
      ((expected.amountOut * 9_900n) / 10_000n).toString(),
    );
    expect(quote.swapMode).to.equal("ExactIn");
    expect(quote.slippageBps).to.equal(100);
    expect(Number(quote.priceImpactPct)).to.be.greaterThan(0).and.lessThan(0.01);
    expect(quote.routePlan).to.have.length(1);
    expect(quote.routePlan[0].percent).to.equal(100);
    expect(quote.routePlan[0].swapInfo).to.include({
      ammKey: venue.pool.toBase58(),
      label: TEST_AMM_LABEL,
      inputMint: usdc.toBase58(),
      outputMint: ashao.toBase58(),
      inAmount: amount.toString(),
      outAmount: expected.amountOut.toString(),
    });
    expect(quote.contextSlot).to.be.a("number");
    expect(quote.timeTaken).to.be.a("number");
  });

  it("swap instructions with the lookup table move balances by exactly the quoted amounts", async () => {
    const amount = 1_234_567_890n; // 1234.56789 USDC
    const quote = await jupiter.quoteGet({
      inputMint: usdc.toBase58(),
      outputMint: ashao.toBase58(),
      amount: Number(amount),
      slippageBps: 50,
    });
    const response = await jupiter.swapInstructionsPost({
      swapRequest: {
        quoteResponse: quote,
        userPublicKey: user.publicKey.toBase58(),
        wrapAndUnwrapSol: true,
        useSharedAccounts: false,
        dynamicComputeUnitLimit: true,
        computeUnitPriceMicroLamports: 1_000,
      },
    });
    expect(response.addressLookupTableAddresses).to.deep.equal([venue.lookupTable.toBase58()]);
    expect(response.computeBudgetInstructions).to.have.length(2);
    expect(response.swapInstruction.programId).to.equal(TEST_AMM_PROGRAM_ID.toBase58());
    const minimumOut = Buffer.from(response.swapInstruction.data, "base64").readBigUInt64LE(16);
    expect(minimumOut.toString()).to.equal(quote.otherAmountThreshold);

    const userUsdc = getAssociatedTokenAddressSync(usdc, user.publicKey);
    const userAshao = getAssociatedTokenAddressSync(
      ashao,
      user.publicKey,
      false,
      TOKEN_2022_PROGRAM_ID,
    );
    const before = {
      userUsdc: await balance(connection, userUsdc),
      userAshao: await balance(connection, userAshao),
      vaultUsdc: await balance(connection, venue.vaultA),
      vaultAshao: await balance(connection, venue.vaultB),
    };
    const ixs = [
      ...response.computeBudgetInstructions,
      ...response.setupInstructions,
      response.swapInstruction,
      ...(response.cleanupInstruction ? [response.cleanupInstruction] : []),
      ...response.otherInstructions,
    ].map(fromJupiterInstruction);
    const tables = await lookupTables(connection, response.addressLookupTableAddresses);
    const tx = await sendV0(connection, user, ixs, tables);
    expect(tx.message.addressTableLookups).to.have.length(1);

    const out = BigInt(quote.outAmount);
    expect(await balance(connection, userUsdc)).to.equal(before.userUsdc - amount);
    expect(await balance(connection, userAshao)).to.equal(before.userAshao + out);
    expect(await balance(connection, venue.vaultA)).to.equal(before.vaultUsdc + amount);
    expect(await balance(connection, venue.vaultB)).to.equal(before.vaultAshao - out);
  });

  it("swaps the other way ($ASHAO to USDC) through the same pool", async () => {
    const userAshao = getAssociatedTokenAddressSync(
      ashao,
      user.publicKey,
      false,
      TOKEN_2022_PROGRAM_ID,
    );
    const userUsdc = getAssociatedTokenAddressSync(usdc, user.publicKey);
    const amount = (await balance(connection, userAshao)) / 2n;
    const quote = await jupiter.quoteGet({
      inputMint: ashao.toBase58(),
      outputMint: usdc.toBase58(),
      amount: Number(amount),
    });
    const response = await jupiter.swapInstructionsPost({
      swapRequest: { quoteResponse: quote, userPublicKey: user.publicKey.toBase58() },
    });
    const before = [await balance(connection, userAshao), await balance(connection, userUsdc)];
    const ixs = [...response.setupInstructions, response.swapInstruction].map(
      fromJupiterInstruction,
    );
    await sendV0(
      connection,
      user,
      ixs,
      await lookupTables(connection, response.addressLookupTableAddresses),
    );
    expect(await balance(connection, userAshao)).to.equal(before[0] - amount);
    expect(await balance(connection, userUsdc)).to.equal(before[1] + BigInt(quote.outAmount));
  });

  it("a quote made stale by another swap fails on chain with SlippageExceeded", async () => {
    const quote = await jupiter.quoteGet({
      inputMint: usdc.toBase58(),
      outputMint: ashao.toBase58(),
      amount: 100_000_000,
      slippageBps: 0,
    });
    const stale = await jupiter.swapInstructionsPost({
      swapRequest: { quoteResponse: quote, userPublicKey: user.publicKey.toBase58() },
    });
    // Someone else buys first: the price moves against the stale quote.
    const mover = await jupiter.quoteGet({
      inputMint: usdc.toBase58(),
      outputMint: ashao.toBase58(),
      amount: 500_000_000,
    });
    const moved = await jupiter.swapInstructionsPost({
      swapRequest: { quoteResponse: mover, userPublicKey: user.publicKey.toBase58() },
    });
    const tables = await lookupTables(connection, moved.addressLookupTableAddresses);
    await sendV0(
      connection,
      user,
      [...moved.setupInstructions, moved.swapInstruction].map(fromJupiterInstruction),
      tables,
    );
    let failure: Error | undefined;
    try {
      await sendV0(
        connection,
        user,
        [...stale.setupInstructions, stale.swapInstruction].map(fromJupiterInstruction),
        tables,
      );
    } catch (err) {
      failure = err as Error;
    }
    const code = IDL.errors.find((e) => e.name === "SlippageExceeded")?.code;
    expect(failure?.message).to.include(`{"Custom":${code}}`);
  });

  it("answers an unroutable pair with Jupiter's COULD_NOT_FIND_ANY_ROUTE error", async () => {
    const unknownMint = Keypair.generate().publicKey;
    let error: unknown;
    try {
      await jupiter.quoteGet({
        inputMint: usdc.toBase58(),
        outputMint: unknownMint.toBase58(),
        amount: 1_000_000,
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ResponseError);
    const response = (error as ResponseError).response;
    expect(response.status).to.equal(400);
    const body = (await response.json()) as { error: string; errorCode: string };
    expect(body.errorCode).to.equal("COULD_NOT_FIND_ANY_ROUTE");
    expect(body.error).to.be.a("string");
  });

  it("refuses ExactOut and circular routes the way Jupiter does", async () => {
    for (const [query, code] of [
      [
        {
          inputMint: usdc.toBase58(),
          outputMint: ashao.toBase58(),
          amount: 1_000,
          swapMode: "ExactOut" as const,
        },
        "NOT_SUPPORTED",
      ],
      [
        { inputMint: usdc.toBase58(), outputMint: usdc.toBase58(), amount: 1_000 },
        "CIRCULAR_ARBITRAGE_IS_DISABLED",
      ],
    ] as const) {
      const res = await fetch(
        `${server.url}/quote?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
      );
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { errorCode: string }).errorCode).to.equal(code);
    }
  });
});
