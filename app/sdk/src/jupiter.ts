/**
 * Jupiter's JSON instruction form (`/swap-instructions` answers) and web3.js instructions, both
 * ways: the crank reads it, the local Jupiter-compatible venue writes it.
 */
import { PublicKey, TransactionInstruction } from "@solana/web3.js";

/** Jupiter's instruction JSON: `{ programId, accounts: [{ pubkey, isSigner, isWritable }], data }` (base64). */
export interface JupiterInstruction {
  programId: string;
  accounts: { pubkey: string; isSigner: boolean; isWritable: boolean }[];
  data: string;
}

export function toJupiterInstruction(ix: TransactionInstruction): JupiterInstruction {
  return {
    programId: ix.programId.toBase58(),
    accounts: ix.keys.map((k) => ({
      pubkey: k.pubkey.toBase58(),
      isSigner: k.isSigner,
      isWritable: k.isWritable,
    })),
    data: Buffer.from(ix.data).toString("base64"),
  };
}

export function fromJupiterInstruction(ix: JupiterInstruction): TransactionInstruction {
  return new TransactionInstruction({
    programId: new PublicKey(ix.programId),
    keys: ix.accounts.map((k) => ({
      pubkey: new PublicKey(k.pubkey),
      isSigner: k.isSigner,
      isWritable: k.isWritable,
    })),
    data: Buffer.from(ix.data, "base64"),
  });
}
