/**
 * Send-and-confirm for the crank, the CLI and tests (wallet apps sign and send for themselves).
 * A transaction whose blockhash expires before it lands is rebuilt on a fresh blockhash and sent
 * again, after checking that the first one did not land.
 */
import {
  Commitment,
  Connection,
  Keypair,
  PublicKey,
  SendTransactionError,
  TransactionExpiredBlockheightExceededError,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";

import type { WalletLike } from "./program";

export interface SendOptions {
  commitment?: Commitment;
  /** How many fresh blockhashes to try (default 3). */
  attempts?: number;
  skipPreflight?: boolean;
}

/** Who signs: keypairs (the first pays) or a wallet (pays) plus extra keypairs. */
export type Signers = { keypairs: Keypair[] } | { wallet: WalletLike; keypairs?: Keypair[] };

function payerOf(signers: Signers): PublicKey {
  if ("wallet" in signers) return signers.wallet.publicKey;
  if (signers.keypairs.length === 0) throw new Error("sendAndConfirm: no signer");
  return signers.keypairs[0].publicKey;
}

function isExpiry(err: unknown): boolean {
  if (err instanceof TransactionExpiredBlockheightExceededError) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /blockhash not found|block height exceeded/i.test(message);
}

/** Builds a v0 transaction of `instructions`, signs, sends and confirms it; returns its signature. */
export async function sendAndConfirm(
  connection: Connection,
  instructions: TransactionInstruction[],
  signers: Signers,
  options: SendOptions = {},
): Promise<string> {
  const commitment = options.commitment ?? "confirmed";
  const attempts = options.attempts ?? 3;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const latest = await connection.getLatestBlockhash(commitment);
    let tx = new VersionedTransaction(
      new TransactionMessage({
        payerKey: payerOf(signers),
        recentBlockhash: latest.blockhash,
        instructions,
      }).compileToV0Message(),
    );
    const extra = signers.keypairs ?? [];
    if (extra.length > 0) tx.sign(extra);
    if ("wallet" in signers) tx = await signers.wallet.signTransaction(tx);
    let signature: string | undefined;
    try {
      signature = await connection.sendRawTransaction(tx.serialize(), {
        skipPreflight: options.skipPreflight ?? false,
        preflightCommitment: commitment,
        maxRetries: 0,
      });
      const result = await connection.confirmTransaction({ signature, ...latest }, commitment);
      if (result.value.err) {
        const got = await connection.getTransaction(signature, {
          commitment: commitment === "finalized" ? "finalized" : "confirmed",
          maxSupportedTransactionVersion: 0,
        });
        throw new SendTransactionError({
          action: "send",
          signature,
          transactionMessage: `transaction failed: ${JSON.stringify(result.value.err)}`,
          logs: got?.meta?.logMessages ?? undefined,
        });
      }
      return signature;
    } catch (err) {
      if (!isExpiry(err)) throw err;
      lastError = err;
      if (signature) {
        // It may have landed after all; never send it twice.
        const status = (await connection.getSignatureStatus(signature)).value;
        if (status && status.err === null) return signature;
      }
    }
  }
  throw lastError;
}
