/** The typed Anchor client for the treasury program. */
import { AnchorProvider, Program, type Provider, type Wallet } from "@anchor-lang/core";
import { Commitment, Connection, PublicKey } from "@solana/web3.js";

import IDL_JSON from "./idl/ashao_treasury.json";
import type { AshaoTreasury } from "./idl/ashao_treasury";

export type { AshaoTreasury };
export type TreasuryProgram = Program<AshaoTreasury>;

/** The generated IDL, typed (its `address` is the program id of `declare_id!`). */
export const IDL = IDL_JSON as AshaoTreasury;

/**
 * A wallet-adapter style signer: what Phantom, Backpack, Solflare (through the wallet adapter or
 * wallet standard) and Anchor's `Wallet` all offer.
 */
export type WalletLike = Pick<Wallet, "publicKey" | "signTransaction" | "signAllTransactions">;

export interface TreasuryProgramOptions {
  /** Another deployment of the same program (default: the IDL's address). */
  programId?: PublicKey;
  commitment?: Commitment;
}

/**
 * `Program<AshaoTreasury>` on `connection`. Without a wallet the program can read accounts and
 * build instructions but not send (`.rpc()` needs a wallet).
 */
export function treasuryProgram(
  connection: Connection,
  wallet?: WalletLike,
  options: TreasuryProgramOptions = {},
): TreasuryProgram {
  // Another deployment: same interface, another address (the type keeps the IDL's literal).
  const idl: AshaoTreasury = options.programId
    ? ({ ...IDL, address: options.programId.toBase58() } as unknown as AshaoTreasury)
    : IDL;
  const commitment = options.commitment ?? connection.commitment ?? "confirmed";
  const provider: Provider = wallet
    ? new AnchorProvider(connection, wallet, { commitment, preflightCommitment: commitment })
    : { connection };
  return new Program<AshaoTreasury>(idl, provider);
}
