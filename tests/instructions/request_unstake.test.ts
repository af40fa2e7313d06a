/** request_unstake: staked → unstaking, cooldown restarted, rewards settled first; its errors. */
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import { requestUnstakeIx, stakeIx } from "../../app/sdk/src";
import {
  defaultParams,
  expectTreasuryError,
  newStaker,
  send,
  setupTreasury,
  Staker,
  transactionEvent,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("request_unstake", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let alice: Staker;

  const unstake = async (who: Staker, amount: bigint) =>
    send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, { owner: who.keypair.publicKey, amount }),
      who.keypair,
    );

  before(async () => {
    t = await setupTreasury(validator.current, defaultParams({ unstakeCooldownSecs: 7_200 }));
    alice = await newStaker(t, 10_000_000_000n);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: alice.keypair.publicKey,
        ownerAshao: alice.ashaoAccount,
        amount: 10_000_000_000n,
      }),
      alice.keypair,
    );
  });

  it("moves principal from staked to unstaking and sets the cooldown end", async () => {
    const signature = await unstake(alice, 4_000_000_000n);
    const event = await transactionEvent(t, signature, "unstakeRequested");
    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.staked).to.equal(6_000_000_000n);
    expect(position.unstaking).to.equal(4_000_000_000n);
    expect(position.unstakeAvailableAt).to.equal(event.unixTimestamp + 7_200n);
    expect(event.availableAt).to.equal(position.unstakeAvailableAt);
    expect(event.amount).to.equal(4_000_000_000n);
    const state = await t.state();
    expect(state.totalStaked).to.equal(6_000_000_000n);
    expect(state.totalUnstaking).to.equal(4_000_000_000n);
  });

  it("restarts the cooldown on a further request", async () => {
    const first = (await t.position(alice.keypair.publicKey))!.unstakeAvailableAt;
    await advanceClock(t.validator.connection, 1_000);
    const signature = await unstake(alice, 1_000_000_000n);
    const event = await transactionEvent(t, signature, "unstakeRequested");
    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.unstaking).to.equal(5_000_000_000n);
    expect(position.unstakeAvailableAt).to.equal(event.unixTimestamp + 7_200n);
    expect(position.unstakeAvailableAt > first).to.equal(true);
  });

  it("refuses zero and more than staked by name, changing nothing", async () => {
    const before = await t.position(alice.keypair.publicKey);
    await expectTreasuryError(unstake(alice, 0n), "ZeroAmount");
    await expectTreasuryError(unstake(alice, 5_000_000_001n), "InsufficientStake");
    expect(await t.position(alice.keypair.publicKey)).to.deep.equal(before);
  });

  it("refuses a wallet without a position (Anchor's AccountNotInitialized)", async () => {
    const bob = await newStaker(t, 1n);
    await expectTreasuryError(unstake(bob, 1n), "AccountNotInitialized");
  });
});
