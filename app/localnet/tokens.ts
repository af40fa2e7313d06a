/**
 * Mint and token-account factories for a local chain, through @solana/spl-token: USDC
 * (6 decimals, SPL Token) and $ASHAO (9 decimals, SPL Token or Token-2022). Used by the local
 * economy and the tests (tests/utils/extension-mints.ts makes Token-2022 mints with extensions).
 */
import {
  createAssociatedTokenAccountIdempotent,
  createMint,
  getAccount,
  mintTo,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";

import { ASHAO_DECIMALS, USDC_DECIMALS } from "../sdk/src/constants";

/** A mint and the program that owns it. */
export interface LocalMint {
  mint: PublicKey;
  tokenProgram: PublicKey;
  decimals: number;
  /** Mint authority (the payer that created it). */
  authority: Keypair;
}

export async function createUsdcMint(connection: Connection, payer: Keypair): Promise<LocalMint> {
  const mint = await createMint(
    connection,
    payer,
    payer.publicKey,
    null,
    USDC_DECIMALS,
    undefined,
    { commitment: "confirmed" },
    TOKEN_PROGRAM_ID,
  );
  return { mint, tokenProgram: TOKEN_PROGRAM_ID, decimals: USDC_DECIMALS, authority: payer };
}

export async function createAshaoMint(
  connection: Connection,
  payer: Keypair,
  tokenProgram: PublicKey = TOKEN_PROGRAM_ID,
): Promise<LocalMint> {
  const mint = await createMint(
    connection,
    payer,
    payer.publicKey,
    null,
    ASHAO_DECIMALS,
    undefined,
    { commitment: "confirmed" },
    tokenProgram,
  );
  return { mint, tokenProgram, decimals: ASHAO_DECIMALS, authority: payer };
}

/** The owner's associated token account for `mint` (created if missing), holding `amount` more. */
export async function fundedTokenAccount(
  connection: Connection,
  payer: Keypair,
  mint: LocalMint,
  owner: PublicKey,
  amount = 0n,
): Promise<PublicKey> {
  const account = await createAssociatedTokenAccountIdempotent(
    connection,
    payer,
    mint.mint,
    owner,
    { commitment: "confirmed" },
    mint.tokenProgram,
  );
  if (amount > 0n) await mintTokens(connection, mint, account, amount);
  return account;
}

export async function mintTokens(
  connection: Connection,
  mint: LocalMint,
  destination: PublicKey,
  amount: bigint,
): Promise<void> {
  await mintTo(
    connection,
    mint.authority,
    mint.mint,
    destination,
    mint.authority,
    amount,
    [],
    { commitment: "confirmed" },
    mint.tokenProgram,
  );
}

/** A token account's balance in base units. */
export async function tokenBalance(
  connection: Connection,
  account: PublicKey,
  tokenProgram: PublicKey = TOKEN_PROGRAM_ID,
): Promise<bigint> {
  return (await getAccount(connection, account, "confirmed", tokenProgram)).amount;
}
