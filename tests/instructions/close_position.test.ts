/** close_position: only an empty position closes, its rent goes back to the owner. */
import { Wallet } from "@anchor-lang/core";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import {
  claimIx,
  closePosition,
  closePositionIx,
  depositRevenueIx,
  requestUnstakeIx,
  stakeIx,
  stakePositionPda,
  withdrawIx,
} from "../../app/sdk/src";
import {
  expectTreasuryError,
  newStaker,
  send,
  setupTreasury,
  Staker,
  transactionEvent,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("close_position", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let alice: Staker;

  const close = async (who: Staker) =>
    send(
      t.validator,
      await closePositionIx(t.program, t.accounts, { owner: who.keypair.publicKey }),
      who.keypair,
    );

  before(async () => {
    t = await setupTreasury(validator.current);
    alice = await newStaker(t, 2_000_000_000n, 10_000_000n);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: alice.keypair.publicKey,
        ownerAshao: alice.ashaoAccount,
        amount: 2_000_000_000n,
      }),
      alice.keypair,
    );
    await send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: alice.keypair.publicKey,
        source: alice.usdcAccount,
        amount: 1_000_000n,
      }),
      alice.keypair,
    );
    // The one-hour stream releases the deposit's stakers' half to Alice, the only staker.
    await advanceClock(t.validator.connection, 3_600);
  });

  it("refuses while staked, unstaking, or owed rewards remain, by name", async () => {
    await expectTreasuryError(close(alice), "PositionNotEmpty");
    const owner = alice.keypair.publicKey;
    await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, { owner, amount: 2_000_000_000n }),
      alice.keypair,
    );
    await expectTreasuryError(close(alice), "PositionNotEmpty");
    await advanceClock(t.validator.connection, 3_600);
    await send(
      t.validator,
      await withdrawIx(t.program, t.accounts, { owner, destination: alice.ashaoAccount }),
      alice.keypair,
    );
    const position = (await t.position(owner))!;
    expect(position.staked + position.unstaking).to.equal(0n);
    expect(position.owedRewards).to.equal(500_000n);
    await expectTreasuryError(close(alice), "PositionNotEmpty");
  });

  it("closes an empty position and returns its rent; the staker was counted out when its stake left", async () => {
    const owner = alice.keypair.publicKey;
    await send(
      t.validator,
      await claimIx(t.program, t.accounts, { owner, destination: alice.usdcAccount }),
      alice.keypair,
    );
    const address = stakePositionPda(owner).address;
    const conn = t.validator.connection;
    const rent = (await conn.getAccountInfo(address))!.lamports;
    const before = await conn.getBalance(owner);
    const stakersBefore = (await t.state()).stakerCount;

    const signature = await close(alice);
    expect(await conn.getAccountInfo(address)).to.equal(null);
    const fee = (await conn.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    }))!.meta!.fee;
    expect(await conn.getBalance(owner)).to.equal(before + rent - fee);
    // staker_count counts positions with earning stake; this one left it at request_unstake.
    expect((await t.state()).stakerCount).to.equal(stakersBefore);
    const event = await transactionEvent(t, signature, "positionClosed");
    expect(event.position.equals(address)).to.equal(true);
    expect(event.stakerCount).to.equal(stakersBefore);
  });

  it("a closed position can be opened again by staking, and closed through the SDK action", async () => {
    const bob = await newStaker(t, 5n);
    const owner = bob.keypair.publicKey;
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, { owner, ownerAshao: bob.ashaoAccount, amount: 5n }),
      bob.keypair,
    );
    await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, { owner, amount: 5n }),
      bob.keypair,
    );
    await advanceClock(t.validator.connection, 3_600);
    await send(
      t.validator,
      await withdrawIx(t.program, t.accounts, { owner, destination: bob.ashaoAccount }),
      bob.keypair,
    );
    await closePosition(t.program, new Wallet(bob.keypair));
    expect(await t.position(owner)).to.equal(null);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, { owner, ownerAshao: bob.ashaoAccount, amount: 5n }),
      bob.keypair,
    );
    expect((await t.position(owner))!.staked).to.equal(5n);
  });
});
