/**
 * withdraw: every unstake request whose cooldown has passed leaves the vault by a PDA-signed
 * transfer, whatever was requested after it; the others keep cooling down. Its errors,
 * including a treasury vault as destination.
 */
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import { fetchChainTime, requestUnstakeIx, stakeIx, withdraw, withdrawIx } from "../../app/sdk/src";
import { Wallet } from "@anchor-lang/core";
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

describe("withdraw", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let alice: Staker;

  const withdrawTo = async (who: Staker, destination = who.ashaoAccount) =>
    send(
      t.validator,
      await withdrawIx(t.program, t.accounts, { owner: who.keypair.publicKey, destination }),
      who.keypair,
    );
  const stakeAndRequest = async (who: Staker, amount: bigint, unstake: bigint) => {
    await send(
      t.validator,
      [
        await stakeIx(t.program, t.accounts, {
          owner: who.keypair.publicKey,
          ownerAshao: who.ashaoAccount,
          amount,
        }),
        ...(unstake > 0n
          ? [
              await requestUnstakeIx(t.program, t.accounts, {
                owner: who.keypair.publicKey,
                amount: unstake,
              }),
            ]
          : []),
      ],
      who.keypair,
    );
  };

  before(async () => {
    t = await setupTreasury(validator.current); // cooldown 3_600 s
    alice = await newStaker(t, 10_000_000_000n);
  });

  it("refuses with nothing unstaking by name", async () => {
    await stakeAndRequest(alice, 6_000_000_000n, 0n);
    await expectTreasuryError(withdrawTo(alice), "NothingToWithdraw");
  });

  it("refuses before the cooldown has elapsed by name", async () => {
    await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, {
        owner: alice.keypair.publicKey,
        amount: 2_500_000_000n,
      }),
      alice.keypair,
    );
    await advanceClock(t.validator.connection, 3_000);
    await expectTreasuryError(withdrawTo(alice), "CooldownNotElapsed");
  });

  it("refuses the stake vault itself as destination (Anchor's duplicate-account check)", async () => {
    await advanceClock(t.validator.connection, 700);
    await expectTreasuryError(
      withdrawTo(alice, t.accounts.stakeVault),
      "ConstraintDuplicateMutableAccount",
    );
  });

  it("returns all unstaking $ASHAO once the cooldown has passed (PDA-signed CPI)", async () => {
    const conn = t.validator.connection;
    const vaultBefore = await tokenBalance(conn, t.accounts.stakeVault);
    const signature = await withdrawTo(alice);
    expect(await tokenBalance(conn, t.accounts.stakeVault)).to.equal(vaultBefore - 2_500_000_000n);
    expect(await tokenBalance(conn, alice.ashaoAccount)).to.equal(6_500_000_000n);
    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.unstaking).to.equal(0n);
    expect(position.staked).to.equal(3_500_000_000n);
    const state = await t.state();
    expect(state.totalUnstaking).to.equal(0n);
    expect(state.totalStaked).to.equal(3_500_000_000n);
    const event = await transactionEvent(t, signature, "withdrawn");
    expect(event.amount).to.equal(2_500_000_000n);
    expect(event.totalStaked).to.equal(3_500_000_000n);
    await expectTreasuryError(withdrawTo(alice), "NothingToWithdraw");
  });

  it("a later request never delays an earlier one: the matured request leaves, the other keeps its own cooldown", async () => {
    const conn = t.validator.connection;
    const carol = await newStaker(t, 10_000_000_000n);
    // 10% today, another 10% half a cooldown later.
    await stakeAndRequest(carol, 10_000_000_000n, 1_000_000_000n);
    await advanceClock(conn, 1_800);
    const second = await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, {
        owner: carol.keypair.publicKey,
        amount: 1_000_000_000n,
      }),
      carol.keypair,
    );
    const [first, later] = (await t.position(carol.keypair.publicKey))!.unstakeTickets;
    expect(later.availableAt).to.equal(
      (await transactionEvent(t, second, "unstakeRequested")).availableAt,
    );
    // At the first request's maturity only it is withdrawable, and it does not wait for the
    // second.
    await advanceClockTo(conn, first.availableAt);
    const signature = await withdrawTo(carol);
    const event = await transactionEvent(t, signature, "withdrawn");
    expect(event.amount).to.equal(1_000_000_000n);
    expect(event.positionUnstaking).to.equal(1_000_000_000n);
    expect(event.positionTickets).to.deep.equal([later]);
    expect(await tokenBalance(conn, carol.ashaoAccount)).to.equal(1_000_000_000n);
    const position = (await t.position(carol.keypair.publicKey))!;
    expect(position.unstakeTickets).to.deep.equal([later]);
    // The second is still cooling down (half a cooldown to go): refused by name.
    expect((await fetchChainTime(conn)) < later.availableAt).to.equal(true);
    await expectTreasuryError(withdrawTo(carol), "CooldownNotElapsed");
    await advanceClockTo(conn, later.availableAt);
    const rest = await transactionEvent(t, await withdrawTo(carol), "withdrawn");
    expect(rest.amount).to.equal(1_000_000_000n);
    expect(rest.positionTickets).to.deep.equal([]);
    expect(await tokenBalance(conn, carol.ashaoAccount)).to.equal(2_000_000_000n);
  });

  it("withdraws through the SDK action, creating the wallet's missing $ASHAO account", async () => {
    const bob = await newStaker(t, 1_000_000_000n);
    await stakeAndRequest(bob, 1_000_000_000n, 1_000_000_000n);
    // Close Bob's $ASHAO account first: the action must recreate it.
    const conn = t.validator.connection;
    await advanceClock(conn, 3_600);
    const { closeAccount } = await import("@solana/spl-token");
    await closeAccount(conn, bob.keypair, bob.ashaoAccount, bob.keypair.publicKey, bob.keypair);
    expect(await conn.getAccountInfo(bob.ashaoAccount)).to.equal(null);
    await withdraw(t.program, new Wallet(bob.keypair));
    expect(await tokenBalance(conn, bob.ashaoAccount)).to.equal(1_000_000_000n);
  });
});
