/**
 * apply_config_change: anyone applies the queued change once its timelock has passed, within 14
 * days, on top of the parameters as they are then; the running stream is accrued under the old
 * period first. Before the eta, after the 14 days, or with nothing queued it is refused by name
 * with nothing changed.
 */
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  accrue,
  addToStream,
  applyConfigChangeIx,
  ConfigChange,
  configChangeFromEvent,
  configChangeToJson,
  depositRevenueIx,
  fetchChainTime,
  paramsToJson,
  priceGuardFromAnchor,
  queueConfigChangeIx,
  RewardStream,
  splitRevenue,
  stakeIx,
  TIMELOCK_GRACE_SECS,
  TreasuryState,
  treasuryParamsOf,
  updateConfigIx,
} from "../../app/sdk/src";
import {
  advanceClockTo,
  expectConfigUnchanged,
  newStaker,
  send,
  setupTreasury,
  Staker,
  transactionEvent,
  transactionEvents,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

const HOUR = 3_600;
/** Seconds a transaction may take to land once the clock is moved (it runs with the wall clock). */
const LANDING_SECS = 30n;

/** The stream and accumulator fields of a fetched treasury. */
const streamOf = (s: TreasuryState): RewardStream => ({
  totalStaked: s.totalStaked,
  accRewardPerShare: s.accRewardPerShare,
  rewardCarry: s.rewardCarry,
  streamRemaining: s.streamRemaining,
  streamEndTs: s.streamEndTs,
  lastUpdateTs: s.lastUpdateTs,
  totalRewardsReleased: s.totalRewardsReleased,
});

describe("apply_config_change", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let stranger: Keypair;
  let payer: Staker;

  const queue = async (change: ConfigChange) =>
    send(
      t.validator,
      await queueConfigChangeIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change,
      }),
      t.authority,
    );
  /** Anyone may apply: here a stranger who holds nothing in the treasury. */
  const apply = async (caller: Keypair = stranger) =>
    send(
      t.validator,
      await applyConfigChangeIx(t.program, t.accounts, { caller: caller.publicKey }),
      caller,
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
  const params = async () => paramsToJson(treasuryParamsOf(await t.state()));
  const now = () => fetchChainTime(t.validator.connection);

  before(async () => {
    t = await setupTreasury(validator.current); // one-hour stream, one-day timelock
    stranger = await t.validator.fundedKeypair(1_000_000_000);
    payer = await newStaker(t, 0n, 1_000_000_000n);
    const staker = await newStaker(t, 4_000_000_000n);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: staker.keypair.publicKey,
        ownerAshao: staker.ashaoAccount,
        amount: 4_000_000_000n,
      }),
      staker.keypair,
    );
  });

  it("refuses with NoQueuedConfigChange when nothing is queued", async () => {
    await expectConfigUnchanged(t, () => apply(), "NoQueuedConfigChange");
  });

  const change: ConfigChange = { streamPeriodSecs: 2 * HOUR, maxBuybackUsdc: 3_000_000_000n };
  let eta: bigint;

  it("refuses before the eta with TimelockNotElapsed, changing nothing", async () => {
    eta = (await transactionEvent(t, await queue(change), "configChangeQueued")).eta;
    await expectConfigUnchanged(t, () => apply(), "TimelockNotElapsed");
    await advanceClockTo(t.validator.connection, eta - 60n);
    await expectConfigUnchanged(t, () => apply(), "TimelockNotElapsed");
  });

  it("at the eta a stranger applies it: the stream accrues under the old period, then the new parameters hold", async () => {
    // Revenue streaming across the eta, half an hour into its one-hour period.
    await advanceClockTo(t.validator.connection, eta - BigInt(HOUR / 2));
    await deposit(1_000_000n);
    const streaming = await t.state();
    const before = await params();

    const reached = await advanceClockTo(t.validator.connection, eta);
    expect(
      reached >= eta && reached < eta + LANDING_SECS,
      `clock at ${reached}, eta ${eta}`,
    ).to.equal(true);
    const signature = await apply();
    const events = await transactionEvents(t, signature);
    expect(events.map((e) => e.name)).to.deep.equal(["configChangeApplied", "configUpdated"]);
    const applied = await transactionEvent(t, signature, "configChangeApplied");
    expect(applied.appliedBy.equals(stranger.publicKey)).to.equal(true);
    expect(applied.eta).to.equal(eta);
    expect(applied.unixTimestamp >= eta && applied.unixTimestamp < eta + LANDING_SECS).to.equal(
      true,
    );
    expect(configChangeToJson(configChangeFromEvent(applied.change))).to.deep.equal(
      configChangeToJson(change),
    );

    const expected = { ...before, ...configChangeToJson(change) };
    const after = await t.state();
    expect(paramsToJson(treasuryParamsOf(after))).to.deep.equal(expected);
    expect(after.queuedChange).to.equal(null);
    const updated = await transactionEvent(t, signature, "configUpdated");
    expect(
      paramsToJson({
        ...updated,
        priceGuard: priceGuardFromAnchor(updated.priceGuard),
      }),
    ).to.deep.equal(expected);

    // Accrued to the apply under the old period, exactly as the SDK's mirror of the program's
    // math gives; the running stream keeps its end.
    expect(streamOf(after)).to.deep.equal(accrue(streamOf(streaming), after.lastUpdateTs).stream);
    expect(after.lastUpdateTs).to.equal(applied.unixTimestamp);
    expect(after.streamEndTs).to.equal(streaming.streamEndTs);
    expect(after.totalRewardsReleased > 0n && after.streamRemaining > 0n).to.equal(true);

    // New revenue streams under the new period (merged with what still streams).
    const sig = await deposit(2_000_000n);
    const at = (await transactionEvent(t, sig, "revenueDeposited")).unixTimestamp;
    expect(streamOf(await t.state())).to.deep.equal(
      addToStream(streamOf(after), splitRevenue(2_000_000n).toStakers, at, BigInt(2 * HOUR)),
    );
  });

  it("applies on top of the parameters as they are: a field it does not name keeps a change made since", async () => {
    eta = (await transactionEvent(t, await queue({ maxSlippageBps: 500 }), "configChangeQueued"))
      .eta;
    await send(
      t.validator,
      await updateConfigIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change: { maxBuybackUsdc: 1_000_000n },
      }),
      t.authority,
    );
    await advanceClockTo(t.validator.connection, eta);
    await apply();
    const state = await t.state();
    expect(state.maxSlippageBps).to.equal(500);
    expect(state.maxBuybackUsdc).to.equal(1_000_000n);
  });

  it("still applies late, within 14 days of the eta", async () => {
    eta = (await transactionEvent(t, await queue({ maxSlippageBps: 600 }), "configChangeQueued"))
      .eta;
    await advanceClockTo(t.validator.connection, eta + BigInt(TIMELOCK_GRACE_SECS) - 60n);
    await apply();
    expect((await t.state()).maxSlippageBps).to.equal(600);
  });

  it("refuses after eta + 14 days with ConfigChangeExpired, changing nothing", async () => {
    eta = (
      await transactionEvent(
        t,
        await queue({ cranks: [Keypair.generate().publicKey] }),
        "configChangeQueued",
      )
    ).eta;
    await advanceClockTo(t.validator.connection, eta + BigInt(TIMELOCK_GRACE_SECS) + 1n);
    expect((await now()) > eta + BigInt(TIMELOCK_GRACE_SECS)).to.equal(true);
    await expectConfigUnchanged(t, () => apply(), "ConfigChangeExpired");
    expect((await t.state()).cranks).to.deep.equal([]);
  });
});
