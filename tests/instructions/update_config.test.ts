/**
 * update_config: only the authority; each field optional; every bound refused by name with
 * nothing changed; the stream is accrued under the old period before a new one applies.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  accrue,
  depositRevenueIx,
  findTreasuryEvents,
  MAX_BUYBACK_INTERVAL_SECS,
  MAX_STREAM_PERIOD_SECS,
  MAX_UNSTAKE_COOLDOWN_SECS,
  stakeIx,
  RewardStream,
  TreasuryState,
  UpdateConfigParams,
  updateConfigIx,
} from "../../app/sdk/src";
import { advanceClock } from "../../app/localnet/validator";
import {
  defaultParams,
  expectTreasuryError,
  newStaker,
  send,
  setupTreasury,
  Staker,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

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

describe("update_config", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let staker: Staker;

  const logsOf = async (signature: string): Promise<string[]> => {
    const tx = await t.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    return tx?.meta?.logMessages ?? [];
  };
  const update = async (params: UpdateConfigParams, signer: Keypair = t.authority) =>
    send(
      t.validator,
      await updateConfigIx(t.program, t.accounts, { authority: signer.publicKey, params }),
      signer,
    );
  const configData = async (): Promise<Buffer> =>
    (await t.validator.connection.getAccountInfo(t.accounts.config))!.data;

  before(async () => {
    t = await setupTreasury(validator.current, defaultParams({ streamPeriodSecs: 1_000 }));
    staker = await newStaker(t, 4_000_000_000n, 10_000_000n);
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

  it("refuses anyone but the authority with Unauthorized", async () => {
    const stranger = await t.validator.fundedKeypair(1_000_000_000);
    const before = await configData();
    await expectTreasuryError(update({ unstakeCooldownSecs: 0 }, stranger), "Unauthorized");
    expect((await configData()).equals(before)).to.equal(true);
  });

  const crank = Keypair.generate().publicKey;
  const refusals: [string, UpdateConfigParams, string][] = [
    [
      "a stream period over 30 days",
      { streamPeriodSecs: MAX_STREAM_PERIOD_SECS + 1 },
      "StreamPeriodTooLong",
    ],
    [
      "a cooldown over 30 days",
      { unstakeCooldownSecs: MAX_UNSTAKE_COOLDOWN_SECS + 1 },
      "UnstakeCooldownTooLong",
    ],
    [
      "nine boost tiers",
      {
        boostTiers: Array.from({ length: 9 }, (_, i) => ({ minStake: BigInt(i + 1), boostBps: 1 })),
      },
      "TooManyBoostTiers",
    ],
    [
      "a zero min_stake tier",
      { boostTiers: [{ minStake: 0n, boostBps: 1 }] },
      "BoostTiersNotAscending",
    ],
    [
      "tiers not ascending",
      {
        boostTiers: [
          { minStake: 10n, boostBps: 1 },
          { minStake: 10n, boostBps: 2 },
        ],
      },
      "BoostTiersNotAscending",
    ],
    [
      "boost decreasing",
      {
        boostTiers: [
          { minStake: 10n, boostBps: 5 },
          { minStake: 20n, boostBps: 4 },
        ],
      },
      "BoostBpsDecreasing",
    ],
    ["a boost over 100%", { boostTiers: [{ minStake: 1n, boostBps: 10_001 }] }, "BoostBpsTooHigh"],
    [
      "nine cranks",
      { cranks: Array.from({ length: 9 }, () => Keypair.generate().publicKey) },
      "TooManyCranks",
    ],
    ["a duplicate crank", { cranks: [crank, crank] }, "InvalidCrank"],
    ["the default key as crank", { cranks: [PublicKey.default] }, "InvalidCrank"],
    ["a zero buyback cap", { maxBuybackUsdc: 0n }, "InvalidMaxBuyback"],
    ["zero slippage", { maxSlippageBps: 0 }, "InvalidSlippage"],
    ["slippage over 10%", { maxSlippageBps: 1_001 }, "InvalidSlippage"],
    [
      "a buyback interval over 30 days",
      { minBuybackIntervalSecs: MAX_BUYBACK_INTERVAL_SECS + 1 },
      "BuybackIntervalTooLong",
    ],
  ];
  for (const [what, params, error] of refusals) {
    it(`refuses ${what} with ${error}, changing nothing`, async () => {
      const before = await configData();
      await expectTreasuryError(update(params), error);
      expect((await configData()).equals(before)).to.equal(true);
    });
  }

  it("changes only the fields given and emits ConfigUpdated with the full parameters", async () => {
    const before = await t.state();
    const cranks = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const signature = await update({
      unstakeCooldownSecs: MAX_UNSTAKE_COOLDOWN_SECS,
      maxSlippageBps: 1_000,
      cranks,
    });
    const after = await t.state();
    expect(after.unstakeCooldownSecs).to.equal(MAX_UNSTAKE_COOLDOWN_SECS);
    expect(after.maxSlippageBps).to.equal(1_000);
    expect(after.cranks.map((c) => c.toBase58())).to.deep.equal(cranks.map((c) => c.toBase58()));
    expect(after.streamPeriodSecs).to.equal(before.streamPeriodSecs);
    expect(after.boostTiers).to.deep.equal(before.boostTiers);
    expect(after.maxBuybackUsdc).to.equal(before.maxBuybackUsdc);
    expect(after.minBuybackIntervalSecs).to.equal(before.minBuybackIntervalSecs);
    expect(after.swapProgram.equals(before.swapProgram)).to.equal(true);

    const [event] = findTreasuryEvents(t.program, await logsOf(signature), "configUpdated");
    expect(event.data.unstakeCooldownSecs).to.equal(MAX_UNSTAKE_COOLDOWN_SECS);
    expect(event.data.streamPeriodSecs).to.equal(before.streamPeriodSecs);
    expect(event.data.cranks.map((c) => c.toBase58())).to.deep.equal(
      cranks.map((c) => c.toBase58()),
    );
    expect(event.data.boostTiers).to.deep.equal(before.boostTiers);
    expect(event.data.maxBuybackUsdc).to.equal(before.maxBuybackUsdc);

    // Emptying lists and replacing tiers works too.
    await update({ cranks: [], boostTiers: [{ minStake: 7n, boostBps: 70 }] });
    const emptied = await t.state();
    expect(emptied.cranks).to.deep.equal([]);
    expect(emptied.boostTiers).to.deep.equal([{ minStake: 7n, boostBps: 70 }]);
  });

  it("accrues the running stream under the old period; the new period applies to new revenue", async () => {
    await send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: staker.keypair.publicKey,
        source: staker.usdcAccount,
        amount: 1_000_000n,
      }),
      staker.keypair,
    );
    const streaming = await t.state();
    expect(streaming.streamRemaining).to.equal(500_000n);
    expect(streaming.streamEndTs).to.equal(streaming.lastUpdateTs + 1_000n);

    await advanceClock(t.validator.connection, 250);
    await update({ streamPeriodSecs: 100 });
    const after = await t.state();
    expect(after.streamPeriodSecs).to.equal(100);
    // Exactly what the SDK's mirror of the program's accrual gives at that time.
    const expected = accrue(streamOf(streaming), after.lastUpdateTs).stream;
    expect(streamOf(after)).to.deep.equal(expected);
    expect(after.lastUpdateTs - streaming.lastUpdateTs >= 250n).to.equal(true);
    expect(after.totalRewardsReleased > 0n).to.equal(true);
    // The running stream keeps its end; only new revenue streams over the new period.
    expect(after.streamEndTs).to.equal(streaming.streamEndTs);

    await send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: staker.keypair.publicKey,
        source: staker.usdcAccount,
        amount: 2n,
      }),
      staker.keypair,
    );
    const next = await t.state();
    expect(next.streamEndTs).to.equal(next.lastUpdateTs + 100n);
  });
});
