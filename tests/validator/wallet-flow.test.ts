/**
 * What a wallet does, end to end, against the local validator with `@solana/kit`: airdrop, a mint
 * and token accounts, a lookup table created by the standard recipe (`recentSlot` from
 * `getSlot()`), a v0 transaction through it simulated for its balance changes, sent and followed
 * to confirmation, then read back parsed, with the account's activity and its memo.
 */
import {
  address,
  airdropFactory,
  appendTransactionMessageInstructions,
  assertIsSendableTransaction,
  assertIsTransactionWithBlockhashLifetime,
  compressTransactionMessageUsingAddressLookupTables,
  createKeyPairSignerFromBytes,
  createTransactionMessage,
  fetchAddressesForLookupTables,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  lamports,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import { createUsdcMint, fundedTokenAccount, USDC_DECIMALS } from "../utils/tokens";
import { useTestValidator } from "../utils/validator";
import { kitClients, memo, MEMO_PROGRAM, transferChecked } from "./helpers";

describe("a wallet's flow on the local validator (@solana/kit)", () => {
  const validator = useTestValidator();

  it("airdrop, mint, token accounts, a v0 transfer through a lookup table: simulated, sent, followed, read back", async () => {
    const conn = validator.current.connection;
    const kit = kitClients(validator.current.rpcUrl, validator.current.wsUrl);
    const owner = Keypair.generate();
    const wallet = await createKeyPairSignerFromBytes(owner.secretKey);

    // Airdrop, confirmed through kit's signature subscription.
    await airdropFactory({ rpc: kit.rpc, rpcSubscriptions: kit.subscriptions })({
      recipientAddress: wallet.address,
      lamports: lamports(10n * BigInt(LAMPORTS_PER_SOL)),
      commitment: "confirmed",
    });
    expect((await kit.rpc.getBalance(wallet.address).send()).value).to.equal(
      10n * BigInt(LAMPORTS_PER_SOL),
    );

    // A mint and two token accounts; the wallet holds 100 tokens.
    const usdc = await createUsdcMint(conn, owner);
    const friend = Keypair.generate().publicKey;
    const source = await fundedTokenAccount(conn, owner, usdc, owner.publicKey, 100_000_000n);
    const destination = await fundedTokenAccount(conn, owner, usdc, friend);
    const held = await kit.rpc
      .getTokenAccountsByOwner(
        wallet.address,
        { mint: address(usdc.mint.toBase58()) },
        { encoding: "jsonParsed" },
      )
      .send();
    expect(held.value.map((a) => a.pubkey)).to.deep.equal([source.toBase58()]);
    expect(held.value[0].account.data.parsed.info.tokenAmount.amount).to.equal("100000000");

    // The standard lookup-table recipe, as web3.js documents it.
    const recentSlot = await conn.getSlot();
    const [create, table] = AddressLookupTableProgram.createLookupTable({
      authority: owner.publicKey,
      payer: owner.publicKey,
      recentSlot,
    });
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: table,
      authority: owner.publicKey,
      payer: owner.publicKey,
      addresses: [destination, usdc.mint, TOKEN_PROGRAM_ID, new PublicKey(MEMO_PROGRAM)],
    });
    const { blockhash } = await conn.getLatestBlockhash();
    const setup = new VersionedTransaction(
      new TransactionMessage({
        payerKey: owner.publicKey,
        recentBlockhash: blockhash,
        instructions: [create, extend],
      }).compileToV0Message(),
    );
    setup.sign([owner]);
    const setupSignature = await conn.sendTransaction(setup);
    expect((await conn.getSignatureStatus(setupSignature)).value?.err).to.equal(null);
    // Addresses added to a table are usable from the next slot on.
    await advanceClock(conn, 1);

    // A v0 transfer with a memo, compressed through the table as kit reads it from the chain.
    const tableAddress = address(table.toBase58());
    const addressesByTable = await fetchAddressesForLookupTables([tableAddress], kit.rpc);
    expect(addressesByTable[tableAddress]).to.have.length(4);
    const { value: latest } = await kit.rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(wallet, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
      (m) =>
        appendTransactionMessageInstructions(
          [
            transferChecked(
              address(source.toBase58()),
              address(usdc.mint.toBase58()),
              address(destination.toBase58()),
              wallet.address,
              2_500_000n,
              USDC_DECIMALS,
            ),
            memo("lunch", wallet.address),
          ],
          m,
        ),
      (m) => compressTransactionMessageUsingAddressLookupTables(m, addressesByTable),
    );
    const transaction = await signTransactionMessageWithSigners(message);
    assertIsSendableTransaction(transaction);
    assertIsTransactionWithBlockhashLifetime(transaction);
    const wire = getBase64EncodedWireTransaction(transaction);
    const signature = getSignatureFromTransaction(transaction);

    // Simulated first, as a wallet shows what will change.
    const simulated = await kit.rpc
      .simulateTransaction(wire, {
        encoding: "base64",
        sigVerify: true,
        accounts: {
          addresses: [address(source.toBase58()), address(destination.toBase58())],
          encoding: "jsonParsed",
        },
      })
      .send();
    const sim = simulated.value;
    expect(sim.err).to.equal(null);
    expect(sim.fee).to.equal(5000n);
    expect(sim.preBalances![0] - sim.postBalances![0]).to.equal(5000n);
    const byOwner = (
      balances: readonly { owner?: string; uiTokenAmount: { amount: string } }[] | null | undefined,
      who: PublicKey,
    ) => balances!.find((b) => b.owner === who.toBase58())!.uiTokenAmount.amount;
    expect(byOwner(sim.preTokenBalances, owner.publicKey)).to.equal("100000000");
    expect(byOwner(sim.postTokenBalances, owner.publicKey)).to.equal("97500000");
    expect(byOwner(sim.preTokenBalances, friend)).to.equal("0");
    expect(byOwner(sim.postTokenBalances, friend)).to.equal("2500000");
    const after = sim.accounts!.map((a) => {
      const data = a!.data as { parsed: { info: { tokenAmount: { amount: string } } } };
      return data.parsed.info.tokenAmount.amount;
    });
    expect(after).to.deep.equal(["97500000", "2500000"]);
    expect(sim.loadedAddresses!.writable).to.deep.equal([destination.toBase58()]);
    // Simulation changed nothing.
    expect(
      (await kit.rpc.getTokenAccountBalance(address(destination.toBase58())).send()).value,
    ).to.deep.include({ amount: "0" });

    // Sent, and followed to confirmation through the signature subscription.
    await sendAndConfirmTransactionFactory({
      rpc: kit.rpc,
      rpcSubscriptions: kit.subscriptions,
    })(transaction, { commitment: "confirmed" });
    expect(
      (await kit.rpc.getTokenAccountBalance(address(destination.toBase58())).send()).value.amount,
    ).to.equal("2500000");

    // Read back parsed: the table lookup, the parsed transfer and memo, the token balances.
    const landed = await kit.rpc
      .getTransaction(signature, { encoding: "jsonParsed", maxSupportedTransactionVersion: 0 })
      .send();
    expect(landed!.version).to.equal(0);
    expect(landed!.meta!.err).to.equal(null);
    const raw = await kit.rpc
      .getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0 })
      .send();
    const rawMessage = raw!.transaction.message;
    expect(
      "addressTableLookups" in rawMessage && rawMessage.addressTableLookups![0].accountKey,
    ).to.equal(tableAddress);
    expect(raw!.meta!.loadedAddresses.writable).to.deep.equal([destination.toBase58()]);
    const keys = landed!.transaction.message.accountKeys;
    expect(keys.find((k) => k.pubkey === destination.toBase58())).to.deep.include({
      source: "lookupTable",
      writable: true,
    });
    const [transfer, note] = landed!.transaction.message.instructions as unknown as {
      program: string;
      parsed: unknown;
    }[];
    expect(transfer.program).to.equal("spl-token");
    expect(transfer.parsed).to.deep.include({ type: "transferChecked" });
    expect(note).to.deep.include({ program: "spl-memo", parsed: "lunch" });
    expect(byOwner(landed!.meta!.postTokenBalances, friend)).to.equal("2500000");

    // The wallet's activity, with the memo, and the friend's token account's.
    const activity = await kit.rpc.getSignaturesForAddress(wallet.address, { limit: 1 }).send();
    expect(activity[0]).to.deep.include({ signature, memo: "[5] lunch", err: null });
    expect(activity[0].confirmationStatus).to.equal("finalized");
    const received = await conn.getSignaturesForAddress(destination);
    expect(received.map((s) => s.signature)).to.include(signature);
    const parsed = await conn.getParsedTransaction(signature, {
      maxSupportedTransactionVersion: 0,
    });
    expect(parsed!.meta!.logMessages).to.include.members([
      "Program log: Memo (len 5)",
      `Program log: ${owner.publicKey.toBase58()}`,
    ]);
  });
});
