/**
 * A connected wallet that stakes, unstakes, withdraws, claims and closes: the SDK builds each
 * transaction, the wallet signs it through `solana:signTransaction`, and it is sent to the RPC
 * node the API names (or the public cluster's own). Loaded by the page only when a wallet connects: it carries the Solana
 * client (`@solana/web3.js`, Anchor), most of the dashboard's code by size.
 */
import {
  SolanaSignTransaction,
  type SolanaSignTransactionFeature,
} from "@solana/wallet-standard-features";
import {
  Connection,
  PublicKey,
  Transaction,
  type TransactionInstruction,
  VersionedTransaction,
} from "@solana/web3.js";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import { StandardConnect, type StandardConnectFeature } from "@wallet-standard/features";

import {
  claimInstructions,
  closePositionInstructions,
  ownerAshaoAddress,
  requestUnstakeInstructions,
  sendAndConfirm,
  stakeInstructions,
  toTreasuryError,
  treasuryAccountsFor,
  treasuryProgram,
  type TreasuryProgram,
  withdrawInstructions,
} from "../../sdk/src";
import type { WalletLike } from "../../sdk/src/program";
import { type ApiConfig, walletRpcUrl } from "./api";

export type StakingAction = "stake" | "request unstake" | "withdraw" | "claim" | "close";

export interface ConnectedSigner {
  name: string;
  /** The wallet's address (base58). */
  address: string;
  /** The wallet's $ASHAO balance in base units (0 without a token account). */
  ashaoBalance(): Promise<bigint>;
  /** Builds `action`, has the wallet sign it, sends it and waits for confirmation. */
  send(action: StakingAction, amount?: bigint): Promise<string>;
}

/** A failure as the program (or the network) names it. */
export function failureOf(err: unknown): { name: string; message: string } {
  const error = toTreasuryError(err);
  return { name: error.name, message: error.message };
}

async function walletLike(wallet: Wallet): Promise<WalletLike> {
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
    publicKey: new PublicKey(account.publicKey),
    signTransaction: signOne,
    signAllTransactions: (txs) => Promise.all(txs.map(signOne)),
  };
}

export async function connectSigner(wallet: Wallet, config: ApiConfig): Promise<ConnectedSigner> {
  const rpcUrl = walletRpcUrl(config);
  if (rpcUrl === undefined) throw new Error("no RPC URL is published for this cluster");
  const signer = await walletLike(wallet);
  const connection = new Connection(rpcUrl, {
    commitment: "confirmed",
    wsEndpoint: config.wsUrl ?? undefined,
  });
  const programId = new PublicKey(config.programId);
  const accounts = treasuryAccountsFor(programId, {
    usdcMint: new PublicKey(config.usdcMint),
    ashaoMint: new PublicKey(config.ashaoMint),
    ashaoTokenProgram: new PublicKey(config.ashaoTokenProgram),
  });
  const program = treasuryProgram(connection, signer, { programId });
  const owner = signer.publicKey;
  const build: Record<
    StakingAction,
    (p: TreasuryProgram, amount: bigint) => Promise<TransactionInstruction[]>
  > = {
    stake: (p, amount) => stakeInstructions(p, owner, amount, accounts),
    "request unstake": (p, amount) => requestUnstakeInstructions(p, owner, amount),
    withdraw: (p) => withdrawInstructions(p, owner, accounts),
    claim: (p) => claimInstructions(p, owner, accounts),
    close: (p) => closePositionInstructions(p, owner),
  };
  return {
    name: wallet.name,
    address: owner.toBase58(),
    ashaoBalance: () =>
      connection
        .getTokenAccountBalance(ownerAshaoAddress(owner, accounts))
        .then((b) => BigInt(b.value.amount))
        .catch(() => 0n),
    send: async (action, amount = 0n) =>
      sendAndConfirm(connection, await build[action](program, amount), { wallet: signer }),
  };
}
