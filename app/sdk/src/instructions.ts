/**
 * One builder per program instruction, each returning a `TransactionInstruction` with every
 * account spelled out (no network round trip, no account resolution). Amounts are `bigint`;
 * they become `BN` only here, at the Anchor boundary.
 */
import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  type AccountMeta,
  PublicKey,
  SystemProgram,
  TransactionInstruction,
} from "@solana/web3.js";

import type { TreasuryAccounts } from "./accounts";
import { ConfigChange, configChangeToAnchor, paramsToAnchor, TreasuryParams, u64 } from "./params";
import { programDataPda, stakePositionPda, treasuryPdas, usageLedgerPda } from "./pda";
import type { TreasuryProgram } from "./program";

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

/** Signed by the program's upgrade authority, who becomes the treasury authority. */
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
  return program.methods
    .initialize(paramsToAnchor(args.params))
    .accountsStrict({
      authority: args.authority,
      program: program.programId,
      programData: programDataPda(program.programId).address,
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

/** Applies at once a change that only reduces risk (else the program refuses it by name). */
export function updateConfigIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { authority: PublicKey; change: ConfigChange },
): Promise<TransactionInstruction> {
  return program.methods
    .updateConfig(configChangeToAnchor(args.change))
    .accountsStrict({ authority: args.authority, config: accounts.config })
    .instruction();
}

/** Queues any change to apply after the timelock. */
export function queueConfigChangeIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { authority: PublicKey; change: ConfigChange },
): Promise<TransactionInstruction> {
  return program.methods
    .queueConfigChange(configChangeToAnchor(args.change))
    .accountsStrict({ authority: args.authority, config: accounts.config })
    .instruction();
}

/** Applies the queued change once its timelock has passed (anyone may sign). */
export function applyConfigChangeIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { caller: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .applyConfigChange()
    .accountsStrict({ caller: args.caller, config: accounts.config })
    .instruction();
}

export function cancelConfigChangeIx(
  program: TreasuryProgram,
  accounts: Pick<TreasuryAccounts, "config">,
  args: { authority: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .cancelConfigChange()
    .accountsStrict({ authority: args.authority, config: accounts.config })
    .instruction();
}

/**
 * Step one of the authority hand-over (acceptable after the timelock); `PublicKey.default`
 * cancels a pending one at once.
 */
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

/** Step two: signed by the pending authority, once the timelock has passed. */
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

/** One worker of a settlement: the wallet paid (owner of `usdc`) and its base share. */
export interface SettlementWorker {
  worker: PublicKey;
  /** The worker's USDC account [default: its associated token account]. */
  usdc?: PublicKey;
  base: bigint;
}

/**
 * Settles batch `batchId` of paid usage (signed by a billing authority, who pays `gross` from
 * `source`): each worker gets its base plus the boost its stake earns, the rest is revenue. Two
 * accounts follow per worker, in order: its USDC account, then its stake position address.
 */
export function settleUsageIx(
  program: TreasuryProgram,
  accounts: TreasuryAccounts,
  args: {
    billing: PublicKey;
    source: PublicKey;
    batchId: bigint;
    gross: bigint;
    workers: readonly SettlementWorker[];
  },
): Promise<TransactionInstruction> {
  const remaining: AccountMeta[] = args.workers.flatMap((w) => [
    {
      pubkey: w.usdc ?? getAssociatedTokenAddressSync(accounts.usdcMint, w.worker, true),
      isSigner: false,
      isWritable: true,
    },
    {
      pubkey: stakePositionPda(w.worker, program.programId).address,
      isSigner: false,
      isWritable: false,
    },
  ]);
  return program.methods
    .settleUsage(
      u64(args.batchId, "batchId"),
      u64(args.gross, "gross"),
      args.workers.map((w) => u64(w.base, "base")),
    )
    .accountsStrict({
      billing: args.billing,
      config: accounts.config,
      ledger: usageLedgerPda(args.billing, program.programId).address,
      usdcMint: accounts.usdcMint,
      source: args.source,
      buybackVault: accounts.buybackVault,
      rewardsVault: accounts.rewardsVault,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .remainingAccounts(remaining)
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
