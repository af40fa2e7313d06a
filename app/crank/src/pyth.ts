/**
 * A fresh Pyth price before a buyback, on a real cluster: the feed's latest signed update from
 * Hermes, verified in full through Wormhole and written by Pyth's push oracle into the feed's
 * price feed account (shard 0), all through Pyth's own SDKs (`@pythnetwork/hermes-client`,
 * `@pythnetwork/pyth-solana-receiver`). Those are loaded on first use, so a crank that never
 * needs to post (a sponsored feed kept fresh by Pyth, or localnet) never loads them.
 */
import { Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import type { Logger } from "pino";

import { CrankError, isNetworkError, rpcFailure } from "./errors";
import type { PriceUpdater } from "./price";

/** The push oracle shard the crank posts to: the one sponsored feeds use. */
export const PYTH_SHARD_ID = 0;

export interface HermesPriceUpdaterOptions {
  connection: Connection;
  /** Pays for the update's transactions (the crank's key). */
  payer: Keypair;
  /** e.g. https://hermes.pyth.network */
  hermesUrl: string;
  /** How long Hermes may take to answer (one try: a timeout is not retried within the call). */
  timeoutMs: number;
  priorityFeeMicroLamports: number;
  log: Logger;
}

export function hermesPriceUpdater(options: HermesPriceUpdaterOptions): PriceUpdater {
  return {
    async refresh(feedId: Buffer, account: PublicKey): Promise<void> {
      const [{ PythSolanaReceiver }, { HermesClient }] = await Promise.all([
        import("@pythnetwork/pyth-solana-receiver"),
        import("@pythnetwork/hermes-client"),
      ]);
      // Pyth's SDK is written against @coral-xyz/anchor 0.29; its Wallet has the same shape as
      // ours (a keypair that signs), so the crank does not depend on that Anchor itself.
      const receiver = new PythSolanaReceiver({
        connection: options.connection,
        wallet: new Wallet(options.payer),
      });
      const feedAccount = receiver.getPriceFeedAccountAddress(PYTH_SHARD_ID, feedId);
      if (!feedAccount.equals(account)) {
        throw new CrankError(
          "oracle-stale",
          `the price is too old, and a fresh one can only be posted to the feed's account ` +
            `${feedAccount.toBase58()}, not the configured --price-update ${account.toBase58()}`,
        );
      }

      const hermes = new HermesClient(options.hermesUrl, {
        timeout: options.timeoutMs,
        httpRetries: 0,
      });
      let updates: string[];
      try {
        const latest = await hermes.getLatestPriceUpdates([`0x${feedId.toString("hex")}`], {
          encoding: "base64",
        });
        updates = latest.binary.data;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if ((err as Error).name === "TimeoutError") {
          throw new CrankError(
            "hermes-timeout",
            `Hermes ${options.hermesUrl} did not answer within ${options.timeoutMs / 1000} s`,
          );
        }
        throw new CrankError(
          isNetworkError(err) ? "hermes-unreachable" : "price-update-failed",
          `Hermes ${options.hermesUrl}: ${message}`,
        );
      }

      try {
        // Full verification (the guard refuses partially verified updates); the encoded VAA's
        // account is closed again in the last transaction, so only fees are spent.
        const builder = receiver.newTransactionBuilder({ closeUpdateAccounts: true });
        await builder.addUpdatePriceFeed(updates, PYTH_SHARD_ID);
        const transactions = await builder.buildVersionedTransactions({
          computeUnitPriceMicroLamports: options.priorityFeeMicroLamports,
        });
        const signatures = await receiver.provider.sendAll(transactions, {
          commitment: "confirmed",
        });
        options.log.info(
          { priceUpdate: account.toBase58(), transactions: signatures },
          "posted a fresh Pyth price",
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw (
          rpcFailure(err, "posting the Pyth price update") ??
          new CrankError("price-update-failed", `posting the Pyth price update failed: ${message}`)
        );
      }
    },
  };
}
