/**
 * Wallet-standard wallets (Phantom, Backpack, Solflare, …) that can connect and sign Solana
 * transactions, found with `getWallets()`. Connecting and signing live in `signer.ts`, loaded
 * only when a wallet is connected (it brings the Solana client with it).
 */
import { SolanaSignTransaction } from "@solana/wallet-standard-features";
import { getWallets } from "@wallet-standard/app";
import type { Wallet } from "@wallet-standard/base";
import { StandardConnect } from "@wallet-standard/features";

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
