/**
 * Test AMM instructions in web3.js form.
 */
import { type AccountMeta, PublicKey, TransactionInstruction } from "@solana/web3.js";

import IDL from "./idl/test_amm.json";
import { type PoolAccount, TEST_AMM_PROGRAM_ID } from "./pool";

// Jupiter's instruction JSON form lives in the SDK (the crank reads it; this server writes it).
export {
  fromJupiterInstruction,
  type JupiterInstruction,
  toJupiterInstruction,
} from "../../sdk/src/jupiter";

const SWAP_DISCRIMINATOR = Buffer.from(
  IDL.instructions.find((i) => i.name === "swap")?.discriminator ?? [],
);

export interface SwapAccounts {
  user: PublicKey;
  pool: PublicKey;
  inputMint: PublicKey;
  outputMint: PublicKey;
  userSource: PublicKey;
  userDestination: PublicKey;
}

/** Which pool side is input and which output, or `undefined` when the pool does not trade that pair. */
export function poolSides(pool: PoolAccount, inputMint: PublicKey, outputMint: PublicKey) {
  const a = { mint: pool.mintA, vault: pool.vaultA, tokenProgram: pool.tokenProgramA };
  const b = { mint: pool.mintB, vault: pool.vaultB, tokenProgram: pool.tokenProgramB };
  if (inputMint.equals(a.mint) && outputMint.equals(b.mint)) {
    return { input: a, output: b };
  }
  if (inputMint.equals(b.mint) && outputMint.equals(a.mint)) {
    return { input: b, output: a };
  }
  return undefined;
}

/** The number of accounts a swap instruction references (Jupiter's `maxAccounts` counts these). */
export const SWAP_ACCOUNT_COUNT = 10;

/** `swap(amount_in, minimum_amount_out)`, accounts in the order of `programs/test-amm/src/instructions/swap.rs`. */
export function swapInstruction(
  pool: PoolAccount,
  accounts: SwapAccounts,
  amountIn: bigint,
  minimumAmountOut: bigint,
): TransactionInstruction {
  const sides = poolSides(pool, accounts.inputMint, accounts.outputMint);
  if (sides === undefined) {
    throw new Error("the pool does not trade this pair");
  }
  const data = Buffer.alloc(8 + 8 + 8);
  SWAP_DISCRIMINATOR.copy(data, 0);
  data.writeBigUInt64LE(amountIn, 8);
  data.writeBigUInt64LE(minimumAmountOut, 16);
  const keys: AccountMeta[] = [
    { pubkey: accounts.user, isSigner: true, isWritable: false },
    { pubkey: accounts.pool, isSigner: false, isWritable: false },
    { pubkey: accounts.inputMint, isSigner: false, isWritable: false },
    { pubkey: accounts.outputMint, isSigner: false, isWritable: false },
    { pubkey: accounts.userSource, isSigner: false, isWritable: true },
    { pubkey: accounts.userDestination, isSigner: false, isWritable: true },
    { pubkey: sides.input.vault, isSigner: false, isWritable: true },
    { pubkey: sides.output.vault, isSigner: false, isWritable: true },
    { pubkey: sides.input.tokenProgram, isSigner: false, isWritable: false },
    { pubkey: sides.output.tokenProgram, isSigner: false, isWritable: false },
  ];
  return new TransactionInstruction({ programId: TEST_AMM_PROGRAM_ID, keys, data });
}
