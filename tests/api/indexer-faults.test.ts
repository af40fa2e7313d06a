/**
 * The indexer on a real cluster's answers, produced in front of the real local validator by the
 * RPC fault proxy (tests/utils/rpc-fault-proxy.ts): a node that does not know the stored cursor
 * and whose history starts after it, another node behind the URL that does not know a `before`
 * it was handed, a confirmed transaction a fork drops, a listing that lags the logs
 * notification, a slot listed in another order than its block, a listed transaction the node
 * has not got, and a transaction whose logs the runtime truncated. Each time the store must end
 * up holding exactly the chain's finalized events, in the block's order, and `/healthz` must say
 * what is going on meanwhile.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  TransactionMessage,
  VersionedTransaction,
  type Keypair,
} from "@solana/web3.js";
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { type ApiServer, startApiServer } from "../../app/server/src";
import { depositRevenueIx, fetchTreasuryOrThrow, sendAndConfirm, stakeIx } from "../../app/sdk/src";
import { fundedWallet, payRevenue } from "../utils/economy";
import { chainTreasuryEvents, depositHistory } from "../utils/history";
import { fundedRevenueSource, sendRaw } from "../utils/raw-send";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

interface Health {
  status: string;
  indexer: {
    lastSignature: string | null;
    caughtUp: boolean;
    gap: { cursor: string | null; message: string } | null;
    unverified: { transactions: number; newest: { signature: string; reason: string }[] };
    lastError: string | null;
  };
  commitments: { figures: string; history: string };
}

describe("indexer: gaps, rollbacks, late listings, order within a slot, truncated logs", function () {
  this.timeout(180_000);
  let economy: LocalEconomy;
  let proxy: RpcFaultProxy;
  const apis: ApiServer[] = [];

  const sqliteFile = () =>
    `sqlite:${join(mkdtempSync(join(tmpdir(), "ashao-faults-")), "events.sqlite")}`;

  /** An API whose HTTP RPC goes through the proxy (not waited for: see `ready`). */
  async function startApi(database = "sqlite::memory:"): Promise<ApiServer> {
    const api = await startApiServer({
      rpcUrl: proxy.url,
      wsUrl: economy.validator.wsUrl,
      database,
      pollEverySecs: 0.2,
    });
    apis.push(api);
    return api;
  }

  const health = async (api: ApiServer) => {
    const response = await fetch(`${api.url}/healthz`);
    return { code: response.status, body: (await response.json()) as Health };
  };

  /** Every treasury event on the chain (finalized), oldest first: signature and event index. */
  const chainEvents = async () =>
    (await chainTreasuryEvents(economy, "finalized")).map((e) => `${e.signature}:${e.index}`);

  const storedEvents = async (api: ApiServer) =>
    (await api.store.eventsSince(Number.MIN_SAFE_INTEGER)).map((e) => `${e.signature}:${e.index}`);

  const slotOf = async (signature: string) =>
    (await economy.validator.connection.getSignatureStatus(signature)).value!.slot;

  /** Waits until the node is past `slot` (so the next transaction lands in a later slot). */
  const pastSlot = (slot: number) =>
    waitFor(`a slot after ${slot}`, async () =>
      (await economy.validator.connection.getSlot("confirmed")) > slot ? true : undefined,
    );

  /** Waits until `api`'s indexer has seen `signature`'s notification and passed over it since. */
  async function passedOver(api: ApiServer, signature: string): Promise<void> {
    const slot = await slotOf(signature);
    await waitFor("the logs notification", () =>
      api.indexer.status.seenSlot >= slot ? true : undefined,
    );
    const passes = api.indexer.status.catchUps;
    await waitFor("a catch-up after it", () =>
      api.indexer.status.catchUps > passes ? true : undefined,
    );
  }

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
  });

  beforeEach(async () => {
    proxy = new RpcFaultProxy(economy.validator.rpcUrl);
    await proxy.start();
  });

  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
    await proxy.stop();
  });

  after(async () => {
    await economy?.stop();
  });

  it("a node whose history starts after the cursor, which it does not know: the gap is reported, the cursor stays, and a node with the history fills it", async () => {
    const database = sqliteFile();
    let api = await startApi(database);
    await api.ready;
    const cursor = api.indexer.status.lastSignature!;
    await api.close();
    // While the API is down: one deposit that only a node with the whole history can show,
    // then the node behind the URL is one whose history starts after it.
    const inGap = await payRevenue(economy, 3n * USDC);
    await pastSlot(await slotOf(inGap));
    proxy.forget(cursor);
    proxy.historyFrom((await slotOf(inGap)) + 1);
    const afterGap = await payRevenue(economy, 5n * USDC);

    api = await startApi(database);
    const reported = await waitFor("the gap in /healthz", async () => {
      const h = await health(api);
      return h.body.indexer.gap ? h : undefined;
    });
    expect(reported.code).to.equal(503);
    expect(reported.body.indexer.gap!.cursor).to.equal(cursor);
    expect(reported.body.indexer.gap!.message).to.match(/does not know the stored cursor/);
    // Refused to advance: neither the deposit after the gap nor the cursor moved.
    const held = await storedEvents(api);
    expect(held.some((e) => e.startsWith(`${afterGap}:`))).to.equal(false);
    expect((await api.store.cursor())?.signature).to.equal(cursor);

    proxy.remember(cursor);
    proxy.historyFrom(undefined);
    await api.ready;
    expect(await storedEvents(api)).to.deep.equal(await chainEvents());
    const healed = await health(api);
    expect(healed.code).to.equal(200);
    expect(healed.body.indexer.gap).to.equal(null);
  });

  it("an empty page for a `before` another node behind the URL does not know: the gap is reported, nothing is stored past it, and it is filled", async () => {
    const database = sqliteFile();
    let api = await startApi(database);
    await api.ready;
    const storedBefore = (await storedEvents(api)).length;
    await api.close();
    await depositHistory(economy, 1_050);
    // The oldest signature of the first page the indexer reads: its next page's `before`.
    const firstPage = await economy.validator.connection.getSignaturesForAddress(
      economy.program.programId,
      { limit: 1_000 },
      "finalized",
    );
    const before = firstPage[999].signature;
    proxy.lackElsewhere(before);

    api = await startApi(database);
    const reported = await waitFor("the gap in /healthz", async () => {
      const h = await health(api);
      return h.body.indexer.gap ? h : undefined;
    });
    expect(reported.code).to.equal(503);
    expect(reported.body.indexer.gap!.message).to.match(/empty page before/);
    expect((await storedEvents(api)).length).to.equal(storedBefore);

    proxy.remember(before);
    await api.ready;
    expect(await storedEvents(api)).to.deep.equal(await chainEvents());
  });

  it("a confirmed transaction a fork drops is never stored: the history holds finalized transactions only", async () => {
    const api = await startApi();
    await api.ready;
    const { connection } = economy.validator;
    const final = await connection.getSlot("confirmed");
    proxy.holdFinality(final);
    await pastSlot(final);
    const dropped = await payRevenue(economy, 7n * USDC);
    await passedOver(api, dropped);
    expect((await storedEvents(api)).some((e) => e.startsWith(`${dropped}:`))).to.equal(false);
    // The fork that held it loses: the node never finalizes it; what follows is indexed.
    proxy.drop(dropped);
    proxy.holdFinality(undefined);
    const kept = await payRevenue(economy, 11n * USDC);
    await waitFor("the next deposit indexed", async () =>
      (await storedEvents(api)).some((e) => e.startsWith(`${kept}:`)) ? true : undefined,
    );
    expect((await storedEvents(api)).some((e) => e.startsWith(`${dropped}:`))).to.equal(false);
    const { body } = await health(api);
    expect(body.commitments).to.deep.include({ figures: "confirmed", history: "finalized" });
    const history = (await (await fetch(`${api.url}/api/treasury/history?range=24h`)).json()) as {
      commitment: string;
    };
    expect(history.commitment).to.equal("finalized");
  });

  it("a listing that lags the logs notification is caught up by the poll, with no further transaction", async () => {
    const api = await startApi();
    await api.ready;
    const { connection } = economy.validator;
    const listed = await connection.getSlot("confirmed");
    proxy.delayListing(listed);
    await pastSlot(listed);
    const late = await payRevenue(economy, 13n * USDC);
    await passedOver(api, late);
    expect((await storedEvents(api)).some((e) => e.startsWith(`${late}:`))).to.equal(false);
    proxy.delayListing(undefined);
    await waitFor("the late deposit indexed by a poll", async () =>
      (await storedEvents(api)).some((e) => e.startsWith(`${late}:`)) ? true : undefined,
    );
  });

  it("a slot listed in another order than its block's is stored in the block's order", async () => {
    const api = await startApi();
    await api.ready;
    proxy.reverseWithinSlots(true);
    const { connection, rpcUrl } = economy.validator;
    const { program, accounts } = economy;
    const stakers: Keypair[] = [
      await fundedWallet(economy, 1_000n * ASHAO),
      await fundedWallet(economy, 1_000n * ASHAO),
      await fundedWallet(economy, 1_000n * ASHAO),
    ];
    // Three stakes sent at once land in one slot (the open block takes them in turn).
    let signatures: string[] = [];
    let slots: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const { blockhash } = await connection.getLatestBlockhash("confirmed");
      const txs = await Promise.all(
        stakers.map(async (staker, i) => {
          const tx = new VersionedTransaction(
            new TransactionMessage({
              payerKey: staker.publicKey,
              recentBlockhash: blockhash,
              instructions: [
                await stakeIx(program, accounts, {
                  owner: staker.publicKey,
                  ownerAshao: getAssociatedTokenAddressSync(
                    accounts.ashaoMint,
                    staker.publicKey,
                    false,
                    accounts.ashaoTokenProgram,
                  ),
                  amount: BigInt(10 + 10 * attempt + i) * ASHAO,
                }),
              ],
            }).compileToV0Message(),
          );
          tx.sign([staker]);
          return tx;
        }),
      );
      const sent = await Promise.all(txs.map((tx) => sendRaw(rpcUrl, tx)));
      signatures = sent.map((outcome) => {
        if (!("signature" in outcome)) throw new Error(`stake refused: ${outcome.refused}`);
        return outcome.signature;
      });
      await waitFor("the stakes confirmed", async () => {
        const { value } = await connection.getSignatureStatuses(signatures);
        return value.every((s) => s !== null) ? true : undefined;
      });
      slots = await Promise.all(signatures.map(slotOf));
      if (new Set(slots).size === 1) break;
    }
    expect(new Set(slots).size, "the stakes share a slot").to.equal(1);
    const rpc = async <T>(url: string, method: string, params: unknown[]) =>
      (
        (await (
          await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
          })
        ).json()) as { result: T }
      ).result;
    const block = await rpc<{ signatures: string[] }>(rpcUrl, "getBlock", [
      slots[0],
      { commitment: "finalized", transactionDetails: "signatures", rewards: false },
    ]);
    const blockOrder = block.signatures.filter((s) => signatures.includes(s));
    const listed = await rpc<{ signature: string }[]>(proxy.url, "getSignaturesForAddress", [
      program.programId.toBase58(),
      { limit: 10, commitment: "finalized" },
    ]);
    const listedOldestFirst = listed
      .map((s) => s.signature)
      .filter((s) => signatures.includes(s))
      .reverse();
    expect(listedOldestFirst, "the node lists the slot out of the block's order").to.not.deep.equal(
      blockOrder,
    );

    await waitFor("the stakes indexed", async () =>
      (await storedEvents(api)).filter((e) => signatures.includes(e.split(":")[0])).length === 3
        ? true
        : undefined,
    );
    const stakes = (await api.store.eventsSince(Number.MIN_SAFE_INTEGER)).filter((e) =>
      signatures.includes(e.signature),
    );
    expect(stakes.map((e) => e.signature)).to.deep.equal(blockOrder);
    // So the history's stake at the end of that second is the last stake's total, as the chain
    // holds it.
    const at = stakes[0].ts;
    const history = (await (
      await fetch(`${api.url}/api/treasury/history?from=${at - 30}&to=${at + 30}&interval=1m`)
    ).json()) as { points: { totalStaked: string }[] };
    const state = await fetchTreasuryOrThrow(program);
    expect(history.points[history.points.length - 1].totalStaked).to.equal(
      state.totalStaked.toString(),
    );
  });

  it("a listed transaction the node has not got: the cursor stays before it until it has", async () => {
    const api = await startApi();
    await api.ready;
    const cursor = api.indexer.status.lastSignature;
    const { connection } = economy.validator;
    // The transaction is the next program transaction: withheld from the moment it lands.
    const listed = await connection.getSlot("confirmed");
    proxy.delayListing(listed);
    await pastSlot(listed);
    const missing = await payRevenue(economy, 17n * USDC);
    proxy.withholdTransaction(missing);
    proxy.delayListing(undefined);
    await waitFor("the pass refused", () =>
      api.indexer.status.lastError?.startsWith("MissingTransaction") ? true : undefined,
    );
    expect((await api.store.cursor())?.signature).to.equal(cursor);
    expect((await storedEvents(api)).some((e) => e.startsWith(`${missing}:`))).to.equal(false);
    proxy.releaseTransaction(missing);
    await waitFor("the transaction indexed", async () =>
      (await storedEvents(api)).some((e) => e.startsWith(`${missing}:`)) ? true : undefined,
    );
    expect(api.indexer.status.lastError).to.equal(null);
  });

  it("a transaction whose logs the runtime truncated is stored as unverified, and the history says so", async () => {
    const api = await startApi();
    await api.ready;
    const { connection } = economy.validator;
    const { program, accounts, authority } = economy;
    const source = await fundedRevenueSource(economy, 1_000n * USDC);
    // Enough deposits in one transaction for their logs to pass the runtime's 10,000 bytes
    // (about 1 KB each; 12 of them and their transfers stay within the instruction trace's 64).
    const deposits = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        depositRevenueIx(program, accounts, {
          payer: authority.publicKey,
          source,
          amount: USDC + BigInt(i),
        }),
      ),
    );
    const signature = await sendAndConfirm(
      connection,
      [ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }), ...deposits],
      { keypairs: [authority] },
    );
    const tx = await connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    expect(tx!.meta!.logMessages, "the logs were truncated").to.include("Log truncated");

    const reported = await waitFor("the transaction reported unverified", async () => {
      const h = await health(api);
      return h.body.indexer.unverified.transactions > 0 ? h.body : undefined;
    });
    expect(reported.indexer.unverified).to.deep.equal({
      transactions: 1,
      newest: [{ signature, slot: tx!.slot, reason: "logTruncated" }],
    });
    // The bucket of its block's time counts it.
    const at = tx!.blockTime!;
    const history = (await (
      await fetch(`${api.url}/api/treasury/history?from=${at - 600}&to=${at + 600}&interval=5m`)
    ).json()) as { unverifiedTransactions: number; points: { unverified: number }[] };
    expect(history.unverifiedTransactions).to.equal(1);
    expect(history.points.reduce((n, p) => n + p.unverified, 0)).to.equal(1);
  });
});
