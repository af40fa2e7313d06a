/**
 * A fresh local validator per test file (the treasury is a singleton per program, so suites do
 * not share a chain), plus funded keypairs on it.
 */
import { Connection, Keypair } from "@solana/web3.js";

import { LocalValidator, startValidator } from "../../app/localnet/validator";

export interface TestValidator extends LocalValidator {
  /** A new keypair holding `lamports`, airdropped and confirmed. */
  fundedKeypair(lamports: number): Promise<Keypair>;
}

export async function airdrop(
  connection: Connection,
  to: Keypair,
  lamports: number,
): Promise<void> {
  const signature = await connection.requestAirdrop(to.publicKey, lamports);
  const latest = await connection.getLatestBlockhash();
  const result = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
  if (result.value.err) throw new Error(`airdrop failed: ${JSON.stringify(result.value.err)}`);
}

export async function startTestValidator(): Promise<TestValidator> {
  const validator = await startValidator();
  return {
    ...validator,
    async fundedKeypair(lamports: number) {
      const keypair = Keypair.generate();
      await airdrop(validator.connection, keypair, lamports);
      return keypair;
    },
  };
}
