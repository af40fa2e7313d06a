/**
 * Send-and-confirm for the crank, the CLI and tests (wallet apps sign and send for themselves).
 * A transaction whose blockhash expires before it lands is rebuilt on a fresh blockhash and sent
 * again, after checking that the first one did not land.
 */
import {
  BlockhashWithExpiryBlockHeight,
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
    const outcome = await sendSigned(connection, tx, latest, {
      commitment,
      skipPreflight: options.skipPreflight,
    });
    if (outcome.status === "confirmed") return outcome.signature;
    lastError = outcome.error;
  }
  throw lastError;
}

export type SendOutcome =
  | { status: "confirmed"; signature: string }
  /** The blockhash expired and the transaction did not land: it never can now. */
  | { status: "expired"; signature?: string; error: unknown };

/**
 * Sends a signed transaction and confirms it against its blockhash's last valid block height.
 * A transaction that failed on chain throws `SendTransactionError` with its logs. When the
 * blockhash expires first, the signature's status is checked before reporting `expired`, so a
 * caller never sends the same buy twice.
 */
export async function sendSigned(
  connection: Connection,
  tx: VersionedTransaction,
  latest: BlockhashWithExpiryBlockHeight,
  options: { commitment?: Commitment; skipPreflight?: boolean } = {},
): Promise<SendOutcome> {
  const commitment = options.commitment ?? "confirmed";
  let signature: string | undefined;
  try {
    signature = await connection.sendRawTransaction(tx.serialize(), {
      skipPreflight: options.skipPreflight ?? false,
      preflightCommitment: commitment,
      maxRetries: 0,
    });
    const result = await connection.confirmTransaction({ signature, ...latest }, commitment);
    if (result.value.err)
      throw await failedOnChain(connection, signature, result.value.err, commitment);
    return { status: "confirmed", signature };
  } catch (err) {
    if (!isExpiry(err)) throw err;
    if (signature) {
      // It may have landed after all; never send it twice.
      const status = (await connection.getSignatureStatus(signature)).value;
      if (status && status.err === null) return { status: "confirmed", signature };
    }
    return { status: "expired", signature, error: err };
  }
}

async function failedOnChain(
  connection: Connection,
  signature: string,
  err: unknown,
  commitment: Commitment,
): Promise<SendTransactionError> {
  const got = await connection.getTransaction(signature, {
    commitment: commitment === "finalized" ? "finalized" : "confirmed",
    maxSupportedTransactionVersion: 0,
  });
  return new SendTransactionError({
    action: "send",
    signature,
    transactionMessage: `transaction failed: ${JSON.stringify(err)}`,
    logs: got?.meta?.logMessages ?? undefined,
  });
}
