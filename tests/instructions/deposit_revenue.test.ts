/**
 * deposit_revenue: anyone pays USDC revenue from their own account; it is split 50/50 with the
 * odd unit to the buyback bucket, lands in the two vaults, and streams to stakers (paused while
 * nobody stakes). Errors: ZeroAmount, Paused, and Anchor's account constraints.
 */
import { expect } from "chai";

import {
  claimIx,
  depositRevenueIx,
  findTreasuryEvents,
  MIN_STREAM_PERIOD_SECS,
  setPausedIx,
  splitRevenue,
  stakeIx,
} from "../../app/sdk/src";
import { advanceClock } from "../../app/localnet/validator";
import { tokenBalance } from "../utils/tokens";
import {
  expectTreasuryError,
  newStaker,
  send,
  setupTreasury,
  Staker,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("deposit_revenue", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let payer: Staker;

  const logsOf = async (signature: string): Promise<string[]> => {
    const tx = await t.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    return tx?.meta?.logMessages ?? [];
  };
  const balance = (account: Parameters<typeof tokenBalance>[1]) =>
    tokenBalance(t.validator.connection, account);
  const configData = async (): Promise<Buffer> =>
    (await t.validator.connection.getAccountInfo(t.accounts.config))!.data;
  const deposit = async (amount: bigint, from: Staker = payer, source = from.usdcAccount) =>
    send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: from.keypair.publicKey,
        source,
        amount,
      }),
      from.keypair,
    );

  before(async () => {
    t = await setupTreasury(validator.current); // a one-hour stream
    payer = await newStaker(t, 1_000_000_000n, 100_000_000n);
  });

  it("refuses a zero amount with ZeroAmount", async () => {
    await expectTreasuryError(deposit(0n), "ZeroAmount");
  });

  it("refuses a source the signer does not own, or of another mint, by Anchor's constraint names", async () => {
    const other = await newStaker(t, 0n, 1_000_000n);
    const before = await configData();
    await expectTreasuryError(deposit(1_000n, payer, other.usdcAccount), "ConstraintTokenOwner");
    await expectTreasuryError(deposit(1_000n, payer, payer.ashaoAccount), "ConstraintTokenMint");
    expect((await configData()).equals(before)).to.equal(true);
    expect(await balance(other.usdcAccount)).to.equal(1_000_000n);
  });

  it("refuses a vault other than the treasury's with ConstraintHasOne", async () => {
    const other = await newStaker(t, 0n);
    const fake = { ...t.accounts, buybackVault: other.usdcAccount };
    await expectTreasuryError(
      (async () =>
        send(
          t.validator,
          await depositRevenueIx(t.program, fake, {
            payer: payer.keypair.publicKey,
            source: payer.usdcAccount,
            amount: 1_000n,
          }),
          payer.keypair,
        ))(),
      "ConstraintHasOne",
    );
  });

  it("refuses more than the source holds (u64::MAX too) with InsufficientBalance, moving nothing", async () => {
    const before = await configData();
    for (const amount of [100_000_001n, (1n << 64n) - 1n]) {
      await expectTreasuryError(deposit(amount), "InsufficientBalance");
    }
    expect((await configData()).equals(before)).to.equal(true);
    expect(await balance(payer.usdcAccount)).to.equal(100_000_000n);
  });

  it("splits an odd amount 50/50 with the odd unit to buyback, into the two vaults", async () => {
    const amount = 1_000_001n;
    const { toBuyback, toStakers } = splitRevenue(amount);
    expect([toBuyback, toStakers]).to.deep.equal([500_001n, 500_000n]);

    const signature = await deposit(amount);
    expect(await balance(payer.usdcAccount)).to.equal(100_000_000n - amount);
    expect(await balance(t.accounts.buybackVault)).to.equal(toBuyback);
    expect(await balance(t.accounts.rewardsVault)).to.equal(toStakers);

    const state = await t.state();
    expect(state.totalRevenue).to.equal(amount);
    expect(state.totalToBuyback).to.equal(toBuyback);
    expect(state.totalToStakers).to.equal(toStakers);
    expect(state.buybackBucket).to.equal(toBuyback);
    // Nobody stakes: the stakers' half waits in the stream, nothing released.
    expect(state.streamRemaining).to.equal(toStakers);
    expect(state.totalRewardsReleased).to.equal(0n);
    expect(state.streamEndTs).to.equal(state.lastUpdateTs + BigInt(MIN_STREAM_PERIOD_SECS));

    const [event] = findTreasuryEvents(t.program, await logsOf(signature), "revenueDeposited");
    expect(event.data.source).to.deep.equal({ deposit: {} });
    expect(event.data.payer.equals(payer.keypair.publicKey)).to.equal(true);
    expect(event.data.amount).to.equal(amount);
    expect(event.data.toBuyback).to.equal(toBuyback);
    expect(event.data.toStakers).to.equal(toStakers);
    expect(event.data.totalRevenue).to.equal(amount);
    expect(event.data.buybackBucket).to.equal(toBuyback);
    expect(event.data.streamRemaining).to.equal(toStakers);
    expect(event.data.totalStaked).to.equal(0n);
  });

  it("keeps revenue that arrived while nobody staked: the stream waits, then pays the staker", async () => {
    const before = await t.state();
    await advanceClock(t.validator.connection, 5 * MIN_STREAM_PERIOD_SECS);
    // The first staker arrives long after the stream's end: nothing is handed over at once.
    const staker = await newStaker(t, 1_000_000_000n);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: staker.keypair.publicKey,
        ownerAshao: staker.ashaoAccount,
        amount: 1_000_000_000n,
      }),
      staker.keypair,
    );
    const staked = await t.state();
    expect(staked.totalRewardsReleased).to.equal(0n);
    expect(staked.streamRemaining).to.equal(before.streamRemaining);
    // The stream paused: its end moved by the time nobody was staked.
    expect(staked.streamEndTs - staked.lastUpdateTs).to.equal(
      before.streamEndTs - before.lastUpdateTs,
    );

    // Over the (paused, now resumed) stream period the staker earns all of it, to the unit.
    await advanceClock(t.validator.connection, MIN_STREAM_PERIOD_SECS);
    await send(
      t.validator,
      await claimIx(t.program, t.accounts, {
        owner: staker.keypair.publicKey,
        destination: staker.usdcAccount,
      }),
      staker.keypair,
    );
    expect(await balance(staker.usdcAccount)).to.equal(before.streamRemaining);
    expect(await balance(t.accounts.rewardsVault)).to.equal(0n);
  });

  it("refuses deposits while paused with Paused", async () => {
    await send(
      t.validator,
      await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused: true }),
      t.authority,
    );
    await expectTreasuryError(deposit(1_000n), "Paused");
  });

  it("anyone may pay revenue (not only the authority)", async () => {
    await send(
      t.validator,
      await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused: false }),
      t.authority,
    );
    const anyone = await newStaker(t, 0n, 10n);
    expect(anyone.keypair.publicKey.equals(t.authority.publicKey)).to.equal(false);
    const before = await t.state();
    await deposit(10n, anyone);
    const after = await t.state();
    expect(after.totalRevenue - before.totalRevenue).to.equal(10n);
    expect(after.buybackBucket - before.buybackBucket).to.equal(5n);
  });
});
