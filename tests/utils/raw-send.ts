/**
 * Many transactions quickly, as wallets send them: signed beforehand and sent by concurrent
 * clients over raw JSON-RPC `sendTransaction` (with preflight), for the tests and benchmarks that
 * need a long history of real transactions.
 */
import {
  createAssociatedTokenAccountIdempotent,
  getAssociatedTokenAddressSync,
  mintTo,
} from "@solana/spl-token";
import type { PublicKey, VersionedTransaction } from "@solana/web3.js";

import type { LocalEconomy } from "../../app/localnet/economy";

/** The node's answer to one `sendTransaction`: the signature, or why it refused. */
export type SendOutcome = { signature: string } | { refused: string };

export async function sendRaw(rpcUrl: string, tx: VersionedTransaction): Promise<SendOutcome> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "sendTransaction",
      params: [Buffer.from(tx.serialize()).toString("base64"), { encoding: "base64" }],
    }),
  });
  const body = (await response.json()) as { result?: string; error?: { message: string } };
  return body.result ? { signature: body.result } : { refused: body.error?.message ?? "no answer" };
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** The authority's USDC account, created if missing and given `amount` more to deposit. */
export async function fundedRevenueSource(
  economy: LocalEconomy,
  amount: bigint,
): Promise<PublicKey> {
  const { connection } = economy.validator;
  const { accounts, authority } = economy;
  const source = getAssociatedTokenAddressSync(accounts.usdcMint, authority.publicKey);
  await createAssociatedTokenAccountIdempotent(
    connection,
    authority,
    accounts.usdcMint,
    authority.publicKey,
  );
  await mintTo(connection, authority, accounts.usdcMint, source, authority, amount);
  return source;
}
