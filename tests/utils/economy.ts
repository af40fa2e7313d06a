/** Helpers for suites that run on the local economy (app/localnet/economy.ts). */
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";

import type { LocalEconomy } from "../../app/localnet/economy";
import { fundedTokenAccount } from "../../app/localnet/tokens";
import { depositRevenueIx, sendAndConfirm } from "../../app/sdk/src";
import { airdrop } from "./validator";

/** The authority pays `amount` USDC of revenue (minted for the purpose); returns the signature. */
export async function payRevenue(economy: LocalEconomy, amount: bigint): Promise<string> {
  const { validator, program, accounts, authority, usdc } = economy;
  const source = await fundedTokenAccount(
    validator.connection,
    authority,
    usdc,
    authority.publicKey,
    amount,
  );
  return sendAndConfirm(
    validator.connection,
    [await depositRevenueIx(program, accounts, { payer: authority.publicKey, source, amount })],
    { keypairs: [authority] },
  );
}

/** A new wallet with SOL for fees, `ashao` $ASHAO and an (empty) USDC account. */
export async function fundedWallet(economy: LocalEconomy, ashao: bigint): Promise<Keypair> {
  const { connection } = economy.validator;
  const wallet = Keypair.generate();
  await airdrop(connection, wallet, 2 * LAMPORTS_PER_SOL);
  await fundedTokenAccount(connection, economy.authority, economy.ashao, wallet.publicKey, ashao);
  await fundedTokenAccount(connection, economy.authority, economy.usdc, wallet.publicKey);
  return wallet;
}
