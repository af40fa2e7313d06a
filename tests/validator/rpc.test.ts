/**
 * The local validator speaks standard Solana JSON-RPC and PubSub, as @solana/web3.js uses them,
 * plus `localnet_advanceClock` and `localnet_setAccount`; it answers bad requests with JSON-RPC
 * errors and keeps serving. The treasury program looks deployed with the upgradeable loader.
 */
import { utils } from "@anchor-lang/core";
import { createTransferInstruction, getAccount, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  AccountInfo,
  Keypair,
  LAMPORTS_PER_SOL,
  Logs,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import { expect } from "chai";
import { spawn } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";

import { advanceClock, setAccount, validatorBinary } from "../../app/localnet/validator";
import { ASHAO_TREASURY_PROGRAM_ID } from "../../app/sdk/src/constants";
import { createUsdcMint, fundedTokenAccount, TestMint, tokenBalance } from "../utils/tokens";
import { useTestValidator } from "../utils/validator";

const bs58 = utils.bytes.bs58;

/** Raw JSON-RPC over fetch, for what web3.js would not send. */
async function rawRpc(url: string, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return (await response.json()) as Record<string, unknown>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no notification in ${ms} ms`)), ms),
    ),
  ]);
}

describe("local validator JSON-RPC and PubSub", () => {
  const validator = useTestValidator();
  let payer: Keypair;
  let usdc: TestMint;

  const conn = () => validator.current.connection;

  async function transferSol(from: Keypair, to: PublicKey, lamports: number): Promise<string> {
    const { blockhash } = await conn().getLatestBlockhash();
    const message = new TransactionMessage({
      payerKey: from.publicKey,
      recentBlockhash: blockhash,
      instructions: [
        SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }),
      ],
    }).compileToV0Message();
    const tx = new VersionedTransaction(message);
    tx.sign([from]);
    const signature = await conn().sendTransaction(tx);
    const latest = await conn().getLatestBlockhash();
    const result = await conn().confirmTransaction({ signature, ...latest }, "confirmed");
    expect(result.value.err).to.equal(null);
    return signature;
  }

  before(async () => {
    payer = await validator.current.fundedKeypair(20 * LAMPORTS_PER_SOL);
    usdc = await createUsdcMint(conn(), payer);
  });

  it("getVersion and getHealth", async () => {
    const version = await conn().getVersion();
    expect(version["solana-core"])
      .to.be.a("string")
      .and.match(/^\d+\.\d+\.\d+/);
    const health = await rawRpc(
      validator.current.rpcUrl,
      JSON.stringify({ jsonrpc: "2.0", id: 7, method: "getHealth" }),
    );
    expect(health).to.deep.include({ jsonrpc: "2.0", id: 7, result: "ok" });
  });

  it("getLatestBlockhash gives a fresh, valid blockhash", async () => {
    const latest = await conn().getLatestBlockhash();
    expect(() => new PublicKey(latest.blockhash)).not.to.throw();
    const height = await conn().getBlockHeight();
    expect(latest.lastValidBlockHeight).to.be.greaterThan(height);
    expect((await conn().isBlockhashValid(latest.blockhash)).value).to.equal(true);
  });

  it("sendTransaction, getSignatureStatuses, getTransaction, getSignaturesForAddress", async () => {
    const recipient = Keypair.generate().publicKey;
    const signature = await transferSol(payer, recipient, 1_234_567);

    expect(await conn().getBalance(recipient)).to.equal(1_234_567);
    const neverSent = bs58.encode(Keypair.generate().secretKey); // 64 bytes, like a signature
    const statuses = await conn().getSignatureStatuses([signature, neverSent]);
    expect(statuses.value[0]?.err).to.equal(null);
    expect(["confirmed", "finalized"]).to.include(statuses.value[0]?.confirmationStatus);
    expect(statuses.value[1]).to.equal(null);

    const tx = await conn().getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    expect(tx).to.not.equal(null);
    expect(tx!.meta!.err).to.equal(null);
    expect(tx!.meta!.fee).to.be.greaterThan(0);
    expect(tx!.meta!.logMessages!.join("\n")).to.include(
      `Program ${SystemProgram.programId.toBase58()} success`,
    );
    const keys = tx!.transaction.message.staticAccountKeys.map((k) => k.toBase58());
    expect(keys).to.include(recipient.toBase58());

    const sigs = await conn().getSignaturesForAddress(recipient);
    expect(sigs.map((s) => s.signature)).to.include(signature);
  });

  it("simulateTransaction reports success with logs, and failure without changing state", async () => {
    const recipient = Keypair.generate().publicKey;
    const { blockhash } = await conn().getLatestBlockhash();
    const build = (lamports: number) => {
      const tx = new VersionedTransaction(
        new TransactionMessage({
          payerKey: payer.publicKey,
          recentBlockhash: blockhash,
          instructions: [
            SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports }),
          ],
        }).compileToV0Message(),
      );
      tx.sign([payer]);
      return tx;
    };
    const ok = await conn().simulateTransaction(build(5_000_000));
    expect(ok.value.err).to.equal(null);
    expect(ok.value.logs!.join("\n")).to.include("success");

    const tooMuch = await conn().simulateTransaction(build(1_000 * LAMPORTS_PER_SOL));
    expect(tooMuch.value.err).to.not.equal(null);
    expect(await conn().getBalance(recipient)).to.equal(0);
  });

  it("getAccountInfo and getMultipleAccounts", async () => {
    const info = await conn().getAccountInfo(payer.publicKey);
    expect(info!.owner.toBase58()).to.equal(SystemProgram.programId.toBase58());
    expect(info!.lamports).to.be.greaterThan(0);
    const mintInfo = await conn().getAccountInfo(usdc.mint);
    expect(mintInfo!.owner.toBase58()).to.equal(TOKEN_PROGRAM_ID.toBase58());
    expect(mintInfo!.data.length).to.equal(82);

    const missing = Keypair.generate().publicKey;
    const many = await conn().getMultipleAccountsInfo([payer.publicKey, missing, usdc.mint]);
    expect(many).to.have.length(3);
    expect(many[0]!.lamports).to.equal(info!.lamports);
    expect(many[1]).to.equal(null);
    expect(many[2]!.data.equals(mintInfo!.data)).to.equal(true);
  });

  it("real SPL token transfers move balances; getTokenAccountBalance agrees", async () => {
    const alice = Keypair.generate();
    const bob = Keypair.generate();
    const aliceUsdc = await fundedTokenAccount(conn(), payer, usdc, alice.publicKey, 10_000_000n);
    const bobUsdc = await fundedTokenAccount(conn(), payer, usdc, bob.publicKey);

    const tx = new Transaction().add(
      createTransferInstruction(aliceUsdc, bobUsdc, alice.publicKey, 2_500_000n),
    );
    tx.feePayer = payer.publicKey;
    await validator.current.connection.sendTransaction(tx, [payer, alice]).then(async (sig) => {
      const latest = await conn().getLatestBlockhash();
      await conn().confirmTransaction({ signature: sig, ...latest }, "confirmed");
    });

    expect(await tokenBalance(conn(), aliceUsdc)).to.equal(7_500_000n);
    expect(await tokenBalance(conn(), bobUsdc)).to.equal(2_500_000n);
    const balance = await conn().getTokenAccountBalance(bobUsdc);
    expect(balance.value.amount).to.equal("2500000");
    expect(balance.value.decimals).to.equal(6);
    expect(balance.value.uiAmount).to.equal(2.5);

    // Overspending fails on chain and moves nothing.
    const overspend = new Transaction().add(
      createTransferInstruction(bobUsdc, aliceUsdc, bob.publicKey, 2_500_001n),
    );
    overspend.feePayer = payer.publicKey;
    let failed = false;
    try {
      await conn().sendTransaction(overspend, [payer, bob]);
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect((await getAccount(conn(), bobUsdc)).amount).to.equal(2_500_000n);
  });

  it("getProgramAccounts with a memcmp filter finds the token accounts of one mint", async () => {
    const other = await createUsdcMint(conn(), payer);
    const owners = [Keypair.generate(), Keypair.generate()];
    const accounts = [];
    for (const owner of owners) {
      accounts.push(await fundedTokenAccount(conn(), payer, other, owner.publicKey, 1n));
    }
    await fundedTokenAccount(conn(), payer, usdc, owners[0].publicKey, 1n);

    const found = await conn().getProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: other.mint.toBase58() } }],
    });
    expect(found.map((a) => a.pubkey.toBase58()).sort()).to.deep.equal(
      accounts.map((a) => a.toBase58()).sort(),
    );
  });

  it("websocket: onAccountChange, onSignature and onLogs notify", async () => {
    const watched = Keypair.generate().publicKey;
    const accountChanged = new Promise<AccountInfo<Buffer>>((resolve) => {
      const id = conn().onAccountChange(
        watched,
        (info) => {
          void conn().removeAccountChangeListener(id);
          resolve(info);
        },
        { commitment: "confirmed" },
      );
    });
    const logged = new Promise<Logs>((resolve) => {
      const id = conn().onLogs(
        watched,
        (logs) => {
          void conn().removeOnLogsListener(id);
          resolve(logs);
        },
        "confirmed",
      );
    });
    // Let both subscriptions reach the server before the transaction.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const { blockhash, lastValidBlockHeight } = await conn().getLatestBlockhash();
    const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight }).add(
      SystemProgram.transfer({
        fromPubkey: payer.publicKey,
        toPubkey: watched,
        lamports: 1_000_000,
      }),
    );
    tx.sign(payer);
    // Subscribe to the signature before sending: it executes as soon as it arrives.
    const signature = bs58.encode(tx.signature!);
    const signed = new Promise<unknown>((resolve) => {
      conn().onSignature(signature, (result) => resolve(result.err), "confirmed");
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await conn().sendRawTransaction(tx.serialize())).to.equal(signature);

    const info = await withTimeout(accountChanged, 10_000, "onAccountChange");
    expect(info.lamports).to.equal(1_000_000);
    expect(await withTimeout(signed, 10_000, "onSignature")).to.equal(null);
    const logs = await withTimeout(logged, 10_000, "onLogs");
    expect(logs.signature).to.equal(signature);
    expect(logs.err).to.equal(null);
    expect(logs.logs.join("\n")).to.include(SystemProgram.programId.toBase58());
  });

  it("answers an unknown method and malformed JSON with JSON-RPC errors, and keeps serving", async () => {
    const url = validator.current.rpcUrl;
    const unknown = await rawRpc(
      url,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "noSuchMethod", params: [] }),
    );
    expect(unknown.id).to.equal(1);
    expect((unknown.error as { code: number }).code).to.equal(-32601);

    const malformed = await rawRpc(url, '{"jsonrpc": "2.0", "id": 2, "method": ');
    expect((malformed.error as { code: number }).code).to.equal(-32700);
    expect(malformed.id).to.equal(null);

    expect(await conn().getSlot()).to.be.a("number");
    const health = await rawRpc(
      url,
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "getHealth" }),
    );
    expect(health.result).to.equal("ok");
  });

  it("a second validator on the same port exits 2 with a clear message", async () => {
    const port = Number(new URL(validator.current.rpcUrl).port);
    const child = spawn(validatorBinary(), ["--rpc-port", String(port)], {
      cwd: join(__dirname, "../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await withTimeout(
      new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c))),
      30_000,
      "second validator exit",
    ).catch((err: Error) => {
      child.kill("SIGKILL");
      throw err;
    });
    expect(code).to.equal(2);
    expect(stderr).to.include(String(port));
    expect(stderr.toLowerCase()).to.match(/in use|taken|bind/);
    // The first one is unaffected.
    expect(await conn().getSlot()).to.be.a("number");
  });

  it("rejects a transaction whose blockhash expired after advanceClock", async () => {
    const { blockhash, lastValidBlockHeight } = await conn().getLatestBlockhash();
    const before = await advanceClock(conn(), 0);
    const after = await advanceClock(conn(), 120);
    expect(after.unixTimestamp - before.unixTimestamp).to.be.at.least(120);
    expect(after.slot - before.slot).to.be.greaterThan(150);
    expect((await conn().isBlockhashValid(blockhash)).value).to.equal(false);
    expect(await conn().getBlockHeight()).to.be.greaterThan(lastValidBlockHeight);

    const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight }).add(
      SystemProgram.transfer({
        fromPubkey: payer.publicKey,
        toPubkey: Keypair.generate().publicKey,
        lamports: 1_000_000,
      }),
    );
    tx.sign(payer);
    let message = "";
    try {
      await conn().sendRawTransaction(tx.serialize());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/blockhash not found/i);
  });

  it("getAccountInfo shows the treasury as an upgradeable program whose authority is the validator's", async () => {
    const loader = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");
    const [programData] = PublicKey.findProgramAddressSync(
      [ASHAO_TREASURY_PROGRAM_ID.toBuffer()],
      loader,
    );
    // bincode `UpgradeableLoaderState`: a u32 variant, then its fields.
    const program = await conn().getAccountInfo(ASHAO_TREASURY_PROGRAM_ID);
    expect(program!.owner.toBase58()).to.equal(loader.toBase58());
    expect(program!.executable).to.equal(true);
    expect(program!.data.length).to.equal(36);
    expect(program!.data.readUInt32LE(0)).to.equal(2); // Program { programdata_address }
    expect(new PublicKey(program!.data.subarray(4, 36)).toBase58()).to.equal(
      programData.toBase58(),
    );

    const header = await conn().getAccountInfo(programData);
    expect(header!.owner.toBase58()).to.equal(loader.toBase58());
    expect(header!.executable).to.equal(false);
    expect(header!.data.readUInt32LE(0)).to.equal(3); // ProgramData { slot, upgrade_authority_address }
    expect(header!.data[12]).to.equal(1); // Some(authority)
    expect(new PublicKey(header!.data.subarray(13, 45)).toBase58()).to.equal(
      validator.current.upgradeAuthority.publicKey.toBase58(),
    );
  });

  it("the upgrade authority holds SOL to pay for initialize", async function () {
    if (process.env.ASHAO_RPC_URL) this.skip();
    const balance = await conn().getBalance(validator.current.upgradeAuthority.publicKey);
    expect(balance).to.equal(100 * LAMPORTS_PER_SOL);
  });

  it("localnet_setAccount writes a data account and notifies its subscribers; programs are refused", async () => {
    const pythReceiver = new PublicKey("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");
    const price = Keypair.generate().publicKey;
    const data = Buffer.from(Array.from({ length: 134 }, (_, i) => i));
    const changed = new Promise<AccountInfo<Buffer>>((resolve) => {
      const id = conn().onAccountChange(
        price,
        (info) => {
          void conn().removeAccountChangeListener(id);
          resolve(info);
        },
        { commitment: "confirmed" },
      );
    });
    // Let the subscription reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const { slot } = await setAccount(conn(), price, {
      lamports: 2_000_000,
      data,
      owner: pythReceiver,
    });
    expect(slot).to.be.a("number");
    const notified = await withTimeout(changed, 10_000, "onAccountChange");
    expect(notified.data.equals(data)).to.equal(true);
    const info = await conn().getAccountInfo(price);
    expect(info!.owner.toBase58()).to.equal(pythReceiver.toBase58());
    expect(info!.lamports).to.equal(2_000_000);
    expect(info!.data.equals(data)).to.equal(true);

    let refusal = "";
    try {
      await setAccount(conn(), ASHAO_TREASURY_PROGRAM_ID, {
        lamports: 1_000_000,
        data: Buffer.alloc(0),
        owner: SystemProgram.programId,
      });
    } catch (err) {
      refusal = (err as Error).message;
    }
    expect(refusal).to.match(/localnet_setAccount failed: .*hosted program ashao_treasury/);
  });

  it("writes the validator's stderr to a log file under artifacts/", function () {
    if (process.env.ASHAO_RPC_URL) this.skip();
    const port = new URL(validator.current.rpcUrl).port;
    const log = readFileSync(join(__dirname, `../../artifacts/validator-${port}.log`), "utf8");
    expect(log).to.be.a("string");
  });
});
