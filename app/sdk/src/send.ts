/**
 * Send-and-confirm for the crank, the CLI and tests (wallet apps sign and send for themselves).
 * A transaction is followed by its signature until its outcome is known; only one whose
 * blockhash expired without landing is rebuilt on a fresh blockhash.
 */
import { utils } from "@anchor-lang/core";
import {
  BlockhashWithExpiryBlockHeight,
  Commitment,
  Connection,
  Keypair,
  PublicKey,
  SendTransactionError,
  SignatureStatus,
  TransactionExpiredBlockheightExceededError,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";

import type { WalletLike } from "./program";

/**
 * How long a signed transaction can land: until its recent blockhash's last valid block height,
 * or, with a durable nonce, until the nonce account holds another nonce.
 */
export type TransactionLifetime = BlockhashWithExpiryBlockHeight | DurableNonceLifetime;

export interface DurableNonceLifetime {
  nonceAccount: PublicKey;
  /** The nonce the transaction carries as its blockhash. */
  nonce: string;
}

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
  | { status: "expired"; signature: string; error: unknown };

/** Whether a transaction sent for a buy landed cannot be known: the RPC node stays unreachable. */
export class UnknownOutcomeError extends Error {
  constructor(readonly signature: string) {
    super(`the RPC node stayed unreachable; transaction ${signature} may still land`);
    this.name = "UnknownOutcomeError";
  }
}

/** How often a sent transaction's outcome is polled, and the same bytes sent again. */
const POLL_MS = 200;
/** How long the RPC node may stay unreachable while an outcome is pending (by default). */
const UNREACHABLE_LIMIT_MS = 30_000;

export interface SendSignedOptions {
  commitment?: Commitment;
  skipPreflight?: boolean;
  /** How long the node may stay unreachable before the outcome is `UnknownOutcomeError`. */
  unreachableLimitMs?: number;
}

/**
 * Sends a signed transaction and follows it until it is confirmed, failed on chain (thrown as
 * `SendTransactionError` with its logs) or past its lifetime (`expired`: past its blockhash's
 * last valid block height, or its durable nonce advanced without it; it can never land, so the
 * caller may build a new one). The signature is known before sending, so a lost reply or an RPC
 * error never leads to a second transaction: the same bytes are sent again until the outcome is
 * known. Refusals in preflight are thrown as is.
 */
export async function sendSigned(
  connection: Connection,
  tx: VersionedTransaction,
  lifetime: TransactionLifetime,
  options: SendSignedOptions = {},
): Promise<SendOutcome> {
  const commitment = options.commitment ?? "confirmed";
  const signature = utils.bytes.bs58.encode(tx.signatures[0]);
  const wire = tx.serialize();
  try {
    await connection.sendRawTransaction(wire, {
      skipPreflight: options.skipPreflight ?? false,
      preflightCommitment: commitment,
      maxRetries: 0,
    });
  } catch (err) {
    if (isExpiry(err)) return { status: "expired", signature, error: err };
    // The node answered and refused it (preflight): nothing was sent. Anything else (a lost
    // reply, an unreachable node) leaves the outcome open.
    if (err instanceof SendTransactionError && !/already been processed/i.test(err.message)) {
      throw err;
    }
  }
  return followOutcome(
    connection,
    signature,
    wire,
    lifetime,
    commitment,
    options.unreachableLimitMs ?? UNREACHABLE_LIMIT_MS,
  );
}

/** Whether a transaction of this lifetime can no longer land (read from the chain). */
async function pastLifetime(
  connection: Connection,
  lifetime: TransactionLifetime,
  commitment: Commitment,
): Promise<boolean> {
  if ("nonceAccount" in lifetime) {
    const account = await connection.getNonce(lifetime.nonceAccount, commitment);
    return account?.nonce !== lifetime.nonce;
  }
  return (await connection.getBlockHeight(commitment)) > lifetime.lastValidBlockHeight;
}

async function followOutcome(
  connection: Connection,
  signature: string,
  wire: Uint8Array,
  lifetime: TransactionLifetime,
  commitment: Commitment,
  unreachableLimitMs: number,
): Promise<SendOutcome> {
  const settled = (s: SignatureStatus) =>
    commitment === "processed" ||
    s.confirmationStatus === "finalized" ||
    (commitment === "confirmed" && s.confirmationStatus === "confirmed");
  let reachedAt = Date.now();
  for (;;) {
    const seen = await Promise.all([
      connection.getSignatureStatus(signature, { searchTransactionHistory: true }),
      pastLifetime(connection, lifetime, commitment),
    ]).catch(() => undefined);
    if (seen === undefined) {
      if (Date.now() - reachedAt > unreachableLimitMs) throw new UnknownOutcomeError(signature);
    } else {
      reachedAt = Date.now();
      let status = seen[0].value;
      if (status === null && seen[1]) {
        // It can no longer land; one more look in case it landed just before.
        status = (
          await connection.getSignatureStatus(signature, { searchTransactionHistory: true })
        ).value;
        if (status === null) {
          return {
            status: "expired",
            signature,
            error: new TransactionExpiredBlockheightExceededError(signature),
          };
        }
      }
      if (status?.err) throw await failedOnChain(connection, signature, status.err, commitment);
      if (status && settled(status)) return { status: "confirmed", signature };
      if (status === null) {
        // Not seen yet: the same bytes again (a transaction lands at most once).
        await connection
          .sendRawTransaction(wire, { skipPreflight: true, maxRetries: 0 })
          .catch(() => undefined);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
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
