/**
 * What the crank signs besides its own instructions: the swap API's setup and cleanup are
 * checked against a small allow-list before anything is signed, so a compromised or malicious
 * swap API cannot make the crank's key pay out its SOL or tokens. Allowed: compute budget; the
 * treasury's swap program; idempotent creation of the crank's own associated token accounts
 * (paid by the crank); wrapped-SOL handling of the crank's own WSOL account (`SyncNative`, and
 * `CloseAccount` back to the crank). Anything else, a System Program transfer, a token transfer
 * or approval, an unknown program, is refused by name (`instruction-not-allowed`).
 */
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  getAssociatedTokenAddressSync,
  NATIVE_MINT,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  type PublicKey,
  SystemProgram,
  type TransactionInstruction,
} from "@solana/web3.js";

import { CrankError } from "./errors";
import type { SwapPlan } from "./jupiter";

/** SPL Token instruction tags (shared by Token-2022) the allow-list reads or names. */
const TOKEN_INSTRUCTIONS: Record<number, string> = {
  3: "Transfer",
  4: "Approve",
  6: "SetAuthority",
  7: "MintTo",
  8: "Burn",
  9: "CloseAccount",
  10: "FreezeAccount",
  12: "TransferChecked",
  13: "ApproveChecked",
  15: "BurnChecked",
  17: "SyncNative",
};
const CLOSE_ACCOUNT = 9;
const SYNC_NATIVE = 17;
/** The associated token program's `CreateIdempotent`. */
const CREATE_IDEMPOTENT = 1;

export interface AllowListContext {
  crank: PublicKey;
  /** The treasury's `swapProgram`. */
  swapProgram: PublicKey;
}

/** Why `ix` may not be signed, or `undefined` when it may. */
function refusal(ix: TransactionInstruction, ctx: AllowListContext): string | undefined {
  const { programId, keys, data } = ix;
  const key = (i: number) => keys[i]?.pubkey;
  const isCrank = (k: PublicKey | undefined) => k?.equals(ctx.crank) ?? false;
  if (programId.equals(ComputeBudgetProgram.programId) || programId.equals(ctx.swapProgram)) {
    return undefined;
  }
  if (programId.equals(ASSOCIATED_TOKEN_PROGRAM_ID)) {
    if (data.length !== 1 || data[0] !== CREATE_IDEMPOTENT) {
      return "an associated-token instruction other than CreateIdempotent";
    }
    const [payer, ata, owner, mint, , tokenProgram] = [0, 1, 2, 3, 4, 5].map(key);
    const known =
      tokenProgram?.equals(TOKEN_PROGRAM_ID) || tokenProgram?.equals(TOKEN_2022_PROGRAM_ID);
    if (!payer || !ata || !owner || !mint || !tokenProgram || !known) {
      return "a malformed CreateIdempotent";
    }
    if (!isCrank(payer) || !isCrank(owner)) {
      return `CreateIdempotent of an account owned by ${owner.toBase58()} or paid by ${payer.toBase58()}, not the crank`;
    }
    if (!ata.equals(getAssociatedTokenAddressSync(mint, owner, false, tokenProgram))) {
      return `CreateIdempotent of ${ata.toBase58()}, not the crank's associated account`;
    }
    return undefined;
  }
  if (programId.equals(TOKEN_PROGRAM_ID) || programId.equals(TOKEN_2022_PROGRAM_ID)) {
    const wsol = getAssociatedTokenAddressSync(NATIVE_MINT, ctx.crank, false, programId);
    const tag = data[0];
    if (data.length === 1 && tag === SYNC_NATIVE && key(0)?.equals(wsol)) return undefined;
    if (
      data.length === 1 &&
      tag === CLOSE_ACCOUNT &&
      key(0)?.equals(wsol) &&
      isCrank(key(1)) &&
      isCrank(key(2))
    ) {
      return undefined;
    }
    const name = TOKEN_INSTRUCTIONS[tag] ?? `instruction ${tag}`;
    return `token ${name} (only SyncNative, and CloseAccount to the crank, of the crank's own wrapped-SOL account)`;
  }
  if (programId.equals(SystemProgram.programId)) {
    return "a System Program instruction (it could move the crank's SOL)";
  }
  return `program ${programId.toBase58()}, which is not on the crank's allow-list`;
}

/**
 * Refuses, before anything is signed, a swap plan whose swap is not the treasury's swap program
 * or whose setup or cleanup holds an instruction outside the allow-list.
 */
export function checkSwapPlan(plan: SwapPlan, ctx: AllowListContext): void {
  if (!plan.swap.programId.equals(ctx.swapProgram)) {
    throw new CrankError(
      "instruction-not-allowed",
      `the swap API's swap instruction calls ${plan.swap.programId.toBase58()}, not the treasury's swap program ${ctx.swapProgram.toBase58()}: nothing signed`,
    );
  }
  const listed = [
    ...plan.setup.map((ix, i) => ({ ix, where: `setup instruction ${i + 1}` })),
    ...plan.cleanup.map((ix, i) => ({ ix, where: `cleanup instruction ${i + 1}` })),
  ];
  for (const { ix, where } of listed) {
    const why = refusal(ix, ctx);
    if (why) {
      throw new CrankError(
        "instruction-not-allowed",
        `the swap API's ${where} is ${why}: nothing signed`,
      );
    }
  }
}
