/**
 * A treasury with revenue in its buyback bucket, an allow-listed crank with its token accounts,
 * and a seeded test-AMM USDC/$ASHAO pool as the swap program: what every buyback test starts
 * from. The swap instruction is the AMM's own (the crank's tests go through the Jupiter-shaped
 * server instead).
 */
import { getMint } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, TransactionInstruction } from "@solana/web3.js";

import {
  quoteExactIn,
  readPools,
  seedLocalVenue,
  swapInstruction,
  TEST_AMM_PROGRAM_ID,
  type LocalVenue,
} from "../../app/jupiter-local/src";
import {
  beginBuybackIx,
  crankAccounts,
  type CrankAccounts,
  depositRevenueIx,
  finishBuybackIx,
  type TreasuryParams,
} from "../../app/sdk/src";
import { fundedTokenAccount, tokenBalance } from "../utils/tokens";
import { defaultParams, send, setupTreasury, type TreasuryFixture } from "../utils/treasury";
import type { TestValidator } from "../utils/validator";

export const USDC = 1_000_000n;
export const ASHAO = 1_000_000_000n;

export interface BuybackFixture {
  t: TreasuryFixture;
  crank: Keypair;
  crankAccounts: CrankAccounts;
  venue: LocalVenue;
  /** Begin, swap `swapIn` of the taken USDC (default all of it), finish. */
  buybackIxs(args: {
    usdcAmount: bigint;
    minAshaoOut?: bigint;
    swapIn?: bigint;
    crank?: CrankAccounts;
  }): Promise<TransactionInstruction[]>;
  /** The AMM's output for `amountIn` USDC now. */
  quote(amountIn: bigint): Promise<bigint>;
  swapIx(amountIn: bigint, crank?: CrankAccounts): Promise<TransactionInstruction>;
  /** Everything a failed buyback must leave unchanged. */
  balances(): Promise<Record<string, bigint>>;
}

export async function setupBuyback(
  validator: TestValidator,
  overrides: Partial<TreasuryParams> = {},
  revenue = 10_000n * USDC,
): Promise<BuybackFixture> {
  const crank = await validator.fundedKeypair(10 * LAMPORTS_PER_SOL);
  const t = await setupTreasury(
    validator,
    defaultParams({
      swapProgram: TEST_AMM_PROGRAM_ID,
      cranks: [crank.publicKey],
      maxBuybackUsdc: 1_000n * USDC,
      ...overrides,
    }),
  );
  const conn = validator.connection;
  const payerUsdc = await fundedTokenAccount(
    conn,
    t.authority,
    t.usdc,
    t.authority.publicKey,
    revenue,
  );
  await send(
    validator,
    await depositRevenueIx(t.program, t.accounts, {
      payer: t.authority.publicKey,
      source: payerUsdc,
      amount: revenue,
    }),
    t.authority,
  );
  const venue = await seedLocalVenue({
    connection: conn,
    payer: t.authority,
    mintA: t.usdc.mint,
    mintB: t.ashao.mint,
    amountA: 1_000_000n * USDC,
    amountB: 50_000_000n * ASHAO,
  });
  const accountsOfCrank = crankAccounts(crank.publicKey, t.accounts);
  await fundedTokenAccount(conn, t.authority, t.usdc, crank.publicKey, 7n * USDC);
  await fundedTokenAccount(conn, t.authority, t.ashao, crank.publicKey, 3n * ASHAO);

  const swapIx = async (amountIn: bigint, c: CrankAccounts = accountsOfCrank) => {
    const [pool] = await readPools(conn, [venue.pool]);
    return swapInstruction(
      pool,
      {
        user: c.crank,
        pool: venue.pool,
        inputMint: t.usdc.mint,
        outputMint: t.ashao.mint,
        userSource: c.crankUsdc,
        userDestination: c.crankAshao,
      },
      amountIn,
      1n,
    );
  };
  const quote = async (amountIn: bigint) => {
    const [pool] = await readPools(conn, [venue.pool]);
    return quoteExactIn(pool.reserveA, pool.reserveB, amountIn, pool.feeBps).amountOut;
  };

  return {
    t,
    crank,
    crankAccounts: accountsOfCrank,
    venue,
    swapIx,
    quote,
    async buybackIxs({ usdcAmount, minAshaoOut, swapIn, crank: c = accountsOfCrank }) {
      const amountIn = swapIn ?? usdcAmount;
      return [
        await beginBuybackIx(t.program, t.accounts, {
          ...c,
          usdcAmount,
          minAshaoOut: minAshaoOut ?? (await quote(amountIn)),
        }),
        await swapIx(amountIn, c),
        await finishBuybackIx(t.program, t.accounts, c),
      ];
    },
    async balances() {
      const state = await t.state();
      return {
        bucket: state.buybackBucket,
        spent: state.totalBuybackUsdcSpent,
        burned: state.totalAshaoBurned,
        buybacks: state.buybackCount,
        buybackVault: await tokenBalance(conn, t.accounts.buybackVault),
        supply: (await getMint(conn, t.ashao.mint, "confirmed")).supply,
        crankUsdc: await tokenBalance(conn, accountsOfCrank.crankUsdc),
        crankAshao: await tokenBalance(conn, accountsOfCrank.crankAshao),
      };
    },
  };
}
