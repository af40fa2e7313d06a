/**
 * Wallet-standard wallets (Phantom, Backpack, Solflare, …) as the SDK's `WalletLike`: discovered
 * with `getWallets()`, connected with `standard:connect`, signing with `solana:signTransaction`.
 */
import {
  SolanaSignTransaction,
  type SolanaSignTransactionFeature,
} from "@solana/wallet-standard-features";
import { PublicKey, Transaction, VersionedTransaction } from "@solana/web3.js";
import { getWallets } from "@wallet-standard/app";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import { StandardConnect, type StandardConnectFeature } from "@wallet-standard/features";

import type { WalletLike } from "../../sdk/src/program";

/** Wallets that can connect and sign Solana transactions. */
export function stakingWallets(): Wallet[] {
  return getWallets()
    .get()
    .filter((w) => StandardConnect in w.features && SolanaSignTransaction in w.features);
}

/** Calls `listener` whenever a wallet registers or unregisters. */
export function onWalletsChanged(listener: () => void): () => void {
  const wallets = getWallets();
  const offRegister = wallets.on("register", listener);
  const offUnregister = wallets.on("unregister", listener);
  return () => {
    offRegister();
    offUnregister();
  };
}

export interface ConnectedWallet extends WalletLike {
  name: string;
}

export async function connectWallet(wallet: Wallet): Promise<ConnectedWallet> {
  const connect = (wallet.features as StandardConnectFeature)[StandardConnect];
  const { accounts } = await connect.connect();
  const account: WalletAccount | undefined = accounts[0];
  if (!account) throw new Error(`${wallet.name} shared no account`);
  const sign = (wallet.features as SolanaSignTransactionFeature)[SolanaSignTransaction];
  const signOne = async <T extends Transaction | VersionedTransaction>(tx: T): Promise<T> => {
    const bytes =
      tx instanceof VersionedTransaction
        ? tx.serialize()
        : tx.serialize({ requireAllSignatures: false, verifySignatures: false });
    const [output] = await sign.signTransaction({ account, transaction: bytes });
    return (
      tx instanceof VersionedTransaction
        ? VersionedTransaction.deserialize(output.signedTransaction)
        : Transaction.from(output.signedTransaction)
    ) as T;
  };
  return {
    name: wallet.name,
    publicKey: new PublicKey(account.publicKey),
    signTransaction: signOne,
    signAllTransactions: (txs) => Promise.all(txs.map(signOne)),
  };
}
