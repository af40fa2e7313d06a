/**
 * claim: pays owed USDC from the rewards vault by a PDA-signed transfer, exactly what the SDK's
 * pendingRewards predicts; its errors.
 */
import { Wallet } from "@anchor-lang/core";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import {
  claim,
  claimIx,
  depositRevenueIx,
  pendingRewards,
  splitRevenue,
  stakeIx,
} from "../../app/sdk/src";
import { tokenBalance } from "../utils/tokens";
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

describe("claim", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let alice: Staker;
  let bob: Staker;
  let payer: Staker;

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
  const claimTo = async (who: Staker, destination = who.usdcAccount) =>
    send(
      t.validator,
      await claimIx(t.program, t.accounts, { owner: who.keypair.publicKey, destination }),
      who.keypair,
    );
  const deposit = async (amount: bigint) =>
    send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: payer.keypair.publicKey,
        source: payer.usdcAccount,
        amount,
      }),
      payer.keypair,
    );

  before(async () => {
    t = await setupTreasury(validator.current); // a one-hour stream
    alice = await newStaker(t, 3_000_000_000n);
    bob = await newStaker(t, 1_000_000_000n);
    payer = await newStaker(t, 0n, 100_000_000n);
    await stakeAs(alice, 3_000_000_000n);
    await stakeAs(bob, 1_000_000_000n);
  });

  it("refuses with nothing owed by name", async () => {
    await expectTreasuryError(claimTo(alice), "NothingToClaim");
  });

  it("pays exactly what pendingRewards predicts from the streamed revenue", async () => {
    await deposit(10_000_001n);
    await advanceClock(t.validator.connection, 900); // a quarter of the stream
    const state = await t.state();
    const position = (await t.position(alice.keypair.publicKey))!;
    const vaultBefore = await tokenBalance(t.validator.connection, t.accounts.rewardsVault);

    const signature = await claimTo(alice);
    const event = await transactionEvent(t, signature, "rewardsClaimed");
    const predicted = pendingRewards(state, position, event.unixTimestamp);
    expect(predicted > 0n).to.equal(true);
    expect(event.amount).to.equal(predicted);
    expect(await tokenBalance(t.validator.connection, alice.usdcAccount)).to.equal(predicted);
    expect(await tokenBalance(t.validator.connection, t.accounts.rewardsVault)).to.equal(
      vaultBefore - predicted,
    );
    const after = (await t.position(alice.keypair.publicKey))!;
    expect(after.owedRewards).to.equal(0n);
    expect(after.totalClaimed).to.equal(predicted);
    expect((await t.state()).totalRewardsClaimed).to.equal(predicted);
  });

  it("after the stream ends, stakers together receive the stakers' half, less rounding", async () => {
    await advanceClock(t.validator.connection, 7_200);
    await claimTo(alice);
    await claim(t.program, new Wallet(bob.keypair));
    const paid =
      (await tokenBalance(t.validator.connection, alice.usdcAccount)) +
      (await tokenBalance(t.validator.connection, bob.usdcAccount));
    const { toStakers } = splitRevenue(10_000_001n);
    expect(paid <= toStakers).to.equal(true);
    expect(toStakers - paid <= 2n).to.equal(true);
    // 3:1 stake ratio.
    const aliceGot = await tokenBalance(t.validator.connection, alice.usdcAccount);
    const bobGot = await tokenBalance(t.validator.connection, bob.usdcAccount);
    expect(aliceGot / 3n - bobGot <= 1n && bobGot - aliceGot / 3n <= 1n).to.equal(true);
    const state = await t.state();
    expect(state.streamRemaining).to.equal(0n);
    expect(state.totalRewardsReleased).to.equal(toStakers);
  });

  it("refuses the rewards vault itself as destination", async () => {
    await deposit(1_000_000n);
    await advanceClock(t.validator.connection, 7_200);
    await expectTreasuryError(
      claimTo(alice, t.accounts.rewardsVault),
      "ConstraintDuplicateMutableAccount",
    );
  });

  it("refuses the buyback vault as destination by name", async () => {
    await expectTreasuryError(claimTo(alice, t.accounts.buybackVault), "InvalidDestination");
  });
});
