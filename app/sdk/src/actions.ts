/**
 * High-level staking actions for a wallet-adapter style wallet: each builds the instructions
 * (creating the owner's token accounts when missing), has the wallet sign, sends and confirms.
 * The `*Instructions` variants return the instructions only, for apps that send themselves.
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  fetchTreasuryOrThrow,
  treasuryAccounts,
  TreasuryAccounts,
  USDC_TOKEN_PROGRAM_ID,
} from "./accounts";
import {
  claimIx,
  closePositionIx,
  requestUnstakeIx,
  type SettlementWorker,
  settleUsageIx,
  stakeIx,
  withdrawIx,
} from "./instructions";
import { treasuryConfigPda } from "./pda";
import type { TreasuryProgram, WalletLike } from "./program";
import { sendAndConfirm, SendOptions } from "./send";
import { fetchUsageLedger, nextBatchId } from "./usage";

async function accountsOf(program: TreasuryProgram): Promise<TreasuryAccounts> {
  return treasuryAccounts(program.programId, await fetchTreasuryOrThrow(program));
}

/** The owner's associated $ASHAO account. */
export function ownerAshaoAddress(owner: PublicKey, accounts: TreasuryAccounts): PublicKey {
  return getAssociatedTokenAddressSync(accounts.ashaoMint, owner, true, accounts.ashaoTokenProgram);
}

/** The owner's associated USDC account. */
export function ownerUsdcAddress(owner: PublicKey, accounts: TreasuryAccounts): PublicKey {
  return getAssociatedTokenAddressSync(accounts.usdcMint, owner, true, USDC_TOKEN_PROGRAM_ID);
}

/** An instruction creating `owner`'s associated account when it does not exist yet. */
async function ensureAta(
  program: TreasuryProgram,
  owner: PublicKey,
  account: PublicKey,
  mint: PublicKey,
  tokenProgram: PublicKey,
): Promise<TransactionInstruction[]> {
  if (await program.provider.connection.getAccountInfo(account)) return [];
  return [
    createAssociatedTokenAccountIdempotentInstruction(owner, account, owner, mint, tokenProgram),
  ];
}

export async function stakeInstructions(
  program: TreasuryProgram,
  owner: PublicKey,
  amount: bigint,
  accounts?: TreasuryAccounts,
): Promise<TransactionInstruction[]> {
  const a = accounts ?? (await accountsOf(program));
  return [await stakeIx(program, a, { owner, ownerAshao: ownerAshaoAddress(owner, a), amount })];
}

export async function requestUnstakeInstructions(
  program: TreasuryProgram,
  owner: PublicKey,
  amount: bigint,
): Promise<TransactionInstruction[]> {
  const config = treasuryConfigPda(program.programId).address;
  return [await requestUnstakeIx(program, { config }, { owner, amount })];
}

/** Withdraws to the owner's associated $ASHAO account, creating it if needed. */
export async function withdrawInstructions(
  program: TreasuryProgram,
  owner: PublicKey,
  accounts?: TreasuryAccounts,
): Promise<TransactionInstruction[]> {
  const a = accounts ?? (await accountsOf(program));
  const destination = ownerAshaoAddress(owner, a);
  return [
    ...(await ensureAta(program, owner, destination, a.ashaoMint, a.ashaoTokenProgram)),
    await withdrawIx(program, a, { owner, destination }),
  ];
}

/** Claims to the owner's associated USDC account, creating it if needed. */
export async function claimInstructions(
  program: TreasuryProgram,
  owner: PublicKey,
  accounts?: TreasuryAccounts,
): Promise<TransactionInstruction[]> {
  const a = accounts ?? (await accountsOf(program));
  const destination = ownerUsdcAddress(owner, a);
  return [
    ...(await ensureAta(program, owner, destination, a.usdcMint, USDC_TOKEN_PROGRAM_ID)),
    await claimIx(program, a, { owner, destination }),
  ];
}

export async function closePositionInstructions(
  program: TreasuryProgram,
  owner: PublicKey,
): Promise<TransactionInstruction[]> {
  const config = treasuryConfigPda(program.programId).address;
  return [await closePositionIx(program, { config }, { owner })];
}

const send = (
  program: TreasuryProgram,
  wallet: WalletLike,
  instructions: TransactionInstruction[],
  options?: SendOptions,
) => sendAndConfirm(program.provider.connection, instructions, { wallet }, options);

/** Stakes `amount` $ASHAO from the wallet's associated account; returns the signature. */
export async function stake(
  program: TreasuryProgram,
  wallet: WalletLike,
  amount: bigint,
  options?: SendOptions,
): Promise<string> {
  return send(program, wallet, await stakeInstructions(program, wallet.publicKey, amount), options);
}

export async function requestUnstake(
  program: TreasuryProgram,
  wallet: WalletLike,
  amount: bigint,
  options?: SendOptions,
): Promise<string> {
  const ixs = await requestUnstakeInstructions(program, wallet.publicKey, amount);
  return send(program, wallet, ixs, options);
}

export async function withdraw(
  program: TreasuryProgram,
  wallet: WalletLike,
  options?: SendOptions,
): Promise<string> {
  return send(program, wallet, await withdrawInstructions(program, wallet.publicKey), options);
}

export async function claim(
  program: TreasuryProgram,
  wallet: WalletLike,
  options?: SendOptions,
): Promise<string> {
  return send(program, wallet, await claimInstructions(program, wallet.publicKey), options);
}

export async function closePosition(
  program: TreasuryProgram,
  wallet: WalletLike,
  options?: SendOptions,
): Promise<string> {
  return send(program, wallet, await closePositionInstructions(program, wallet.publicKey), options);
}

/**
 * Settles one batch of usage as the billing wallet (its associated USDC account pays `gross`):
 * creates the workers' missing USDC accounts (paid by the billing wallet) and sends
 * `settle_usage` with the billing authority's next batch id unless one is given. Returns the
 * signature and the id used. For larger files, `ashao settle` splits, previews and resumes.
 */
export async function settleUsage(
  program: TreasuryProgram,
  billing: WalletLike,
  args: { gross: bigint; workers: readonly SettlementWorker[]; batchId?: bigint },
  options?: SendOptions,
): Promise<{ signature: string; batchId: bigint }> {
  const a = await accountsOf(program);
  const payer = billing.publicKey;
  const batchId = args.batchId ?? nextBatchId(await fetchUsageLedger(program, payer));
  // Only the associated accounts missing: a batch of 9 workers leaves no room for 9 creations.
  const associated = args.workers
    .filter((w) => w.usdc === undefined)
    .map((w) => ({ owner: w.worker, address: ownerUsdcAddress(w.worker, a) }));
  const held = await program.provider.connection.getMultipleAccountsInfo(
    associated.map((w) => w.address),
  );
  const instructions = [
    ...associated
      .filter((_, i) => held[i] === null)
      .map((w) =>
        createAssociatedTokenAccountIdempotentInstruction(
          payer,
          w.address,
          w.owner,
          a.usdcMint,
          USDC_TOKEN_PROGRAM_ID,
        ),
      ),
    await settleUsageIx(program, a, {
      billing: payer,
      source: ownerUsdcAddress(payer, a),
      batchId,
      gross: args.gross,
      workers: args.workers,
    }),
  ];
  return { signature: await send(program, billing, instructions, options), batchId };
}
