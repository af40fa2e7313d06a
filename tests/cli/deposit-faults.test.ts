/**
 * `ashao deposit` behind a faulty link to the real local validator (tests/utils/rpc-fault-proxy):
 * the signature is printed before the wait; a landed deposit the node has no transaction for
 * still reports its figures (from the treasury); a node that goes away right after taking the
 * deposit ends the command "outcome unknown" (exit 3), and so does one that went away before the
 * deposit reached it; a transaction that never reached the node is seen not to land and
 * replaced; and each rerun finds the deposit by its key, or sends the very same transaction
 * again, and pays once.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import type { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import { fetchTreasuryOrThrow } from "../../app/sdk/src";
import { ashao, buildCli, fundedPayer } from "../utils/cli";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";

const USDC = 1_000_000n;

describe("ashao deposit on a faulty link: nothing paid twice", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let proxy: RpcFaultProxy;
  let home: string;
  let payerFile: string;
  let source: PublicKey;

  /** `ashao deposit -k payer …` through the proxy. */
  const deposit = (...args: string[]) =>
    ashao(["deposit", "-u", proxy.url, "-k", payerFile, ...args], {
      HOME: home,
      ASHAO_RPC_URL: "",
    });
  const paid = async () => ({
    revenue: (await fetchTreasuryOrThrow(economy.program)).totalRevenue,
    source: await tokenBalance(economy.validator.connection, source),
  });

  before(async () => {
    buildCli();
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    proxy = new RpcFaultProxy(economy.validator.rpcUrl);
    await proxy.start();
    home = mkdtempSync(join(tmpdir(), "ashao-home-"));
    ({ file: payerFile, source } = await fundedPayer(economy, home, 1_000n * USDC));
  });

  after(async () => {
    await proxy?.stop();
    await economy?.stop();
  });

  it("no transaction from the node after the deposit landed: exit 0, figures from the treasury; the rerun pays nothing, another key pays", async () => {
    const before = await paid();
    proxy.failNext("getTransaction", "null-result");
    const first = await deposit("--amount", "10", "--output", "json");
    expect(first.code, first.stderr).to.equal(0);
    const answer = JSON.parse(first.stdout) as Record<string, string>;
    expect(answer).to.deep.include({
      amount: "10000000",
      toBuyback: "5000000",
      toStakers: "5000000",
      key: "amount-10000000",
      figuresFrom: "accounts",
    });
    expect(first.stderr).to.equal(`sending deposit: signature ${answer.signature}\n`);
    const landed = await paid();
    expect(landed).to.deep.equal({
      revenue: before.revenue + 10n * USDC,
      source: before.source - 10n * USDC,
    });
    expect(answer.totalRevenue).to.equal(landed.revenue.toString());

    const again = await deposit("--amount", "10", "--output", "json");
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout)).to.deep.include({
      alreadyDeposited: true,
      signature: answer.signature,
      key: "amount-10000000",
    });
    expect(await paid()).to.deep.equal(landed);

    const text = await deposit("--amount", "10");
    expect(text.stdout).to.match(
      new RegExp(
        `^already deposited: transaction ${answer.signature} \\(slot \\d+, .*\\) paid key amount-10000000 from ${source.toBase58()}; nothing paid now$`,
        "m",
      ),
    );
    const another = await deposit("--amount", "10", "--key", "invoice-2");
    expect(another.code, another.stderr).to.equal(0);
    expect((await paid()).source).to.equal(landed.source - 10n * USDC);
  });

  it("the node goes away right after taking the deposit: exit 3 naming the signature printed before the wait; the rerun finds it landed and pays nothing", async () => {
    const before = await paid();
    proxy.failNext("sendTransaction", "lose-reply");
    proxy.once("fault", () => (proxy.outage = true));
    let lost;
    try {
      lost = await deposit("--amount", "7", "--rpc-timeout", "2");
    } finally {
      proxy.outage = false;
    }
    expect(lost.code).to.equal(3);
    const [sending, error, end] = lost.stderr.split("\n");
    const signature = /^sending deposit: signature (\w+)$/.exec(sending)?.[1];
    expect(signature, lost.stderr).to.be.a("string");
    expect(error).to.match(
      new RegExp(
        `^error: OutcomeUnknown: the RPC node at ${proxy.url}/ stopped answering after the deposit transaction ${signature} was sent; it may still land until block height \\d+ \\(about a minute\\)\\. Run the same command again: it sends this same transaction again, or finds it landed, and pays nothing twice\\.$`,
      ),
    );
    expect(end).to.equal("");
    // It landed before the node went away.
    const landed = await paid();
    expect(landed.revenue).to.equal(before.revenue + 7n * USDC);

    const rerun = await deposit("--amount", "7", "--output", "json");
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(JSON.parse(rerun.stdout)).to.deep.include({ alreadyDeposited: true, signature });
    expect(await paid()).to.deep.equal(landed);
  });

  it("a deposit sent as the node went away, before it reached it: exit 3; the rerun sends that very transaction, which lands once", async () => {
    const before = await paid();
    proxy.failNext("sendTransaction", "drop");
    proxy.once("fault", () => (proxy.outage = true));
    let lost;
    try {
      lost = await deposit("--amount", "5", "--rpc-timeout", "2");
    } finally {
      proxy.outage = false;
    }
    expect(lost.code, lost.stderr).to.equal(3);
    const signature = /^sending deposit: signature (\w+)$/m.exec(lost.stderr)?.[1];
    expect(await paid()).to.deep.equal(before);

    // Not on chain, so the key is not found there: the journal keeps the signed bytes.
    const rerun = await deposit("--amount", "5", "--output", "json");
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(rerun.stderr).to.equal(`sending the earlier deposit: signature ${signature}\n`);
    expect(JSON.parse(rerun.stdout)).to.deep.include({ alreadyDeposited: true, signature });
    expect(await paid()).to.deep.equal({
      revenue: before.revenue + 5n * USDC,
      source: before.source - 5n * USDC,
    });
    const third = await deposit("--amount", "5", "--output", "json");
    expect(JSON.parse(third.stdout)).to.deep.include({ alreadyDeposited: true, signature });
    expect((await paid()).source).to.equal(before.source - 5n * USDC);
  });

  it("a deposit that never reached the node: seen not to land once its blockhash expired, replaced, paid once", async () => {
    const before = await paid();
    // Every send (and resend) is lost until the clock has moved past the blockhash.
    for (let i = 0; i < 1_000; i++) proxy.failNext("sendTransaction", "drop");
    proxy.once("fault", () => {
      void advanceClock(economy.validator.connection, 120).then(() =>
        proxy.clearFaults("sendTransaction"),
      );
    });
    const result = await deposit("--amount", "3", "--output", "json");
    expect(result.code, result.stderr).to.equal(0);
    const sent = [...result.stderr.matchAll(/^sending deposit: signature (\w+)$/gm)].map(
      (m) => m[1],
    );
    expect(sent).to.have.length(2);
    expect(sent[0]).to.not.equal(sent[1]);
    expect(JSON.parse(result.stdout)).to.deep.include({ signature: sent[1] });
    expect(await paid()).to.deep.equal({
      revenue: before.revenue + 3n * USDC,
      source: before.source - 3n * USDC,
    });
  });
});
