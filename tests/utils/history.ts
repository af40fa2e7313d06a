/**
 * A history of real transactions, quickly: `count` revenue deposits by the authority, signed
 * beforehand and sent by concurrent clients over raw JSON-RPC (as wallets do), each its own
 * amount so no two are the same transaction. Each deposit is one `revenueDeposited` event.
 */
import { type Finality, TransactionMessage, VersionedTransaction } from "@solana/web3.js";

import type { LocalEconomy } from "../../app/localnet/economy";
import { depositRevenueIx, parseTreasuryEvents, type TreasuryEvent } from "../../app/sdk/src";
import { fundedRevenueSource, inParallel, sendRaw } from "./raw-send";
import { waitFor } from "./wait";

export async function depositHistory(
  economy: LocalEconomy,
  count: number,
  clients = 16,
): Promise<string[]> {
  const { connection, rpcUrl } = economy.validator;
  const { program, accounts, authority } = economy;
  const source = await fundedRevenueSource(economy, BigInt(count) * 10_000_000n);
  const { blockhash } = await connection.getLatestBlockhash("confirmed");
  const transactions: VersionedTransaction[] = [];
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
    transactions.push(tx);
  }
  const signatures: string[] = [];
  await inParallel(transactions, clients, async (tx) => {
    const outcome = await sendRaw(rpcUrl, tx);
    if ("refused" in outcome) throw new Error(`deposit refused: ${outcome.refused}`);
    signatures.push(outcome.signature);
  });
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

/** One treasury event as the chain holds it: its transaction, index in it and slot. */
export interface ChainTreasuryEvent {
  signature: string;
  index: number;
  slot: number;
  event: TreasuryEvent;
}

/**
 * Every treasury event of every successful program transaction at `commitment`, oldest first,
 * read and parsed here (not by the indexer under test): what a store must end up holding.
 */
export async function chainTreasuryEvents(
  economy: LocalEconomy,
  commitment: Finality,
): Promise<ChainTreasuryEvent[]> {
  const { connection } = economy.validator;
  const signatures: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(
      economy.program.programId,
      { before, limit: 1_000 },
      commitment,
    );
    signatures.push(...page.filter((s) => s.err === null).map((s) => s.signature));
    if (page.length < 1_000) break;
    before = page[page.length - 1].signature;
  }
  signatures.reverse();
  const events: ChainTreasuryEvent[] = [];
  for (let i = 0; i < signatures.length; i += 200) {
    const transactions = await connection.getTransactions(signatures.slice(i, i + 200), {
      commitment,
      maxSupportedTransactionVersion: 0,
    });
    transactions.forEach((tx, j) => {
      parseTreasuryEvents(economy.program, tx!.meta!.logMessages!).forEach((event, index) =>
        events.push({ signature: signatures[i + j], index, slot: tx!.slot, event }),
      );
    });
  }
  return events;
}
