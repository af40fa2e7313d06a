/**
 * A treasury with revenue in its buyback bucket and its price guard on the local $ASHAO/USD feed,
 * an allow-listed crank with its token accounts, a seeded test-AMM USDC/$ASHAO pool as the swap
 * program, and the feed publishing the pool's price: what every buyback test starts from. The
 * swap instruction is the AMM's own (the crank's tests go through the Jupiter-shaped server).
 */
import { getMint } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  quoteExactIn,
  readPools,
  seedLocalVenue,
  swapInstruction,
  TEST_AMM_PROGRAM_ID,
  type LocalVenue,
} from "../../app/jupiter-local/src";
import { LOCAL_PRICE_GUARD, LocalPriceFeed } from "../../app/localnet/price-feed";
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

/** Where a swap pays from and delivers to. */
export interface SwapAccounts {
  user: PublicKey;
  userSource: PublicKey;
  userDestination: PublicKey;
}

export interface BuybackFixture {
  t: TreasuryFixture;
  crank: Keypair;
  crankAccounts: CrankAccounts;
  venue: LocalVenue;
  /** The local $ASHAO/USD feed: the pool's price, published on demand (no slot following). */
  oracle: LocalPriceFeed;
  /**
   * Begin, swap `swapIn` of the taken USDC (default all of it), finish against `priceUpdate`
   * (default the feed's account).
   */
  buybackIxs(args: {
    usdcAmount: bigint;
    minAshaoOut?: bigint;
    swapIn?: bigint;
    crank?: CrankAccounts;
    priceUpdate?: PublicKey;
  }): Promise<TransactionInstruction[]>;
  /** The AMM's output for `amountIn` USDC now. */
  quote(amountIn: bigint): Promise<bigint>;
  /** A USDC → $ASHAO swap on the pool (default: the crank's accounts). */
  swapIx(amountIn: bigint, accounts?: SwapAccounts): Promise<TransactionInstruction>;
  finishIx(priceUpdate?: PublicKey): Promise<TransactionInstruction>;
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
      priceGuard: LOCAL_PRICE_GUARD,
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
  const oracle = new LocalPriceFeed({
    connection: conn,
    venue,
    usdcMint: t.usdc.mint,
    writeAuthority: t.authority.publicKey,
  });
  await oracle.publish();
  const accountsOfCrank = crankAccounts(crank.publicKey, t.accounts);
  await fundedTokenAccount(conn, t.authority, t.usdc, crank.publicKey, 7n * USDC);
  await fundedTokenAccount(conn, t.authority, t.ashao, crank.publicKey, 3n * ASHAO);

  const crankSwap = (c: CrankAccounts): SwapAccounts => ({
    user: c.crank,
    userSource: c.crankUsdc,
    userDestination: c.crankAshao,
  });
  const swapIx = async (amountIn: bigint, accounts = crankSwap(accountsOfCrank)) => {
    const [pool] = await readPools(conn, [venue.pool]);
    return swapInstruction(
      pool,
      { ...accounts, pool: venue.pool, inputMint: t.usdc.mint, outputMint: t.ashao.mint },
      amountIn,
      1n,
    );
  };
  const quote = async (amountIn: bigint) => {
    const [pool] = await readPools(conn, [venue.pool]);
    return quoteExactIn(pool.reserveA, pool.reserveB, amountIn, pool.feeBps).amountOut;
  };
  const finishIx = (priceUpdate = oracle.address, c = accountsOfCrank) =>
    finishBuybackIx(t.program, t.accounts, { ...c, priceUpdate });

  return {
    t,
    crank,
    crankAccounts: accountsOfCrank,
    venue,
    oracle,
    swapIx,
    quote,
    finishIx,
    async buybackIxs({ usdcAmount, minAshaoOut, swapIn, crank: c = accountsOfCrank, priceUpdate }) {
      const amountIn = swapIn ?? usdcAmount;
      return [
        await beginBuybackIx(t.program, t.accounts, {
          ...c,
          usdcAmount,
          minAshaoOut: minAshaoOut ?? (await quote(amountIn)),
        }),
        await swapIx(amountIn, crankSwap(c)),
        await finishIx(priceUpdate, c),
      ];
    },
    async balances() {
      const state = await t.state();
      return {
        bucket: state.buybackBucket,
        spent: state.totalBuybackUsdcSpent,
        burned: state.totalAshaoBurned,
        buybacks: state.buybackCount,
        lastBuybackTs: state.lastBuybackTs,
        buybackVault: await tokenBalance(conn, t.accounts.buybackVault),
        supply: (await getMint(conn, t.ashao.mint, "confirmed")).supply,
        crankUsdc: await tokenBalance(conn, accountsOfCrank.crankUsdc),
        crankAshao: await tokenBalance(conn, accountsOfCrank.crankAshao),
      };
    },
  };
}
