/**
 * One builder per program instruction, each returning a `TransactionInstruction` with every
 * account spelled out (no network round trip, no account resolution). Amounts are `bigint`;
 * they become `BN` only here, at the Anchor boundary.
 */
import { BN } from "@anchor-lang/core";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";

import type { BoostTier, TreasuryAccounts } from "./accounts";
import { stakePositionPda, treasuryPdas } from "./pda";
import type { TreasuryProgram } from "./program";

const U64_MAX = (1n << 64n) - 1n;

/** A `u64` argument as Anchor's `BN`, refusing values the program could not receive. */
export function u64(value: bigint, what = "amount"): BN {
  if (value < 0n || value > U64_MAX) throw new RangeError(`${what} ${value} is not a u64`);
  return new BN(value.toString());
}

/** The parameters `initialize` takes (and `update_config` edits). */
export interface TreasuryParams {
  streamPeriodSecs: number;
  unstakeCooldownSecs: number;
  boostTiers: BoostTier[];
  maxBuybackUsdc: bigint;
  minBuybackIntervalSecs: number;
  maxSlippageBps: number;
  /** The swap program buybacks route through (Jupiter's). */
  swapProgram: PublicKey;
  cranks: PublicKey[];
}

/** `update_config`: each field left out keeps its value. */
export type UpdateConfigParams = Partial<TreasuryParams>;

const tiersToAnchor = (tiers: BoostTier[]) =>
  tiers.map((tier) => ({ minStake: u64(tier.minStake, "minStake"), boostBps: tier.boostBps }));

/** The treasury's accounts from its mints alone (before or without fetching it). */
export function treasuryAccountsFor(
  programId: PublicKey,
  mints: { usdcMint: PublicKey; ashaoMint: PublicKey; ashaoTokenProgram?: PublicKey },
): TreasuryAccounts {
  const pdas = treasuryPdas(programId);
  return {
    ...pdas,
    usdcMint: mints.usdcMint,
    ashaoMint: mints.ashaoMint,
    ashaoTokenProgram: mints.ashaoTokenProgram ?? TOKEN_PROGRAM_ID,
  };
}

// ------------------------------------------------------------------------------------ admin

export function initializeIx(
  program: TreasuryProgram,
  args: {
    authority: PublicKey;
    usdcMint: PublicKey;
    ashaoMint: PublicKey;
    ashaoTokenProgram?: PublicKey;
    params: TreasuryParams;
  },
): Promise<TransactionInstruction> {
  const a = treasuryAccountsFor(program.programId, args);
  const p = args.params;
  return program.methods
    .initialize({
      streamPeriodSecs: p.streamPeriodSecs,
      unstakeCooldownSecs: p.unstakeCooldownSecs,
      boostTiers: tiersToAnchor(p.boostTiers),
      maxBuybackUsdc: u64(p.maxBuybackUsdc, "maxBuybackUsdc"),
      minBuybackIntervalSecs: p.minBuybackIntervalSecs,
      maxSlippageBps: p.maxSlippageBps,
      swapProgram: p.swapProgram,
      cranks: p.cranks,
    })
    .accountsStrict({
      authority: args.authority,
      config: a.config,
      usdcMint: a.usdcMint,
      ashaoMint: a.ashaoMint,
      buybackVault: a.buybackVault,
      rewardsVault: a.rewardsVault,
      stakeVault: a.stakeVault,
      tokenProgram: TOKEN_PROGRAM_ID,
      ashaoTokenProgram: a.ashaoTokenProgram,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function updateConfigIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { authority: PublicKey; params: UpdateConfigParams },
): Promise<TransactionInstruction> {
  const p = args.params;
  return program.methods
    .updateConfig({
      streamPeriodSecs: p.streamPeriodSecs ?? null,
      unstakeCooldownSecs: p.unstakeCooldownSecs ?? null,
      boostTiers: p.boostTiers ? tiersToAnchor(p.boostTiers) : null,
      maxBuybackUsdc: p.maxBuybackUsdc !== undefined ? u64(p.maxBuybackUsdc) : null,
      minBuybackIntervalSecs: p.minBuybackIntervalSecs ?? null,
      maxSlippageBps: p.maxSlippageBps ?? null,
      swapProgram: p.swapProgram ?? null,
      cranks: p.cranks ?? null,
    })
    .accountsStrict({ authority: args.authority, config: accounts.config })
    .instruction();
}

/** Step one of the authority hand-over; `PublicKey.default` cancels a pending one. */
export function proposeAuthorityIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { authority: PublicKey; newAuthority: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .proposeAuthority(args.newAuthority)
    .accountsStrict({ authority: args.authority, config: accounts.config })
    .instruction();
}

/** Step two: signed by the pending authority. */
export function acceptAuthorityIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { newAuthority: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .acceptAuthority()
    .accountsStrict({ newAuthority: args.newAuthority, config: accounts.config })
    .instruction();
}

export function setPausedIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { authority: PublicKey; paused: boolean },
): Promise<TransactionInstruction> {
  return program.methods
    .setPaused(args.paused)
    .accountsStrict({ authority: args.authority, config: accounts.config })
    .instruction();
}

// ---------------------------------------------------------------------------------- revenue

/** Pays `amount` USDC of revenue from `source` (a USDC account `payer` owns). */
export function depositRevenueIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: { payer: PublicKey; source: PublicKey; amount: bigint },
): Promise<TransactionInstruction> {
  return program.methods
    .depositRevenue(u64(args.amount))
    .accountsStrict({
      payer: args.payer,
      config: accounts.config,
      usdcMint: accounts.usdcMint,
      source: args.source,
      buybackVault: accounts.buybackVault,
      rewardsVault: accounts.rewardsVault,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Accounts USDC sent to the vaults by plain transfer (permissionless). */
export function syncRevenueIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: { payer: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .syncRevenue()
    .accountsStrict({
      payer: args.payer,
      config: accounts.config,
      usdcMint: accounts.usdcMint,
      buybackVault: accounts.buybackVault,
      rewardsVault: accounts.rewardsVault,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

// ------------------------------------------------------------------------------------- user

const position = (program: TreasuryProgram, owner: PublicKey) =>
  stakePositionPda(owner, program.programId).address;

/** Stakes `amount` $ASHAO from `ownerAshao`, creating the position on first use. */
export function stakeIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: { owner: PublicKey; ownerAshao: PublicKey; amount: bigint },
): Promise<TransactionInstruction> {
  return program.methods
    .stake(u64(args.amount))
    .accountsStrict({
      owner: args.owner,
      config: accounts.config,
      position: position(program, args.owner),
      ashaoMint: accounts.ashaoMint,
      ownerAshao: args.ownerAshao,
      stakeVault: accounts.stakeVault,
      tokenProgram: accounts.ashaoTokenProgram,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function requestUnstakeIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { owner: PublicKey; amount: bigint },
): Promise<TransactionInstruction> {
  return program.methods
    .requestUnstake(u64(args.amount))
    .accountsStrict({
      owner: args.owner,
      config: accounts.config,
      position: position(program, args.owner),
    })
    .instruction();
}

/** Returns all unstaking principal to `destination` (an $ASHAO account). */
export function withdrawIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: { owner: PublicKey; destination: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .withdraw()
    .accountsStrict({
      owner: args.owner,
      config: accounts.config,
      position: position(program, args.owner),
      ashaoMint: accounts.ashaoMint,
      destination: args.destination,
      stakeVault: accounts.stakeVault,
      tokenProgram: accounts.ashaoTokenProgram,
    })
    .instruction();
}

/** Pays owed USDC rewards to `destination` (a USDC account). */
export function claimIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: { owner: PublicKey; destination: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .claim()
    .accountsStrict({
      owner: args.owner,
      config: accounts.config,
      position: position(program, args.owner),
      usdcMint: accounts.usdcMint,
      destination: args.destination,
      rewardsVault: accounts.rewardsVault,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Closes an empty position; its rent goes back to the owner. */
export function closePositionIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { owner: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .closePosition()
    .accountsStrict({
      owner: args.owner,
      config: accounts.config,
      position: position(program, args.owner),
    })
    .instruction();
}
