/**
 * request_unstake: staked → unstaking in a ticket of its own that matures after the cooldown,
 * rewards settled first; a later request never delays an earlier one; a full ticket list and
 * bad amounts are refused by name with nothing changed.
 */
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import { MAX_UNSTAKE_TICKETS, requestUnstakeIx, stakeIx, UnstakeTicket } from "../../app/sdk/src";
import {
  accountData,
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

const COOLDOWN = 7_200n;

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
  const stake = async (who: Staker, amount: bigint) =>
    send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: who.keypair.publicKey,
        ownerAshao: who.ashaoAccount,
        amount,
      }),
      who.keypair,
    );
  const tickets = async (who: Staker): Promise<UnstakeTicket[]> =>
    (await t.position(who.keypair.publicKey))!.unstakeTickets;

  before(async () => {
    t = await setupTreasury(
      validator.current,
      defaultParams({ unstakeCooldownSecs: Number(COOLDOWN), timelockSecs: 2 * 86_400 }),
    );
    alice = await newStaker(t, 10_000_000_000n);
    await stake(alice, 10_000_000_000n);
  });

  it("moves principal from staked to unstaking in a ticket maturing a cooldown later", async () => {
    const signature = await unstake(alice, 4_000_000_000n);
    const event = await transactionEvent(t, signature, "unstakeRequested");
    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.staked).to.equal(6_000_000_000n);
    expect(position.unstaking).to.equal(4_000_000_000n);
    expect(position.unstakeTickets).to.deep.equal([
      { amount: 4_000_000_000n, availableAt: event.unixTimestamp + COOLDOWN },
    ]);
    expect(event.availableAt).to.equal(event.unixTimestamp + COOLDOWN);
    expect(event.amount).to.equal(4_000_000_000n);
    expect(event.positionTickets).to.deep.equal(position.unstakeTickets);
    const state = await t.state();
    expect(state.totalStaked).to.equal(6_000_000_000n);
    expect(state.totalUnstaking).to.equal(4_000_000_000n);
  });

  it("keeps the first request's maturity when another is made later (no restart)", async () => {
    const [first] = await tickets(alice);
    await advanceClock(t.validator.connection, 1_000);
    const signature = await unstake(alice, 1_000_000_000n);
    const event = await transactionEvent(t, signature, "unstakeRequested");
    const position = (await t.position(alice.keypair.publicKey))!;
    expect(position.unstaking).to.equal(5_000_000_000n);
    expect(position.unstakeTickets).to.deep.equal([
      first,
      { amount: 1_000_000_000n, availableAt: event.unixTimestamp + COOLDOWN },
    ]);
    expect(event.positionTickets).to.deep.equal(position.unstakeTickets);
  });

  it("refuses zero and more than staked by name, changing nothing", async () => {
    const before = await t.position(alice.keypair.publicKey);
    await expectTreasuryError(unstake(alice, 0n), "ZeroAmount");
    await expectTreasuryError(unstake(alice, 5_000_000_001n), "InsufficientStake");
    expect(await t.position(alice.keypair.publicKey)).to.deep.equal(before);
  });

  it(`holds ${MAX_UNSTAKE_TICKETS} requests at once; one more is refused with UnstakeTicketsFull, changing nothing`, async () => {
    const bob = await newStaker(t, 1_000n);
    await stake(bob, 1_000n);
    for (let i = 0; i < MAX_UNSTAKE_TICKETS; i++) {
      await unstake(bob, 10n);
      await advanceClock(t.validator.connection, 2);
    }
    const held = await tickets(bob);
    expect(held).to.have.length(MAX_UNSTAKE_TICKETS);
    // Oldest first, each maturing on its own.
    for (let i = 1; i < held.length; i++) {
      expect(held[i].availableAt > held[i - 1].availableAt).to.equal(true);
    }
    const position = (await t.position(bob.keypair.publicKey))!.address;
    const before = await accountData(t.validator.connection, position);
    await expectTreasuryError(unstake(bob, 10n), "UnstakeTicketsFull");
    const after = await accountData(t.validator.connection, position);
    expect(after!.equals(before!), "position bytes unchanged").to.equal(true);
  });

  it("refuses a wallet without a position (Anchor's AccountNotInitialized)", async () => {
    const carol = await newStaker(t, 1n);
    await expectTreasuryError(unstake(carol, 1n), "AccountNotInitialized");
  });
});
