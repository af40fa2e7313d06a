/**
 * A history of real transactions, quickly: `count` revenue deposits by the authority, signed
 * beforehand and sent by concurrent clients over raw JSON-RPC (as wallets do), each its own
 * amount so no two are the same transaction. Each deposit is one `revenueDeposited` event.
 */
import {
  createAssociatedTokenAccountIdempotent,
  getAssociatedTokenAddressSync,
  mintTo,
} from "@solana/spl-token";
import { TransactionMessage, VersionedTransaction } from "@solana/web3.js";

import type { LocalEconomy } from "../../app/localnet/economy";
import { depositRevenueIx } from "../../app/sdk/src";
import { waitFor } from "./wait";

export async function depositHistory(
  economy: LocalEconomy,
  count: number,
  clients = 16,
): Promise<string[]> {
  const { connection, rpcUrl } = economy.validator;
  const { program, accounts, authority } = economy;
  const source = getAssociatedTokenAddressSync(accounts.usdcMint, authority.publicKey);
  await createAssociatedTokenAccountIdempotent(
    connection,
    authority,
    accounts.usdcMint,
    authority.publicKey,
  );
  await mintTo(
    connection,
    authority,
    accounts.usdcMint,
    source,
    authority,
    BigInt(count) * 10_000_000n,
  );
  const { blockhash } = await connection.getLatestBlockhash("confirmed");
  const transactions: string[] = [];
  for (let i = 0; i < count; i++) {
    const ix = await depositRevenueIx(program, accounts, {
      payer: authority.publicKey,
      source,
      amount: 1_000_000n + BigInt(i),
    });
    const tx = new VersionedTransaction(
      new TransactionMessage({
        payerKey: authority.publicKey,
        recentBlockhash: blockhash,
        instructions: [ix],
      }).compileToV0Message(),
    );
    tx.sign([authority]);
    transactions.push(Buffer.from(tx.serialize()).toString("base64"));
  }
  const signatures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < transactions.length) {
        const wire = transactions[next++];
        const response = await fetch(rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "sendTransaction",
            params: [wire, { encoding: "base64" }],
          }),
        });
        const body = (await response.json()) as { result?: string; error?: { message: string } };
        if (!body.result) throw new Error(`deposit refused: ${body.error?.message}`);
        signatures.push(body.result);
      }
    }),
  );
  await waitFor(
    `${count} deposits confirmed`,
    async () => {
      for (let i = 0; i < signatures.length; i += 256) {
        const { value } = await connection.getSignatureStatuses(signatures.slice(i, i + 256));
        if (
          value.some(
            (s) => s?.confirmationStatus !== "confirmed" && s?.confirmationStatus !== "finalized",
          )
        ) {
          return undefined;
        }
      }
      return true;
    },
    60_000,
  );
  return signatures;
}
