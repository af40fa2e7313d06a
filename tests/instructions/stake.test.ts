/** stake: creates the position on first use, moves real $ASHAO, emits Staked; its errors. */
import { Wallet } from "@anchor-lang/core";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  boostBpsFor,
  fetchWorkerBoost,
  onTreasuryEvents,
  stake,
  stakeIx,
  stakePositionPda,
  TreasuryEvent,
} from "../../app/sdk/src";
import { tokenBalance } from "../utils/tokens";
import {
  advanceClockTo,
  expectTreasuryError,
  newStaker,
  send,
  setupTreasury,
  Staker,
  transactionEvent,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("stake", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let alice: Staker;

  const stakeAs = async (who: Staker, amount: bigint) =>
    send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: who.keypair.publicKey,
        ownerAshao: who.ashaoAccount,
        amount,
      }),
      who.keypair,
    );

  before(async () => {
    t = await setupTreasury(validator.current);
    alice = await newStaker(t, 50_000_000_000n);
  });

  it("creates the position, moves $ASHAO into the vault and emits Staked", async () => {
    const received: TreasuryEvent[] = [];
    const unsubscribe = onTreasuryEvents(t.program, (event) => received.push(event));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const signature = await stakeAs(alice, 2_000_000_000n);
    const conn = t.validator.connection;
    expect(await tokenBalance(conn, t.accounts.stakeVault)).to.equal(2_000_000_000n);
    expect(await tokenBalance(conn, alice.ashaoAccount)).to.equal(48_000_000_000n);

    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.address.equals(stakePositionPda(alice.keypair.publicKey).address)).to.equal(
      true,
    );
    expect(position.owner.equals(alice.keypair.publicKey)).to.equal(true);
    expect(position.staked).to.equal(2_000_000_000n);
    expect(position.unstaking).to.equal(0n);
    const state = await t.state();
    expect(state.totalStaked).to.equal(2_000_000_000n);
    expect(state.stakerCount).to.equal(1);

    const event = await transactionEvent(t, signature, "staked");
    expect(event.owner.equals(alice.keypair.publicKey)).to.equal(true);
    expect(event.amount).to.equal(2_000_000_000n);
    expect(event.positionStaked).to.equal(2_000_000_000n);
    expect(event.totalStaked).to.equal(2_000_000_000n);
    expect(event.stakerCount).to.equal(1);

    for (let i = 0; i < 50 && received.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await unsubscribe();
    expect(received.map((e) => e.name)).to.deep.equal(["staked"]);
  });

  it("adds to an existing position without counting the staker twice", async () => {
    await stakeAs(alice, 9_000_000_000n);
    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.staked).to.equal(11_000_000_000n);
    const state = await t.state();
    expect(state.totalStaked).to.equal(11_000_000_000n);
    expect(state.stakerCount).to.equal(1);
    expect(boostBpsFor(state.boostTiers, position.staked)).to.equal(1_500);
    // Just staked: the boost waits out the warm-up (one cooldown), then the top tier applies.
    const boost = await fetchWorkerBoost(t.program, alice.keypair.publicKey);
    expect(boost.boostBps).to.equal(0);
    expect(boost.warming).to.equal(11_000_000_000n);
    expect(boost.boostBpsOnceWarm).to.equal(1_500);
    expect(boost.warmupEndsAt).to.equal(position.boostWarmupEndsAt);
    await advanceClockTo(t.validator.connection, position.boostWarmupEndsAt);
    const warm = await fetchWorkerBoost(t.program, alice.keypair.publicKey);
    expect(warm.boostBps).to.equal(1_500);
    expect(warm.warming).to.equal(0n);
    expect(warm.nextTier).to.equal(null);
  });

  it("stakes through the SDK action with a wallet-adapter style wallet", async () => {
    const bob = await newStaker(t, 3_000_000_000n);
    const wallet = new Wallet(bob.keypair);
    await stake(t.program, wallet, 1_000_000_000n);
    expect((await t.position(bob.keypair.publicKey))!.staked).to.equal(1_000_000_000n);
    expect(await tokenBalance(t.validator.connection, bob.ashaoAccount)).to.equal(2_000_000_000n);
    expect((await t.state()).stakerCount).to.equal(2);
    const boost = await fetchWorkerBoost(t.program, bob.keypair.publicKey);
    expect(boost.boostBpsOnceWarm).to.equal(500);
    await advanceClockTo(t.validator.connection, boost.warmupEndsAt!);
    const warm = await fetchWorkerBoost(t.program, bob.keypair.publicKey);
    expect(warm.boostBps).to.equal(500);
    expect(warm.stakeToNextTier).to.equal(9_000_000_000n);
  });

  it("refuses a zero amount by name", async () => {
    await expectTreasuryError(stakeAs(alice, 0n), "ZeroAmount");
  });

  it("refuses a USDC account as the $ASHAO source by Anchor's constraint name", async () => {
    const ix = await stakeIx(t.program, t.accounts, {
      owner: alice.keypair.publicKey,
      ownerAshao: alice.usdcAccount,
      amount: 1n,
    });
    await expectTreasuryError(send(t.validator, ix, alice.keypair), "ConstraintTokenMint");
  });

  it("refuses staking more than the wallet holds (u64::MAX too) with InsufficientBalance, moving nothing", async () => {
    const carol = await newStaker(t, 10n);
    const before = await tokenBalance(t.validator.connection, t.accounts.stakeVault);
    const configBefore = (await t.validator.connection.getAccountInfo(t.accounts.config))!.data;
    for (const amount of [11n, (1n << 64n) - 1n]) {
      await expectTreasuryError(stakeAs(carol, amount), "InsufficientBalance");
    }
    expect(await tokenBalance(t.validator.connection, t.accounts.stakeVault)).to.equal(before);
    expect(await tokenBalance(t.validator.connection, carol.ashaoAccount)).to.equal(10n);
    expect(await t.position(carol.keypair.publicKey)).to.equal(null);
    const configAfter = (await t.validator.connection.getAccountInfo(t.accounts.config))!.data;
    expect(configAfter.equals(configBefore)).to.equal(true);
  });

  it("refuses a position signed by someone else (the owner must sign)", async () => {
    const mallory = Keypair.generate();
    const ix = await stakeIx(t.program, t.accounts, {
      owner: alice.keypair.publicKey,
      ownerAshao: alice.ashaoAccount,
      amount: 1n,
    });
    let message = "";
    try {
      await send(t.validator, ix, mallory);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/signature|signer/i);
  });
});
