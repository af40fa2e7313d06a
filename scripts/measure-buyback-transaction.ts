/**
 * Measures (prints; not a test) what `begin_buyback` and `finish_buyback` add to a buyback
 * transaction, and the largest swap route that still fits in 1232 bytes. Offline: the
 * transactions are compiled, not sent. A route is modelled as Jupiter sends one: its accounts in
 * an address lookup table, 64 bytes of instruction data.
 *
 *   npx ts-node --transpile-only scripts/measure-buyback-transaction.ts
 */
import {
  AddressLookupTableAccount,
  Connection,
  Keypair,
  PublicKey,
  TransactionInstruction,
} from "@solana/web3.js";

import { buybackInstructions, compileTransaction, MAX_TRANSACTION_BYTES } from "../app/crank/src";
import { crankAccounts, treasuryAccountsFor, treasuryProgram } from "../app/sdk/src";

const ROUTE_DATA_BYTES = 64;
const JUPITER_PROGRAM_ID = new PublicKey("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4");
/** Solana's limit on the accounts one transaction may lock. */
const MAX_ACCOUNT_LOCKS = 64;

function route(accountCount: number, user: PublicKey) {
  const keys = Array.from({ length: accountCount }, () => Keypair.generate().publicKey);
  const table = new AddressLookupTableAccount({
    key: Keypair.generate().publicKey,
    state: {
      deactivationSlot: BigInt("18446744073709551615"),
      lastExtendedSlot: 0,
      lastExtendedSlotStartIndex: 0,
      addresses: keys,
    },
  });
  const swap = new TransactionInstruction({
    programId: JUPITER_PROGRAM_ID,
    keys: [
      { pubkey: user, isSigner: true, isWritable: false },
      ...keys.map((pubkey) => ({ pubkey, isSigner: false, isWritable: true })),
    ],
    data: Buffer.alloc(ROUTE_DATA_BYTES),
  });
  return { swap, table };
}

async function main() {
  const program = treasuryProgram(new Connection("http://127.0.0.1:1"));
  const accounts = treasuryAccountsFor(program.programId, {
    usdcMint: Keypair.generate().publicKey,
    ashaoMint: Keypair.generate().publicKey,
  });
  const crank = Keypair.generate();
  const c = crankAccounts(crank.publicKey, accounts);
  const blockhash = Keypair.generate().publicKey.toBase58();
  // The feed's account is not in Jupiter's lookup tables: it costs a static key.
  const priceUpdate = Keypair.generate().publicKey;

  const build = async (routeAccounts: number) => {
    const { swap, table } = route(routeAccounts, crank.publicKey);
    const all = await buybackInstructions({
      program,
      accounts,
      crank,
      crankAccounts: c,
      usdcAmount: 1n,
      minAshaoOut: 1n,
      swapProgram: JUPITER_PROGRAM_ID,
      priceUpdate,
      plan: { setup: [], swap, cleanup: [], lookupTables: [] },
      lookupTables: [table],
      computeUnitLimit: 400_000,
      priorityFeeMicroLamports: 1,
      blockhash,
    });
    const withOurs = compileTransaction(crank, all, [table], blockhash, 10_000);
    // Without begin/finish (a plain swap transaction with the same preamble).
    const ours = new Set(all.filter((ix) => ix.programId.equals(program.programId)));
    const without = compileTransaction(
      crank,
      all.filter((ix) => !ours.has(ix)),
      [table],
      blockhash,
      10_000,
    );
    return { withOurs, without };
  };

  const { withOurs, without } = await build(10);
  console.log(
    `begin_buyback + finish_buyback add ${withOurs.bytes - without.bytes} bytes and ` +
      `${withOurs.accounts - without.accounts} accounts (${without.bytes} -> ${withOurs.bytes} bytes ` +
      `for a 10-account route)`,
  );
  let largest = 0;
  for (let n = 1; n <= 256; n++) {
    const { withOurs: tx } = await build(n);
    if (tx.bytes <= MAX_TRANSACTION_BYTES) largest = n;
    else break;
  }
  const { withOurs: atLargest } = await build(largest);
  console.log(
    `largest route that fits ${MAX_TRANSACTION_BYTES} bytes with our two instructions: ` +
      `${largest} accounts in one lookup table, ${ROUTE_DATA_BYTES}-byte route data ` +
      `(${atLargest.bytes} bytes, ${atLargest.accounts} accounts in all)`,
  );
  const fixed = withOurs.accounts - 10;
  console.log(
    `but a transaction locks at most ${MAX_ACCOUNT_LOCKS} accounts: with the ${fixed} accounts the ` +
      `buyback itself names, a route may use ${MAX_ACCOUNT_LOCKS - fixed} (Jupiter's maxAccounts)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
