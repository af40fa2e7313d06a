/**
 * The buyback's two instructions and the figures a crank sizes a buyback by. A buyback
 * transaction is `[compute budget][begin_buyback][swap setup][swap][swap cleanup][finish_buyback]`:
 * `begin_buyback` lends the crank up to `maxBuybackUsdc` of the bucket, the swap must deliver at
 * least `minAshaoOut` $ASHAO to the crank's account, and `finish_buyback` burns all of it and
 * returns unspent USDC, all in one atomic transaction.
 */
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  getAssociatedTokenAddressSync,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  PublicKey,
  SYSVAR_INSTRUCTIONS_PUBKEY,
  TransactionInstruction,
} from "@solana/web3.js";

import type { TreasuryAccounts, TreasuryState } from "./accounts";
import { u64 } from "./params";
import type { TreasuryProgram } from "./program";

/** The crank's token accounts a buyback moves through (its associated accounts by default). */
export interface CrankAccounts {
  crank: PublicKey;
  crankUsdc: PublicKey;
  crankAshao: PublicKey;
}

/** The crank's associated USDC and $ASHAO accounts. */
export function crankAccounts(crank: PublicKey, accounts: TreasuryAccounts): CrankAccounts {
  return {
    crank,
    crankUsdc: getAssociatedTokenAddressSync(accounts.usdcMint, crank, false, TOKEN_PROGRAM_ID),
    crankAshao: getAssociatedTokenAddressSync(
      accounts.ashaoMint,
      crank,
      false,
      accounts.ashaoTokenProgram,
    ),
  };
}

/** The accounts both halves list first, in the same order (the program matches them). */
function sharedAccounts(accounts: TreasuryAccounts, crank: CrankAccounts) {
  return {
    crank: crank.crank,
    config: accounts.config,
    buybackVault: accounts.buybackVault,
    usdcMint: accounts.usdcMint,
    ashaoMint: accounts.ashaoMint,
    crankUsdc: crank.crankUsdc,
    crankAshao: crank.crankAshao,
    tokenProgram: TOKEN_PROGRAM_ID,
    instructionsSysvar: SYSVAR_INSTRUCTIONS_PUBKEY,
  };
}

export function beginBuybackIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: CrankAccounts & { usdcAmount: bigint; minAshaoOut: bigint },
): Promise<TransactionInstruction> {
  return program.methods
    .beginBuyback(u64(args.usdcAmount, "usdcAmount"), u64(args.minAshaoOut, "minAshaoOut"))
    .accountsStrict(sharedAccounts(accounts, args))
    .instruction();
}

/** `priceUpdate`: the oracle price account the treasury's price guard reads. */
export function finishBuybackIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: CrankAccounts & { priceUpdate: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .finishBuyback()
    .accountsStrict({
      ...sharedAccounts(accounts, args),
      ashaoTokenProgram: accounts.ashaoTokenProgram,
      priceUpdate: args.priceUpdate,
    })
    .instruction();
}

/**
 * Whether an instruction may run between `begin_buyback` and `finish_buyback`: the swap
 * program, the associated token program's create instructions, compute budget.
 */
export function isAllowedBetweenBuyback(
  ix: TransactionInstruction,
  swapProgram: PublicKey,
): boolean {
  if (ix.programId.equals(swapProgram) && !swapProgram.equals(PublicKey.default)) return true;
  if (ix.programId.equals(ComputeBudgetProgram.programId)) return true;
  return (
    ix.programId.equals(ASSOCIATED_TOKEN_PROGRAM_ID) &&
    ix.data.length <= 1 &&
    (ix.data[0] ?? 0) <= 1
  );
}

/** Why no buyback can start now. */
export type BuybackBlocked = "paused" | "interval" | "empty";

export interface BuybackCapacity {
  /** The most USDC a buyback may take now (0 when blocked). */
  maxUsdc: bigint;
  /** Unix time from which the interval allows the next buyback. */
  nextAllowedAtSecs: bigint;
  blocked?: BuybackBlocked;
}

/** What `begin_buyback` would allow at `nowSecs`, by the program's rules. */
export function buybackCapacity(state: TreasuryState, nowSecs: bigint): BuybackCapacity {
  const nextAllowedAtSecs =
    state.buybackCount === 0n ? 0n : state.lastBuybackTs + BigInt(state.minBuybackIntervalSecs);
  const cap =
    state.buybackBucket < state.maxBuybackUsdc ? state.buybackBucket : state.maxBuybackUsdc;
  const blocked: BuybackBlocked | undefined = state.paused
    ? "paused"
    : nowSecs < nextAllowedAtSecs
      ? "interval"
      : cap === 0n
        ? "empty"
        : undefined;
  return { maxUsdc: blocked ? 0n : cap, nextAllowedAtSecs, blocked };
}
