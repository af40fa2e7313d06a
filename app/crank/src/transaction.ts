/**
 * The buyback transaction, v0 with Jupiter's address lookup tables:
 * `[compute budget][crank ATAs][setup the program refuses between][begin_buyback]
 * [setup it allows][swap][cleanup it allows][finish_buyback][cleanup it refuses between]`.
 * Between the halves the program allows only the swap program, associated-token creates and
 * compute budget (SDK `isAllowedBetweenBuyback`); any other Jupiter setup (wrapping SOL, a token
 * instruction) runs before `begin_buyback`, any other cleanup (closing a wrapped-SOL account)
 * after `finish_buyback`.
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  AddressLookupTableAccount,
  ComputeBudgetProgram,
  Connection,
  Keypair,
  PACKET_DATA_SIZE,
  PublicKey,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";

import {
  beginBuybackIx,
  type CrankAccounts,
  finishBuybackIx,
  isAllowedBetweenBuyback,
  type TreasuryAccounts,
  type TreasuryProgram,
} from "../../sdk/src";
import type { SwapPlan } from "./jupiter";

/** The most bytes a transaction may have on the wire (1232). */
export const MAX_TRANSACTION_BYTES = PACKET_DATA_SIZE;

export interface BuybackTransactionArgs {
  program: TreasuryProgram;
  accounts: TreasuryAccounts;
  crank: Keypair;
  crankAccounts: CrankAccounts;
  usdcAmount: bigint;
  minAshaoOut: bigint;
  /** The treasury's swap program (its `swapProgram` parameter). */
  swapProgram: PublicKey;
  /** The oracle's `PriceUpdateV2` account `finish_buyback` checks the price against. */
  priceUpdate: PublicKey;
  plan: SwapPlan;
  lookupTables: AddressLookupTableAccount[];
  computeUnitLimit: number;
  priorityFeeMicroLamports: number;
  blockhash: string;
  maxBytes?: number;
}

export interface BuiltTransaction {
  /** `undefined` when the transaction does not fit in the byte budget. */
  transaction?: VersionedTransaction;
  bytes: number;
  /** Accounts the message names (static keys plus those loaded from lookup tables). */
  accounts: number;
}

/** The instructions in order; exported so the sizes our two instructions add can be measured. */
export async function buybackInstructions(
  args: BuybackTransactionArgs,
): Promise<TransactionInstruction[]> {
  const { program, accounts, crankAccounts: c, plan } = args;
  const payer = c.crank;
  const between = (ix: TransactionInstruction) => isAllowedBetweenBuyback(ix, args.swapProgram);
  return [
    ComputeBudgetProgram.setComputeUnitLimit({ units: args.computeUnitLimit }),
    ComputeBudgetProgram.setComputeUnitPrice({ microLamports: args.priorityFeeMicroLamports }),
    // begin_buyback needs both of the crank's accounts to exist; creating them is a no-op after
    // the first buyback.
    createAssociatedTokenAccountIdempotentInstruction(
      payer,
      c.crankUsdc,
      c.crank,
      accounts.usdcMint,
      TOKEN_PROGRAM_ID,
    ),
    createAssociatedTokenAccountIdempotentInstruction(
      payer,
      c.crankAshao,
      c.crank,
      accounts.ashaoMint,
      accounts.ashaoTokenProgram,
    ),
    ...plan.setup.filter((ix) => !between(ix)),
    await beginBuybackIx(program, accounts, {
      ...c,
      usdcAmount: args.usdcAmount,
      minAshaoOut: args.minAshaoOut,
    }),
    ...plan.setup.filter(between),
    plan.swap,
    ...plan.cleanup.filter(between),
    await finishBuybackIx(program, accounts, { ...c, priceUpdate: args.priceUpdate }),
    ...plan.cleanup.filter((ix) => !between(ix)),
  ];
}

/** Compiles and signs `instructions`, or reports the size when they do not fit in `maxBytes`. */
export function compileTransaction(
  payer: Keypair,
  instructions: TransactionInstruction[],
  lookupTables: AddressLookupTableAccount[],
  blockhash: string,
  maxBytes: number = MAX_TRANSACTION_BYTES,
): BuiltTransaction {
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: blockhash,
    instructions,
  }).compileToV0Message(lookupTables);
  const accounts =
    message.staticAccountKeys.length +
    message.addressTableLookups.reduce(
      (n, lookup) => n + lookup.writableIndexes.length + lookup.readonlyIndexes.length,
      0,
    );
  const transaction = new VersionedTransaction(message);
  let bytes: number;
  try {
    bytes = transaction.serialize().length;
  } catch {
    // web3.js serialises into a 1232-byte buffer and throws when the message overruns it.
    return { bytes: MAX_TRANSACTION_BYTES + 1, accounts };
  }
  if (bytes > maxBytes) return { bytes, accounts };
  transaction.sign([payer]);
  return { transaction, bytes, accounts };
}

export async function buildBuybackTransaction(
  args: BuybackTransactionArgs,
): Promise<BuiltTransaction> {
  return compileTransaction(
    args.crank,
    await buybackInstructions(args),
    args.lookupTables,
    args.blockhash,
    args.maxBytes,
  );
}

/** Jupiter's lookup tables, fetched. */
export async function fetchLookupTables(
  connection: Connection,
  addresses: PublicKey[],
): Promise<AddressLookupTableAccount[]> {
  const tables = await Promise.all(
    addresses.map((address) =>
      connection.getAddressLookupTable(address, { commitment: "confirmed" }),
    ),
  );
  return tables.flatMap((t, i) => {
    if (!t.value) throw new Error(`address lookup table ${addresses[i].toBase58()} not found`);
    return [t.value];
  });
}
