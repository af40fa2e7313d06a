/**
 * Signing commands send the same way: build, sign, print the signature (on stderr) before
 * waiting, then follow it by its status until it lands, fails, or can no longer land. "Not
 * landed" (its blockhash or nonce moved on without it: nothing happened) and "unknown" (the node
 * stopped answering: it may still land) are told apart and named.
 */
import { utils } from "@anchor-lang/core";
import {
  type Keypair,
  SendTransactionError,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";

import {
  redactUrl,
  rpcTransportFailure,
  sendSigned,
  toTreasuryError,
  type TransactionLifetime,
  UnknownOutcomeError,
} from "../../sdk/src";
import type { Chain } from "./chain";
import { NetworkError, RefusedError } from "./errors";
import type { DepositJournal, PendingDeposit } from "./deposit-journal";
import type { DurableNonce } from "./nonce";

/** Fresh blockhashes tried before giving up on a transaction that never lands. */
const ATTEMPTS = 3;

/** A send's failure as a refusal by the program's error name, or as the runtime named it. */
export function refusalOf(err: unknown): unknown {
  const info = toTreasuryError(err);
  if (info.code !== null) return new RefusedError(info.name, info.message);
  if (err instanceof SendTransactionError) {
    return new RefusedError("TransactionFailed", err.message.split("\n")[0]);
  }
  return err;
}

export interface SendRequest {
  /** What is sent, for the signature line: `deposit`, `queue_config_change`. */
  what: string;
  instructions: TransactionInstruction[];
  /** The fee payer first. */
  signers: Keypair[];
  nonce?: DurableNonce;
  /** What to do when the outcome is unknown (appended to the error). */
  rerun: string;
  /** Where the signed bytes are kept until their fate is known (deposits). */
  journal?: Pick<DepositJournal, "record" | "settle">;
}

export async function signAndSend(chain: Chain, request: SendRequest): Promise<string> {
  const { connection, commitment } = chain;
  const { nonce } = request;
  const signers = [...request.signers];
  if (nonce?.authorityKeypair && !signers.some((s) => s.publicKey.equals(nonce.authority))) {
    signers.push(nonce.authorityKeypair);
  }
  for (let attempt = 1; ; attempt++) {
    let lifetime: TransactionLifetime;
    if (nonce) {
      lifetime = nonce.lifetime;
    } else {
      lifetime = await connection.getLatestBlockhash(commitment);
    }
    const blockhash = "nonce" in lifetime ? lifetime.nonce : lifetime.blockhash;
    const tx = new VersionedTransaction(
      new TransactionMessage({
        payerKey: signers[0].publicKey,
        recentBlockhash: blockhash,
        instructions: nonce ? [nonce.advance, ...request.instructions] : request.instructions,
      }).compileToV0Message(),
    );
    tx.sign(signers);
    const signature = await sendAndFollow(chain, tx, lifetime, request);
    if (signature !== undefined) return signature;
    if (nonce || attempt >= ATTEMPTS) {
      throw new NetworkError(
        "NotLanded",
        `the ${request.what} transaction did not land before its ${nonce ? "nonce advanced" : "blockhash expired"}: nothing was done; run the command again`,
      );
    }
  }
}

/**
 * Sends again the very bytes an earlier run sent and did not see settle, and follows them: the
 * signature once landed, `undefined` when they can no longer land.
 */
export function followPending(
  chain: Chain,
  pending: PendingDeposit,
  request: Pick<SendRequest, "what" | "rerun">,
): Promise<string | undefined> {
  return sendAndFollow(chain, pending.transaction, pending.lifetime, request);
}

/** The signature once landed, `undefined` when it can no longer land. */
async function sendAndFollow(
  chain: Chain,
  tx: VersionedTransaction,
  lifetime: TransactionLifetime,
  request: Pick<SendRequest, "what" | "rerun" | "journal">,
): Promise<string | undefined> {
  const signature = utils.bytes.bs58.encode(tx.signatures[0]);
  request.journal?.record(tx, lifetime);
  console.error(`sending ${request.what}: signature ${signature}`);
  try {
    const outcome = await sendSigned(chain.connection, tx, lifetime, {
      commitment: chain.commitment,
      unreachableLimitMs: chain.timeoutMs,
    });
    request.journal?.settle();
    return outcome.status === "confirmed" ? outcome.signature : undefined;
  } catch (err) {
    if (err instanceof UnknownOutcomeError) {
      const until =
        "lastValidBlockHeight" in lifetime
          ? `until block height ${lifetime.lastValidBlockHeight} (about a minute)`
          : "until its nonce advances";
      throw new NetworkError(
        "OutcomeUnknown",
        `the RPC node at ${redactUrl(chain.rpcUrl)} stopped answering after the ${request.what} ` +
          `transaction ${signature} was sent; it may still land ${until}. ${request.rerun}`,
      );
    }
    // The node went away while following it: its fate is open, the journal keeps it.
    if (rpcTransportFailure(err)) throw err;
    request.journal?.settle();
    throw refusalOf(err);
  }
}
