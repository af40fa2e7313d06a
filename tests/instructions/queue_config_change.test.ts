/**
 * queue_config_change: the authority queues any change to apply after the timelock, one at a
 * time, validated now. The timelock is at least the unstake cooldown plus a day's reaction
 * window, so a staker who disagrees with what is queued can request unstake at any time in the
 * day after the queue and withdraw before it applies.
 */
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import {
  applyConfigChangeIx,
  ConfigChange,
  configChangeFromEvent,
  configChangeToJson,
  MAX_BUYBACK_USDC,
  MIN_TIMELOCK_SECS,
  REACTION_WINDOW_SECS,
  paramsToJson,
  queueConfigChangeIx,
  requestUnstakeIx,
  stakeIx,
  treasuryParamsOf,
  withdrawIx,
} from "../../app/sdk/src";
import { tokenBalance } from "../utils/tokens";
import {
  advanceClockTo,
  defaultParams,
  expectConfigUnchanged,
  newStaker,
  pythGuard,
  send,
  setupTreasury,
  Staker,
  transactionEvent,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

const HOUR = 3_600;
const DAY = 86_400;
const crankA = Keypair.generate().publicKey;
const STAKE = 1_000_000_000_000n;

describe("queue_config_change", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let alice: Staker;
  let bob: Staker;

  const queue = async (change: ConfigChange, signer: Keypair = t.authority) =>
    send(
      t.validator,
      await queueConfigChangeIx(t.program, t.accounts, { authority: signer.publicKey, change }),
      signer,
    );
  const params = async () => paramsToJson(treasuryParamsOf(await t.state()));

  before(async () => {
    // A one-hour cooldown under a 25-hour timelock (the cooldown plus the reaction window).
    t = await setupTreasury(validator.current, defaultParams({ cranks: [crankA] }));
    alice = await newStaker(t, STAKE);
    bob = await newStaker(t, STAKE);
    for (const staker of [alice, bob]) {
      await send(
        t.validator,
        await stakeIx(t.program, t.accounts, {
          owner: staker.keypair.publicKey,
          ownerAshao: staker.ashaoAccount,
          amount: STAKE,
        }),
        staker.keypair,
      );
    }
  });

  it("refuses anyone but the authority with Unauthorized, queueing nothing", async () => {
    const stranger = await t.validator.fundedKeypair(1_000_000_000);
    await expectConfigUnchanged(
      t,
      () => queue({ maxSlippageBps: 1_000 }, stranger),
      "Unauthorized",
    );
  });

  it("refuses a change that changes nothing with NoConfigChange", async () => {
    await expectConfigUnchanged(t, () => queue({}), "NoConfigChange");
    const current = (await t.state()).maxSlippageBps;
    await expectConfigUnchanged(t, () => queue({ maxSlippageBps: current }), "NoConfigChange");
  });

  it("validates at queue time: each bound by its own name", async () => {
    await expectConfigUnchanged(
      t,
      () => queue({ streamPeriodSecs: HOUR - 1 }),
      "StreamPeriodTooShort",
    );
    await expectConfigUnchanged(
      t,
      () => queue({ maxBuybackUsdc: MAX_BUYBACK_USDC + 1n }),
      "InvalidMaxBuyback",
    );
    await expectConfigUnchanged(
      t,
      () => queue({ unstakeCooldownSecs: DAY + 1 }),
      "InvalidTimelock",
    );
    await expectConfigUnchanged(
      t,
      () => queue({ priceGuard: pythGuard({ maxConfidenceBps: 0 }) }),
      "InvalidPriceGuard",
    );
  });

  let eta: bigint;

  it("queues a risk-adding change for now + timelock, emitting ConfigChangeQueued; nothing applies yet", async () => {
    const before = await params();
    const change: ConfigChange = {
      maxBuybackUsdc: 5_000_000_000n,
      cranks: [crankA, Keypair.generate().publicKey],
      streamPeriodSecs: 2 * HOUR,
      priceGuard: pythGuard(),
    };
    const signature = await queue(change);
    const event = await transactionEvent(t, signature, "configChangeQueued");
    eta = event.eta;
    expect(eta).to.equal(event.unixTimestamp + BigInt(HOUR + DAY));
    expect(eta).to.equal(event.unixTimestamp + BigInt(MIN_TIMELOCK_SECS));
    expect(event.authority.equals(t.authority.publicKey)).to.equal(true);
    expect(configChangeToJson(configChangeFromEvent(event.change))).to.deep.equal(
      configChangeToJson(change),
    );
    const state = await t.state();
    expect(state.queuedChange!.eta).to.equal(eta);
    expect(configChangeToJson(state.queuedChange!.change)).to.deep.equal(
      configChangeToJson(change),
    );
    expect(await params()).to.deep.equal(before);
  });

  it("refuses a second change while one is queued with ConfigChangeAlreadyQueued", async () => {
    await expectConfigUnchanged(
      t,
      () => queue({ maxSlippageBps: 200 }),
      "ConfigChangeAlreadyQueued",
    );
  });

  it("a staker who disagrees requests unstake right after the queue and has its $ASHAO back before the eta", async () => {
    const owner = alice.keypair.publicKey;
    const requested = await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, { owner, amount: STAKE }),
      alice.keypair,
    );
    const request = await transactionEvent(t, requested, "unstakeRequested");
    expect(request.availableAt < eta).to.equal(true);
    await advanceClock(t.validator.connection, HOUR);
    const withdrawn = await send(
      t.validator,
      await withdrawIx(t.program, t.accounts, { owner, destination: alice.ashaoAccount }),
      alice.keypair,
    );
    const exit = await transactionEvent(t, withdrawn, "withdrawn");
    expect(exit.amount).to.equal(STAKE);
    expect(exit.unixTimestamp < eta, `withdrew at ${exit.unixTimestamp}, eta ${eta}`).to.equal(
      true,
    );
    expect(await tokenBalance(t.validator.connection, alice.ashaoAccount)).to.equal(STAKE);
    // The change has not happened: applying it now is still refused.
    await expectConfigUnchanged(
      t,
      async () =>
        send(
          t.validator,
          await applyConfigChangeIx(t.program, t.accounts, { caller: owner }),
          alice.keypair,
        ),
      "TimelockNotElapsed",
    );
  });

  it("a staker who reacts at the end of the day's reaction window still withdraws before the eta", async () => {
    const owner = bob.keypair.publicKey;
    const queuedAt = eta - BigInt(MIN_TIMELOCK_SECS);
    // A minute before the window closes (the local clock also runs with the wall clock).
    await advanceClockTo(t.validator.connection, queuedAt + BigInt(REACTION_WINDOW_SECS) - 60n);
    const requested = await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, { owner, amount: STAKE }),
      bob.keypair,
    );
    const request = await transactionEvent(t, requested, "unstakeRequested");
    expect(request.unixTimestamp <= queuedAt + BigInt(REACTION_WINDOW_SECS)).to.equal(true);
    expect(request.availableAt <= eta, `matures ${request.availableAt}, eta ${eta}`).to.equal(true);
    await advanceClockTo(t.validator.connection, request.availableAt);
    const withdrawn = await send(
      t.validator,
      await withdrawIx(t.program, t.accounts, { owner, destination: bob.ashaoAccount }),
      bob.keypair,
    );
    const exit = await transactionEvent(t, withdrawn, "withdrawn");
    expect(exit.amount).to.equal(STAKE);
    expect(exit.unixTimestamp < eta, `withdrew at ${exit.unixTimestamp}, eta ${eta}`).to.equal(
      true,
    );
  });
});
