/**
 * Where the crank puts Jupiter's setup and cleanup instructions around the buyback's two halves
 * (offline: the transaction is assembled, not sent). Between `begin_buyback` and `finish_buyback`
 * the program allows only the swap program, associated-token creates and compute budget; any
 * other setup must run before `begin_buyback`, any other cleanup after `finish_buyback`.
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createCloseAccountInstruction,
  createSyncNativeInstruction,
  getAssociatedTokenAddressSync,
  NATIVE_MINT,
} from "@solana/spl-token";
import {
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  TransactionInstruction,
} from "@solana/web3.js";
import { expect } from "chai";

import { buybackInstructions } from "../../app/crank/src";
import {
  crankAccounts,
  isAllowedBetweenBuyback,
  treasuryAccountsFor,
  treasuryProgram,
} from "../../app/sdk/src";

describe("crank: the buyback transaction's instruction order", () => {
  const program = treasuryProgram(new Connection("http://127.0.0.1:1"));
  const accounts = treasuryAccountsFor(program.programId, {
    usdcMint: Keypair.generate().publicKey,
    ashaoMint: Keypair.generate().publicKey,
  });
  const crank = Keypair.generate();
  const c = crankAccounts(crank.publicKey, accounts);
  const swapProgram = new PublicKey("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4");
  const priceUpdate = Keypair.generate().publicKey;
  const wsol = getAssociatedTokenAddressSync(NATIVE_MINT, crank.publicKey);

  const createAta = createAssociatedTokenAccountIdempotentInstruction(
    crank.publicKey,
    wsol,
    crank.publicKey,
    NATIVE_MINT,
  );
  const wrap = SystemProgram.transfer({ fromPubkey: crank.publicKey, toPubkey: wsol, lamports: 1 });
  const syncNative = createSyncNativeInstruction(wsol);
  const swap = new TransactionInstruction({
    programId: swapProgram,
    keys: [],
    data: Buffer.alloc(8),
  });
  const unwrap = createCloseAccountInstruction(wsol, crank.publicKey, crank.publicKey);

  it("moves setup the program refuses before begin_buyback and such cleanup after finish_buyback", async () => {
    const ixs = await buybackInstructions({
      program,
      accounts,
      crank,
      crankAccounts: c,
      usdcAmount: 1n,
      minAshaoOut: 1n,
      swapProgram,
      priceUpdate,
      plan: {
        setup: [createAta, wrap, syncNative],
        swap,
        cleanup: [unwrap],
        lookupTables: [],
      },
      lookupTables: [],
      computeUnitLimit: 400_000,
      priorityFeeMicroLamports: 1,
      blockhash: Keypair.generate().publicKey.toBase58(),
    });
    const ours = ixs.flatMap((ix, i) => (ix.programId.equals(program.programId) ? [i] : []));
    expect(ours).to.have.length(2);
    const [begin, finish] = ours;
    const before = ixs.slice(0, begin);
    const between = ixs.slice(begin + 1, finish);
    const after = ixs.slice(finish + 1);

    // After the crank's compute budget and its own two account creates.
    expect(before.slice(4)).to.deep.equal([wrap, syncNative]);
    expect(between).to.deep.equal([createAta, swap]);
    expect(after).to.deep.equal([unwrap]);
    expect(between.every((ix) => isAllowedBetweenBuyback(ix, swapProgram))).to.equal(true);
    // finish_buyback names the oracle's account last.
    const finishKeys = ixs[finish].keys;
    expect(finishKeys[finishKeys.length - 1].pubkey.equals(priceUpdate)).to.equal(true);
  });
});
