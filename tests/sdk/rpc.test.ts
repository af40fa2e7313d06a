/**
 * getMultipleAccountsBytes (the API's consistency checks and lookups): the same accounts and
 * slot web3.js reads, without its schema pass; named failures for what it refuses.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  getMultipleAccountsBytes,
  MAX_MULTIPLE_ACCOUNTS,
  RpcTransportError,
  treasuryConfigPda,
} from "../../app/sdk/src";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";
import { newStaker, setupTreasury, TreasuryFixture } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("getMultipleAccountsBytes", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;

  before(async function () {
    this.timeout(60_000);
    t = await setupTreasury(validator.current);
  });

  it("reads what web3.js reads: owners and bytes, none for a missing account", async () => {
    const staker = await newStaker(t, 1_000_000_000n);
    const addresses: PublicKey[] = [
      treasuryConfigPda(t.program.programId).address,
      t.accounts.stakeVault,
      Keypair.generate().publicKey,
      staker.ashaoAccount,
    ];
    const ours = await getMultipleAccountsBytes(
      validator.current.rpcUrl,
      addresses.map((a) => a.toBase58()),
    );
    const theirs = await validator.current.connection.getMultipleAccountsInfoAndContext(
      addresses,
      "confirmed",
    );
    expect(ours.slot).to.be.a("number").and.at.least(1);
    expect(ours.accounts).to.have.length(addresses.length);
    expect(ours.accounts[2]).to.equal(null);
    ours.accounts.forEach((account, i) => {
      const info = theirs.value[i];
      if (info === null) return expect(account).to.equal(null);
      expect(account?.owner).to.equal(info.owner.toBase58());
      expect(account?.data.equals(info.data)).to.equal(true);
    });
    expect(ours.accounts[0]?.owner).to.equal(t.program.programId.toBase58());
  });

  it("refuses more addresses than the method takes, before asking", async () => {
    const many = Array.from({ length: MAX_MULTIPLE_ACCOUNTS + 1 }, () =>
      Keypair.generate().publicKey.toBase58(),
    );
    const err = await getMultipleAccountsBytes("http://127.0.0.1:9", many).catch((e) => e);
    expect(err).to.be.instanceOf(RangeError);
    expect((err as Error).message).to.include("at most 100");
  });

  it("names the node's refusal, and a node that cannot be reached", async () => {
    const refused = await getMultipleAccountsBytes(validator.current.rpcUrl, [
      "not-an-address",
    ]).catch((e: Error) => e);
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).message).to.match(/^getMultipleAccounts: .+ \(-?\d+\)$/);
    // Port 9 (discard) has nothing listening here.
    const unreachable = await getMultipleAccountsBytes("http://127.0.0.1:9", [
      Keypair.generate().publicKey.toBase58(),
    ]).catch((e: Error) => e);
    expect(unreachable).to.be.instanceOf(RpcTransportError);
    expect((unreachable as RpcTransportError).name).to.equal("RpcUnreachable");
  });

  it("asks a node over its quota (429) again, as web3.js does, and names the refusal after five", async function () {
    this.timeout(30_000);
    const proxy = new RpcFaultProxy(validator.current.rpcUrl);
    await proxy.start();
    try {
      const config = treasuryConfigPda(t.program.programId).address.toBase58();
      proxy.failNext("getMultipleAccounts", "rate-limited");
      proxy.failNext("getMultipleAccounts", "rate-limited");
      const read = await getMultipleAccountsBytes(proxy.url, [config]);
      expect(read.accounts[0]?.owner).to.equal(t.program.programId.toBase58());
      expect(proxy.calls.get("getMultipleAccounts")).to.equal(3);
      for (let i = 0; i < 5; i++) proxy.failNext("getMultipleAccounts", "rate-limited");
      const refused = await getMultipleAccountsBytes(proxy.url, [config]).catch((e: Error) => e);
      expect((refused as Error).message).to.match(/^getMultipleAccounts: HTTP 429/);
      expect(proxy.calls.get("getMultipleAccounts")).to.equal(8);
    } finally {
      await proxy.stop();
    }
  });
});
