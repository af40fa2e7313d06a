/**
 * The local validator answers as agave does, driven by `@solana/kit` (a client the project does
 * not otherwise use) as well as web3.js: every row of local-validator/README.md's method table is
 * checked against the server, each method the table marks supported or differing is checked for
 * agave's shape, limits and error codes, and malformed requests get JSON-RPC errors.
 */
import {
  address,
  appendTransactionMessageInstructions,
  Base64EncodedWireTransaction,
  compileTransactionMessage,
  createKeyPairSignerFromBytes,
  createTransactionMessage,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  getCompiledTransactionMessageEncoder,
  getSignatureFromTransaction,
  isSolanaError,
  KeyPairSigner,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  SOLANA_ERROR__JSON_RPC__INVALID_PARAMS,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_BLOCK_NOT_AVAILABLE,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_MIN_CONTEXT_SLOT_NOT_REACHED,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_NO_SNAPSHOT,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SLOT_SKIPPED,
  Instruction,
  TransactionMessageBytesBase64,
} from "@solana/kit";
import {
  Keypair,
  LAMPORTS_PER_SOL,
  NONCE_ACCOUNT_LENGTH,
  NonceAccount,
  PublicKey,
  SystemProgram,
  Transaction,
} from "@solana/web3.js";
import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";

import {
  advanceClock,
  setAccount,
  setAccounts,
  startValidator,
} from "../../app/localnet/validator";
import { airdrop, useTestValidator } from "../utils/validator";
import {
  kitClients,
  KitClients,
  memo,
  postRaw,
  pubSubSession,
  rawCall,
  rawPubSubCall,
  setComputeUnitLimit,
  setComputeUnitPrice,
  SYSTEM_PROGRAM,
  transferSol,
} from "./helpers";

const README = join(__dirname, "../../local-validator/README.md");
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;

interface TableRow {
  method: string;
  status: "supported" | "differs" | "not supported" | "local only";
}

/** The rows of the README tables whose first column header is `header`. */
function readmeTable(header: string): TableRow[] {
  const lines = readFileSync(README, "utf8").split("\n");
  const start = lines.findIndex((line) => line.startsWith(`| ${header} |`));
  expect(start, `README table "${header}"`).to.be.greaterThan(-1);
  const rows: TableRow[] = [];
  for (const line of lines.slice(start + 2)) {
    const match = /^\| `(\w+)` \| (supported|differs|not supported|local only) \|/.exec(line);
    if (!match) break;
    rows.push({ method: match[1], status: match[2] as TableRow["status"] });
  }
  return rows;
}

/** What a kit call threw, for assertions on agave's error codes. */
async function kitError(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("local validator conformance with agave (@solana/kit and web3.js)", () => {
  const validator = useTestValidator();
  let kit: KitClients;
  let payer: Keypair;
  let payerSigner: KeyPairSigner;

  const url = () => validator.current.rpcUrl;
  const conn = () => validator.current.connection;

  /** Signs a v0 kit message paid by `payerSigner`; its message, wire form and signature. */
  async function signedKit(instructions: Instruction[]) {
    const { value: latest } = await kit.rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payerSigner, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const transaction = await signTransactionMessageWithSigners(message);
    return {
      message,
      wire: getBase64EncodedWireTransaction(transaction) as Base64EncodedWireTransaction,
      signature: getSignatureFromTransaction(transaction),
    };
  }

  /** Sends through kit and waits for the signature's status through kit. */
  async function sendKit(instructions: Instruction[]) {
    const signed = await signedKit(instructions);
    await kit.rpc.sendTransaction(signed.wire, { encoding: "base64" }).send();
    const { value } = await kit.rpc.getSignatureStatuses([signed.signature]).send();
    expect(value[0]?.err).to.equal(null);
    return signed;
  }

  before(async () => {
    kit = kitClients(validator.current.rpcUrl, validator.current.wsUrl);
    payer = await validator.current.fundedKeypair(50 * LAMPORTS_PER_SOL);
    payerSigner = await createKeyPairSignerFromBytes(payer.secretKey);
  });

  it("every row of the README's method tables holds: not supported is -32601, the rest are served", async () => {
    const http = readmeTable("Method");
    const pubsub = readmeTable("PubSub method");
    expect(http.length).to.be.greaterThan(60);
    expect(pubsub.length).to.equal(15);
    for (const row of http) {
      const response = await rawCall(url(), row.method);
      const notFound = response.error?.code === METHOD_NOT_FOUND;
      expect(notFound, `${row.method} is ${row.status}: ${JSON.stringify(response)}`).to.equal(
        row.status === "not supported",
      );
    }
    for (const row of pubsub) {
      const params = row.method.endsWith("Unsubscribe") ? [0] : [];
      const response = await rawPubSubCall(validator.current.wsUrl, row.method, params);
      const notFound = response.error?.code === METHOD_NOT_FOUND;
      expect(notFound, `${row.method} is ${row.status}: ${JSON.stringify(response)}`).to.equal(
        row.status === "not supported",
      );
    }
    // The table names every method of agave's JSON-RPC API that clients call.
    const methods = new Set(http.map((row) => row.method));
    for (const method of [
      "getSupply",
      "getInflationReward",
      "getInflationGovernor",
      "getInflationRate",
      "getVoteAccounts",
      "getStakeMinimumDelegation",
      "getRecentPerformanceSamples",
      "getBlocks",
      "getBlocksWithLimit",
      "getTokenAccountsByDelegate",
      "getLargestAccounts",
      "getLeaderSchedule",
      "getSlotLeader",
      "getSlotLeaders",
      "getBlockCommitment",
      "getBlockProduction",
      "getHighestSnapshotSlot",
    ]) {
      expect(methods, method).to.include(method);
    }
  });

  it("GET /health answers 200 ok, as readiness probes expect", async () => {
    const response = await fetch(`${url()}/health`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal("ok");
    expect((await rawCall(url(), "getHealth")).result).to.equal("ok");
  });

  it("malformed requests get JSON-RPC errors and the server keeps serving", async () => {
    expect((await postRaw(url(), "{not json")).error?.code).to.equal(-32700);
    expect((await postRaw(url(), JSON.stringify({ jsonrpc: "2.0", id: 1 }))).error?.code).to.equal(
      -32600,
    );
    const wrongType = await rawCall(url(), "getBalance", [42]);
    expect(wrongType.error?.code).to.equal(INVALID_PARAMS);
    const badKey = await rawCall(url(), "getAccountInfo", ["not-a-pubkey"]);
    expect(badKey.error?.code).to.equal(INVALID_PARAMS);
    const badSignature = await rawCall(url(), "getTransaction", ["xyz"]);
    expect(badSignature.error?.code).to.equal(INVALID_PARAMS);
    const tooMany = await rawCall(url(), "getMultipleAccounts", [
      Array.from({ length: 101 }, () => Keypair.generate().publicKey.toBase58()),
    ]);
    expect(tooMany.error).to.deep.include({ code: INVALID_PARAMS });
    const badMessage = await rawCall(url(), "getFeeForMessage", ["AAAA"]);
    expect(badMessage.error?.code).to.equal(INVALID_PARAMS);
    const batch = (await postRaw(
      url(),
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "getSlot" },
        { jsonrpc: "2.0", id: 2, method: "noSuchMethod" },
      ]),
    )) as unknown as { id: number; result?: unknown; error?: { code: number } }[];
    expect(batch.find((r) => r.id === 1)?.result).to.be.a("number");
    expect(batch.find((r) => r.id === 2)?.error?.code).to.equal(METHOD_NOT_FOUND);
    expect(await kit.rpc.getHealth().send()).to.equal("ok");
  });

  it("limits and errors are agave's, by code", async () => {
    const slot = await kit.rpc.getSlot().send();
    const limits: [string, unknown[], string][] = [
      ["getSlotLeaders", [Number(slot), 5001], "Invalid limit; max 5000"],
      ["getRecentPerformanceSamples", [721], "Invalid limit; max 720"],
      ["getBlocks", [0, 600_000], "Slot range too large; max 500000"],
      ["getBlocksWithLimit", [0, 500_001], "Limit too large; max 500000"],
      [
        "getBlockProduction",
        [{ range: { firstSlot: Number(slot), lastSlot: Number(slot) - 1 } }],
        `lastSlot, ${Number(slot) - 1}, cannot be less than firstSlot, ${slot}`,
      ],
      [
        "getBlock",
        [Number(slot), { commitment: "processed" }],
        "Method does not support commitment below `confirmed`",
      ],
      ["getSignatureStatuses", [Array.from({ length: 257 }, () => "1")], "Too many inputs"],
    ];
    for (const [method, params, message] of limits) {
      const response = await rawCall(url(), method, params);
      expect(response.error?.code, method).to.equal(INVALID_PARAMS);
      expect(response.error?.message, method).to.include(message);
    }

    const future = await kitError(kit.rpc.getSlot({ minContextSlot: slot + 1_000_000n }).send());
    expect(
      isSolanaError(future, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_MIN_CONTEXT_SLOT_NOT_REACHED),
    ).to.equal(true);
    const raw = await rawCall(url(), "getSlot", [{ minContextSlot: Number(slot) + 1_000_000 }]);
    expect(raw.error?.code).to.equal(-32016);
    expect((raw.error?.data as { contextSlot: number }).contextSlot).to.be.at.least(Number(slot));
    expect((await kit.rpc.getSlot({ minContextSlot: slot }).send()) >= slot).to.equal(true);

    const snapshot = await kitError(kit.rpc.getHighestSnapshotSlot().send());
    expect(isSolanaError(snapshot, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_NO_SNAPSHOT)).to.equal(
      true,
    );
    const notYet = await kitError(kit.rpc.getBlock(slot + 1_000_000n).send());
    expect(
      isSolanaError(notYet, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_BLOCK_NOT_AVAILABLE),
    ).to.equal(true);
    const badVoteKey = await rawCall(url(), "getVoteAccounts", [{ votePubkey: "not-a-pubkey" }]);
    expect(badVoteKey.error?.code).to.equal(INVALID_PARAMS);
    const badFilter = await kitError(
      kit.rpc
        .getProgramAccounts(payerSigner.address, {
          filters: [
            { dataSize: 1n },
            { dataSize: 2n },
            { dataSize: 3n },
            { dataSize: 4n },
            { dataSize: 5n },
          ],
        })
        .send(),
    );
    expect(isSolanaError(badFilter, SOLANA_ERROR__JSON_RPC__INVALID_PARAMS)).to.equal(true);
  });

  it("cluster methods answer in agave's shapes: one node, its identity leading every slot", async () => {
    const identity = (await kit.rpc.getIdentity().send()).identity;
    const slot = await kit.rpc.getSlot().send();
    const epochInfo = await kit.rpc.getEpochInfo().send();

    const supply = await kit.rpc.getSupply().send();
    expect(supply.value.total).to.equal(supply.value.circulating);
    expect(supply.value.nonCirculating).to.equal(0n);
    expect(supply.value.nonCirculatingAccounts).to.deep.equal([]);
    const largest = await kit.rpc.getLargestAccounts().send();
    expect(largest.value).to.have.length(20);
    const lamports = largest.value.map((a) => a.lamports);
    expect([...lamports].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).to.deep.equal(lamports);
    expect(lamports[0] <= supply.value.total).to.equal(true);
    const nonCirculating = await kit.rpc.getLargestAccounts({ filter: "nonCirculating" }).send();
    expect(nonCirculating.value).to.deep.equal([]);

    const governor = await kit.rpc.getInflationGovernor().send();
    expect(governor).to.deep.equal({
      initial: 0.08,
      terminal: 0.015,
      taper: 0.15,
      foundation: 0.05,
      foundationTerm: 7,
    });
    const rate = await kit.rpc.getInflationRate().send();
    expect(rate.epoch).to.equal(epochInfo.epoch);
    expect(rate.total).to.be.closeTo(rate.validator + rate.foundation, 1e-12);

    const votes = await kit.rpc.getVoteAccounts().send();
    expect(votes.delinquent).to.deep.equal([]);
    expect(votes.current).to.have.length(1);
    expect(votes.current[0].nodePubkey).to.equal(identity);
    expect(votes.current[0].epochVoteAccount).to.equal(true);
    const filtered = await kit.rpc
      .getVoteAccounts({ votePubkey: address(Keypair.generate().publicKey.toBase58()) })
      .send();
    expect(filtered.current).to.deep.equal([]);
    const stake = await kit.rpc.getBlockCommitment(slot).send();
    expect(stake.totalStake).to.equal(votes.current[0].activatedStake);
    expect(stake.commitment).to.have.length(32);
    expect(stake.commitment![31]).to.equal(stake.totalStake);
    const unknown = await kit.rpc.getBlockCommitment(slot + 1_000_000n).send();
    expect(unknown.commitment).to.equal(null);

    const minimum = await kit.rpc.getStakeMinimumDelegation().send();
    expect(minimum.value > 0n).to.equal(true);
    expect(BigInt((await conn().getStakeMinimumDelegation()).value)).to.equal(minimum.value);

    expect(await kit.rpc.getSlotLeader().send()).to.equal(identity);
    expect(await kit.rpc.getSlotLeaders(slot, 3).send()).to.deep.equal([
      identity,
      identity,
      identity,
    ]);
    const schedule = await kit.rpc.getLeaderSchedule(null, { identity }).send();
    expect(Object.keys(schedule!)).to.deep.equal([identity]);
    expect(BigInt(schedule![identity]!.length)).to.equal(epochInfo.slotsInEpoch);
    const someoneElse = await kit.rpc
      .getLeaderSchedule(null, { identity: address(Keypair.generate().publicKey.toBase58()) })
      .send();
    expect(someoneElse).to.deep.equal({});
    const farFuture = await kit.rpc.getLeaderSchedule(slot + 100n * epochInfo.slotsInEpoch).send();
    expect(farFuture).to.equal(null);

    const production = await kit.rpc.getBlockProduction().send();
    const [leaderSlots, produced] = production.value.byIdentity[identity];
    const { firstSlot, lastSlot } = production.value.range;
    expect(leaderSlots).to.equal(lastSlot! - firstSlot + 1n);
    expect(produced > 0n && produced <= leaderSlots).to.equal(true);
    const blocks = await kit.rpc.getBlocks(firstSlot, slot).send();
    expect(BigInt(blocks.length) <= produced).to.equal(true);
    expect(blocks).to.deep.equal([...blocks].sort((a, b) => (a < b ? -1 : 1)));
    // Within the range already read: later slots may have produced blocks since.
    const limit = Math.min(2, blocks.length);
    const limited = await kit.rpc.getBlocksWithLimit(blocks[0], limit).send();
    expect(limited).to.deep.equal(blocks.slice(0, limit));

    const nodes = await kit.rpc.getClusterNodes().send();
    expect(nodes).to.have.length(1);
    expect(nodes[0].pubkey).to.equal(identity);
    expect(`ws://${nodes[0].pubsub}`).to.equal(validator.current.wsUrl);
    expect(`http://${nodes[0].rpc}`).to.equal(url());
    expect((await kit.rpc.getMaxRetransmitSlot().send()) >= slot).to.equal(true);
    expect((await kit.rpc.getMaxShredInsertSlot().send()) >= slot).to.equal(true);
  });

  it("getFeeForMessage quotes the priority fee that sending then charges", async () => {
    const recipient = address(Keypair.generate().publicKey.toBase58());
    const instructions = [
      setComputeUnitLimit(200_000),
      setComputeUnitPrice(1_000_000n), // 1 lamport per unit
      transferSol(payerSigner.address, recipient, 1_000_000n),
    ];
    const signed = await signedKit(instructions);
    const messageBytes = getCompiledTransactionMessageEncoder().encode(
      compileTransactionMessage(signed.message),
    );
    const base64 = getBase64Decoder().decode(messageBytes) as TransactionMessageBytesBase64;
    const quote = await kit.rpc.getFeeForMessage(base64).send();
    expect(quote.value).to.equal(205_000n);

    await kit.rpc.sendTransaction(signed.wire, { encoding: "base64" }).send();
    const landed = await kit.rpc
      .getTransaction(signed.signature, { encoding: "json", maxSupportedTransactionVersion: 0 })
      .send();
    expect(landed!.meta!.fee).to.equal(205_000n);
    // agave's cost model: a signature (720), two write locks (600), data, units consumed.
    expect(landed!.meta!.costUnits! > 1320n + landed!.meta!.computeUnitsConsumed!).to.equal(true);
  });

  it("getSignaturesForAddress lists memos; an unknown `before` gives nothing", async () => {
    const first = await sendKit([memo("first note", payerSigner.address)]);
    const second = await sendKit([memo("second; note", payerSigner.address)]);
    const listed = await kit.rpc.getSignaturesForAddress(payerSigner.address, { limit: 2 }).send();
    expect(listed.map((s) => s.signature)).to.deep.equal([second.signature, first.signature]);
    expect(listed.map((s) => s.memo)).to.deep.equal(["[12] second; note", "[10] first note"]);
    const older = await kit.rpc
      .getSignaturesForAddress(payerSigner.address, { before: second.signature, limit: 1 })
      .send();
    expect(older.map((s) => s.signature)).to.deep.equal([first.signature]);
    // Signed, never sent: no node has seen it.
    const neverSeen = (await signedKit([memo("never sent", payerSigner.address)])).signature;
    const none = await kit.rpc
      .getSignaturesForAddress(payerSigner.address, { before: neverSeen })
      .send();
    expect(none).to.deep.equal([]);
    const web3 = await conn().getSignaturesForAddress(payer.publicKey, { limit: 1 });
    expect(web3[0].memo).to.equal("[12] second; note");
  });

  it("getBlock serves every transactionDetails level in agave's shape", async () => {
    const sent = await sendKit([memo("in a block", payerSigner.address)]);
    const status = await kit.rpc.getSignatureStatuses([sent.signature]).send();
    const slot = status.value[0]!.slot;
    const full = await kit.rpc
      .getBlock(slot, { maxSupportedTransactionVersion: 0, transactionDetails: "full" })
      .send();
    const signatures = await kit.rpc
      .getBlock(slot, { maxSupportedTransactionVersion: 0, transactionDetails: "signatures" })
      .send();
    const accounts = await kit.rpc
      .getBlock(slot, { maxSupportedTransactionVersion: 0, transactionDetails: "accounts" })
      .send();
    const none = await kit.rpc
      .getBlock(slot, { maxSupportedTransactionVersion: 0, transactionDetails: "none" })
      .send();
    expect(signatures!.signatures).to.include(sent.signature);
    expect(full!.transactions).to.have.length(signatures!.signatures.length);
    expect(accounts!.transactions).to.have.length(signatures!.signatures.length);
    const index = signatures!.signatures.indexOf(sent.signature);
    const entry = accounts!.transactions[index];
    expect(entry.transaction.signatures).to.deep.equal([sent.signature]);
    expect(entry.transaction.accountKeys[0]).to.deep.include({
      pubkey: payerSigner.address,
      signer: true,
      writable: true,
    });
    expect(entry.meta!.fee).to.equal(5000n);
    expect(none).to.not.have.property("transactions");
    expect(none).to.not.have.property("signatures");
    expect(none!.blockhash).to.equal(full!.blockhash);
  });

  it("signatureSubscribe with enableReceivedNotification sends receivedSignature, then the outcome", async () => {
    const signed = await signedKit([memo("watched", payerSigner.address)]);
    const abort = new AbortController();
    const notifications = await kit.subscriptions
      .signatureNotifications(signed.signature, {
        commitment: "confirmed",
        enableReceivedNotification: true,
      })
      .subscribe({ abortSignal: abort.signal });
    // Iterate before sending: kit's iterator only yields what arrives while it is consumed.
    const collected = (async () => {
      const seen: unknown[] = [];
      for await (const notification of notifications) {
        seen.push(notification.value);
        if (seen.length === 2) break;
      }
      return seen;
    })();
    await kit.rpc.sendTransaction(signed.wire, { encoding: "base64" }).send();
    const seen = await collected;
    abort.abort();
    expect(seen).to.deep.equal(["receivedSignature", { err: null }]);
  });

  it("unsubscribing an id that is not subscribed is agave's error", async () => {
    for (const method of [
      "accountUnsubscribe",
      "programUnsubscribe",
      "signatureUnsubscribe",
      "logsUnsubscribe",
      "slotUnsubscribe",
      "rootUnsubscribe",
    ]) {
      const response = await rawPubSubCall(validator.current.wsUrl, method, [987_654]);
      expect(response.error, method).to.deep.equal({
        code: INVALID_PARAMS,
        message: "Invalid subscription id.",
      });
    }
    // A live subscription still unsubscribes with `true`.
    const slots = await rawPubSubCall(validator.current.wsUrl, "slotSubscribe", []);
    expect(slots.result).to.be.a("number");
  });

  it("durable-nonce transactions (web3.js) validate long after signing and advance the nonce", async () => {
    const nonce = Keypair.generate();
    const authority = Keypair.generate();
    const rent = await conn().getMinimumBalanceForRentExemption(NONCE_ACCOUNT_LENGTH);
    const create = new Transaction().add(
      ...SystemProgram.createNonceAccount({
        fromPubkey: payer.publicKey,
        noncePubkey: nonce.publicKey,
        authorizedPubkey: authority.publicKey,
        lamports: rent,
      }).instructions,
    );
    await conn().sendTransaction(create, [payer, nonce]);
    const readNonce = async () =>
      NonceAccount.fromAccountData((await conn().getAccountInfo(nonce.publicKey))!.data).nonce;
    const stored = await readNonce();

    // Signed now (offline), sent after every recent blockhash has expired.
    const recipient = Keypair.generate().publicKey;
    const offline = (lamports: number) => {
      const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: stored }).add(
        SystemProgram.nonceAdvance({
          noncePubkey: nonce.publicKey,
          authorizedPubkey: authority.publicKey,
        }),
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports }),
      );
      tx.sign(payer, authority);
      return tx.serialize();
    };
    const signed = offline(1_234_567);
    const later = offline(7_654_321);
    await advanceClock(conn(), 120);
    expect((await conn().isBlockhashValid(stored)).value).to.equal(false);

    const signature = await conn().sendRawTransaction(signed);
    const status = await conn().getSignatureStatus(signature);
    expect(status.value?.err).to.equal(null);
    expect(await conn().getBalance(recipient)).to.equal(1_234_567);
    const advanced = await readNonce();
    expect(advanced).to.not.equal(stored);

    // The spent nonce refuses another transaction signed with it, by name.
    let refused: unknown;
    try {
      await conn().sendRawTransaction(later);
    } catch (err) {
      refused = err;
    }
    expect(String(refused)).to.include("Blockhash not found");
    expect(await conn().getBalance(recipient)).to.equal(1_234_567);
  });

  it("getProgramAccounts answers what a program owns after every kind of write (seeded, created and assigned by a transaction, airdropped to, rewritten, moved, closed), filtered by memcmp in base58 and base64 and by dataSize", async () => {
    const program = Keypair.generate().publicKey;
    const other = Keypair.generate().publicKey;
    const account = (tag: number, owner = program, lamports = 2_000_000) => ({
      lamports,
      data: Buffer.alloc(40, tag),
      owner,
    });
    const seeded = Array.from({ length: 6 }, () => Keypair.generate().publicKey);
    await setAccounts(
      conn(),
      seeded.map((pubkey, i) => ({ pubkey, account: account(i % 2) })),
    );
    // Past the first 64 bytes (which the validator's index keeps beside each account).
    const long = { ...account(0), data: Buffer.alloc(100) };
    long.data[80] = 9;
    await setAccount(conn(), seeded[4], long);
    const created = Keypair.generate();
    const assigned = await validator.current.fundedKeypair(LAMPORTS_PER_SOL);
    await conn().sendTransaction(
      new Transaction().add(
        SystemProgram.createAccount({
          fromPubkey: payer.publicKey,
          newAccountPubkey: created.publicKey,
          lamports: 3_000_000,
          space: 40,
          programId: program,
        }),
        SystemProgram.assign({ accountPubkey: assigned.publicKey, programId: program }),
      ),
      [payer, created, assigned],
    );
    await airdrop(conn(), seeded[0], 5);
    await setAccount(conn(), seeded[1], account(0));
    await setAccount(conn(), seeded[2], account(2, other));
    await setAccount(conn(), seeded[3], account(1, program, 0));

    const owned = async (owner: PublicKey, filters: object[] = []) => {
      const config = { encoding: "base64", filters };
      const { result } = await rawCall(url(), "getProgramAccounts", [owner.toBase58(), config]);
      return (result as { pubkey: string; account: { lamports: number; data: [string] } }[]).map(
        ({ pubkey, account }) => ({
          pubkey,
          lamports: account.lamports,
          data: Buffer.from(account.data[0], "base64"),
        }),
      );
    };
    const names = (accounts: { pubkey: string }[]) => accounts.map((a) => a.pubkey).sort();
    const all = await owned(program);
    expect(names(all)).to.deep.equal(
      names(
        [seeded[0], seeded[1], seeded[4], seeded[5], created.publicKey, assigned.publicKey].map(
          (key) => ({ pubkey: key.toBase58() }),
        ),
      ),
    );
    for (const held of all) {
      const info = await conn().getAccountInfo(new PublicKey(held.pubkey));
      expect(held.lamports, held.pubkey).to.equal(info?.lamports);
      expect(held.data.equals(info!.data), held.pubkey).to.equal(true);
    }
    expect(all.find((a) => a.pubkey === seeded[0].toBase58())?.lamports).to.equal(2_000_005);
    const ones = [{ memcmp: { offset: 0, bytes: "2" } }];
    expect(names(await owned(program, ones))).to.deep.equal([seeded[5].toBase58()]);
    const zeros = [{ memcmp: { offset: 0, bytes: "AA==", encoding: "base64" } }];
    expect(names(await owned(program, zeros))).to.deep.equal(
      names(
        [seeded[0], seeded[1], seeded[4], created.publicKey].map((k) => ({ pubkey: k.toBase58() })),
      ),
    );
    expect(names(await owned(program, [{ dataSize: 0 }]))).to.deep.equal([
      assigned.publicKey.toBase58(),
    ]);
    const tail = [{ memcmp: { offset: 80, bytes: "A" } }, { dataSize: 100 }];
    expect(names(await owned(program, tail))).to.deep.equal([seeded[4].toBase58()]);
    const straddling = [{ memcmp: { offset: 60, bytes: "11111" } }];
    expect(names(await owned(program, straddling))).to.deep.equal([seeded[4].toBase58()]);
    expect(names(await owned(other))).to.deep.equal([seeded[2].toBase58()]);
  });

  it("getInflationReward: the previous epoch answers null for every address, as an agave node with the whole history; an epoch not over yet is -32004", async () => {
    const addresses = [payerSigner.address];
    // The chain begins in the middle of an epoch: the epoch before it paid nothing.
    expect(await kit.rpc.getInflationReward(addresses).send()).to.deep.equal([null]);
    const { epoch, slotsInEpoch } = await kit.rpc.getEpochInfo().send();
    const current = await rawCall(url(), "getInflationReward", [
      addresses,
      { epoch: Number(epoch) },
    ]);
    expect(current.error?.code).to.equal(-32004);
    // Into the next epoch: its first block holds the previous epoch's rewards (none here).
    await advanceClock(conn(), Math.ceil((Number(slotsInEpoch) * 400) / 1000) + 60);
    expect(await kit.rpc.getInflationReward(addresses, { epoch }).send()).to.deep.equal([null]);
    const samples = await kit.rpc.getRecentPerformanceSamples(2).send();
    expect(samples).to.have.length(2);
    expect(Number(samples[0].samplePeriodSecs)).to.equal(60);
    expect(BigInt(samples[0].numSlots)).to.equal(150n);
    expect(samples[0].slot > samples[1].slot).to.equal(true);
  });

  it("base58 account data over 128 bytes is agave's -32600, counting only the bytes a dataSlice takes", async () => {
    const slotHashes = "SysvarS1otHashes111111111111111111111111111";
    const base64 = await rawCall(url(), "getAccountInfo", [slotHashes, { encoding: "base64" }]);
    const length = Buffer.from(
      (base64.result as { value: { data: [string, string] } }).value.data[0],
      "base64",
    ).length;
    expect(length).to.be.greaterThan(128);
    for (const method of ["getAccountInfo", "getMultipleAccounts"]) {
      const key = method === "getAccountInfo" ? slotHashes : [slotHashes];
      const whole = await rawCall(url(), method, [key, { encoding: "base58" }]);
      expect(whole.error, method).to.deep.equal({
        code: -32600,
        message:
          "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
      });
      // 200 bytes asked from 10 before the end: 10 bytes taken, served.
      const tail = await rawCall(url(), method, [
        key,
        { encoding: "base58", dataSlice: { offset: length - 10, length: 200 } },
      ]);
      expect(tail.error, method).to.equal(undefined);
    }
  });

  it("getRecentPrioritizationFees takes at most 128 addresses, as agave", async () => {
    const addresses = (n: number) =>
      Array.from({ length: n }, () => Keypair.generate().publicKey.toBase58());
    const most = await rawCall(url(), "getRecentPrioritizationFees", [addresses(128)]);
    expect(most.result).to.be.an("array");
    const over = await rawCall(url(), "getRecentPrioritizationFees", [addresses(129)]);
    expect(over.error).to.deep.equal({
      code: INVALID_PARAMS,
      message: "Too many inputs provided; max 128",
    });
  });

  it("an unsubscribe sent the moment its subscribe is answered always finds the subscription", async () => {
    const session = await pubSubSession(validator.current.wsUrl);
    try {
      const kinds: [string, string, unknown[]][] = [
        ["slotSubscribe", "slotUnsubscribe", []],
        ["logsSubscribe", "logsUnsubscribe", ["all"]],
        ["accountSubscribe", "accountUnsubscribe", [payerSigner.address]],
        ["programSubscribe", "programUnsubscribe", [SYSTEM_PROGRAM]],
        ["rootSubscribe", "rootUnsubscribe", []],
      ];
      const refused: string[] = [];
      for (let round = 0; round < 100; round++) {
        for (const [subscribe, unsubscribe, params] of kinds) {
          const { result: id } = await session.call(subscribe, params);
          const answer = await session.call(unsubscribe, [id]);
          if (answer.result !== true) refused.push(`${unsubscribe}: ${JSON.stringify(answer)}`);
        }
      }
      expect(refused).to.deep.equal([]);
    } finally {
      session.close();
    }
  });

  it("signatureUnsubscribe after the one-shot notification answers true, as agave; once more, the error", async () => {
    const sent = await sendKit([memo("one shot", payerSigner.address)]);
    const session = await pubSubSession(validator.current.wsUrl);
    try {
      const notified = session.notification("signatureNotification");
      const { result: id } = await session.call("signatureSubscribe", [
        sent.signature,
        { commitment: "confirmed" },
      ]);
      expect(await notified).to.deep.include({ subscription: id });
      expect((await session.call("signatureUnsubscribe", [id])).result).to.equal(true);
      expect((await session.call("signatureUnsubscribe", [id])).error).to.deep.equal({
        code: INVALID_PARAMS,
        message: "Invalid subscription id.",
      });
    } finally {
      session.close();
    }
  });

  it("a slot the clock skipped is -32007; the clock moves a decade at once and refuses past a century by name", async () => {
    const before = await kit.rpc.getSlot().send();
    const tenYears = 10 * 365 * 24 * 3600;
    const started = Date.now();
    const moved = await advanceClock(conn(), tenYears);
    expect(Date.now() - started).to.be.below(5_000);
    expect(BigInt(moved.slot) - before).to.equal(BigInt((tenYears * 1000) / 400));
    expect(await kit.rpc.getHealth().send()).to.equal("ok");
    // Fresh blockhashes are valid right after the move: transactions land.
    await sendKit([memo("ten years on", payerSigner.address)]);
    const skipped = await kitError(kit.rpc.getBlock(BigInt(moved.slot) - 10n).send());
    expect(isSolanaError(skipped, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SLOT_SKIPPED)).to.equal(
      true,
    );

    const tooFar = await rawCall(url(), "localnet_advanceClock", [{ seconds: 3_155_760_001 }]);
    expect(tooFar.error?.code).to.equal(INVALID_PARAMS);
    expect(tooFar.error?.data).to.deep.include({
      name: "ClockAdvanceTooLarge",
      maxSeconds: 3_155_760_000,
    });
    // The refused call moved nothing: only the slot clock's own ticks since.
    const now = await kit.rpc.getSlot().send();
    expect(now - BigInt(moved.slot) < 1_000n).to.equal(true);
  });

  it("SIGTERM stops a validator right after it moved its clock a century", async () => {
    const other = await startValidator();
    let stopped = false;
    try {
      await advanceClock(other.connection, 3_155_760_000);
      expect(await other.connection.getSlot()).to.be.greaterThan(7_000_000_000);
      const started = Date.now();
      await other.stop();
      stopped = true;
      expect(Date.now() - started).to.be.below(10_000);
    } finally {
      if (!stopped) await other.stop();
    }
  });
});
