/**
 * update_config: the authority applies at once only a change that reduces risk (removing cranks,
 * a lower cap or slippage, a longer interval or timelock, buybacks switched off). Every change
 * that adds risk, any cooldown change included, is refused by `ChangeNeedsTimelock` with nothing
 * changed (it must be queued), and every bound by its own name.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  ConfigChange,
  configChangeToJson,
  MAX_BUYBACK_INTERVAL_SECS,
  MAX_BUYBACK_USDC,
  MAX_STREAM_PERIOD_SECS,
  MAX_TIMELOCK_SECS,
  MAX_UNSTAKE_COOLDOWN_SECS,
  NO_PRICE_GUARD,
  REACTION_WINDOW_SECS,
  paramsToJson,
  priceGuardFromAnchor,
  TreasuryParams,
  treasuryParamsOf,
  updateConfigIx,
} from "../../app/sdk/src";
import {
  defaultParams,
  expectConfigUnchanged,
  pythGuard,
  send,
  setupTreasury,
  transactionEvent,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

const HOUR = 3_600;
const DAY = 86_400;
const crankA = Keypair.generate().publicKey;
const crankB = Keypair.generate().publicKey;
const swap = Keypair.generate().publicKey;

/** Room on both sides of every parameter, buybacks configured. */
const initial: TreasuryParams = defaultParams({
  streamPeriodSecs: 2 * HOUR,
  unstakeCooldownSecs: 2 * HOUR,
  maxBuybackUsdc: 1_000_000_000n,
  minBuybackIntervalSecs: 600,
  maxSlippageBps: 100,
  swapProgram: swap,
  cranks: [crankA, crankB],
  priceGuard: pythGuard(),
  timelockSecs: 2 * DAY,
});

describe("update_config", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;

  const update = async (change: ConfigChange, signer: Keypair = t.authority) =>
    send(
      t.validator,
      await updateConfigIx(t.program, t.accounts, { authority: signer.publicKey, change }),
      signer,
    );
  const params = async () => paramsToJson(treasuryParamsOf(await t.state()));
  const expectUnchanged = (attempt: () => Promise<unknown>, error: string) =>
    expectConfigUnchanged(t, attempt, error);

  before(async () => {
    t = await setupTreasury(validator.current, initial);
  });

  it("refuses anyone but the authority with Unauthorized, even a change that reduces risk", async () => {
    const stranger = await t.validator.fundedKeypair(1_000_000_000);
    await expectUnchanged(() => update({ maxSlippageBps: 50 }, stranger), "Unauthorized");
  });

  const outOfBounds: [string, ConfigChange, string][] = [
    ["a stream period under an hour", { streamPeriodSecs: HOUR - 1 }, "StreamPeriodTooShort"],
    [
      "a stream period over 30 days",
      { streamPeriodSecs: MAX_STREAM_PERIOD_SECS + 1 },
      "StreamPeriodTooLong",
    ],
    ["a cooldown under an hour", { unstakeCooldownSecs: HOUR - 1 }, "UnstakeCooldownTooShort"],
    [
      "a cooldown over 30 days",
      { unstakeCooldownSecs: MAX_UNSTAKE_COOLDOWN_SECS + 1 },
      "UnstakeCooldownTooLong",
    ],
    ["a cooldown longer than the timelock", { unstakeCooldownSecs: 3 * DAY }, "InvalidTimelock"],
    [
      "a cooldown leaving less than the day's reaction window",
      { unstakeCooldownSecs: initial.timelockSecs - REACTION_WINDOW_SECS + 1 },
      "InvalidTimelock",
    ],
    [
      "a timelock one second short of the cooldown plus the reaction window",
      { timelockSecs: initial.unstakeCooldownSecs + REACTION_WINDOW_SECS - 1 },
      "InvalidTimelock",
    ],
    ["a timelock under a day", { timelockSecs: DAY - 1 }, "InvalidTimelock"],
    ["a timelock over 31 days", { timelockSecs: MAX_TIMELOCK_SECS + 1 }, "InvalidTimelock"],
    [
      "a buyback interval under a minute",
      { minBuybackIntervalSecs: 59 },
      "BuybackIntervalTooShort",
    ],
    [
      "a buyback interval over 30 days",
      { minBuybackIntervalSecs: MAX_BUYBACK_INTERVAL_SECS + 1 },
      "BuybackIntervalTooLong",
    ],
    ["a zero buyback cap", { maxBuybackUsdc: 0n }, "InvalidMaxBuyback"],
    ["a cap over 1,000,000 USDC", { maxBuybackUsdc: MAX_BUYBACK_USDC + 1n }, "InvalidMaxBuyback"],
    ["zero slippage", { maxSlippageBps: 0 }, "InvalidSlippage"],
    ["slippage over 10%", { maxSlippageBps: 1_001 }, "InvalidSlippage"],
    [
      "a guard without a feed id",
      { priceGuard: pythGuard({ feedId: Buffer.alloc(32) }) },
      "InvalidPriceGuard",
    ],
    [
      "nine boost tiers",
      {
        boostTiers: Array.from({ length: 9 }, (_, i) => ({ minStake: BigInt(i + 1), boostBps: 1 })),
      },
      "TooManyBoostTiers",
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
    ["a duplicate crank", { cranks: [crankA, crankA] }, "InvalidCrank"],
    ["the default key as crank", { cranks: [PublicKey.default] }, "InvalidCrank"],
  ];
  for (const [what, change, error] of outOfBounds) {
    it(`refuses ${what} with ${error}, changing nothing`, async () => {
      await expectUnchanged(() => update(change), error);
    });
  }

  const addsRisk: [string, ConfigChange][] = [
    ["adding a crank", { cranks: [crankA, crankB, Keypair.generate().publicKey] }],
    ["swapping a crank for another", { cranks: [crankA, Keypair.generate().publicKey] }],
    ["raising the cap", { maxBuybackUsdc: initial.maxBuybackUsdc + 1n }],
    ["shortening the interval", { minBuybackIntervalSecs: initial.minBuybackIntervalSecs - 1 }],
    ["another swap program", { swapProgram: Keypair.generate().publicKey }],
    ["another price feed", { priceGuard: pythGuard({ feedId: Buffer.alloc(32, 9) }) }],
    ["accepting older prices", { priceGuard: pythGuard({ maxAgeSecs: 61 }) }],
    ["accepting a wider confidence", { priceGuard: pythGuard({ maxConfidenceBps: 101 }) }],
    ["even a stricter guard", { priceGuard: pythGuard({ maxAgeSecs: 30 }) }],
    ["raising slippage", { maxSlippageBps: initial.maxSlippageBps + 1 }],
    ["lengthening the cooldown", { unstakeCooldownSecs: initial.unstakeCooldownSecs + 1 }],
    // Half of the bound on just-in-time staking: shorter waits out the timelock too.
    ["shortening the cooldown", { unstakeCooldownSecs: HOUR }],
    ["shortening the timelock", { timelockSecs: initial.timelockSecs - 1 }],
    ["a longer stream period", { streamPeriodSecs: initial.streamPeriodSecs + 1 }],
    ["a shorter stream period", { streamPeriodSecs: HOUR }],
    [
      "a new boost tier",
      { boostTiers: [...initial.boostTiers, { minStake: 100_000_000_000n, boostBps: 2_000 }] },
    ],
    ["removing the boost tiers", { boostTiers: [] }],
    [
      "a lower boost",
      { boostTiers: initial.boostTiers.map((tier) => ({ ...tier, boostBps: tier.boostBps - 1 })) },
    ],
    [
      "a risk-reducing field bundled with a risk-adding one",
      { maxBuybackUsdc: 1n, maxSlippageBps: 1, cranks: [crankA, Keypair.generate().publicKey] },
    ],
  ];
  for (const [what, change] of addsRisk) {
    it(`refuses ${what} with ChangeNeedsTimelock, changing nothing`, async () => {
      await expectUnchanged(() => update(change), "ChangeNeedsTimelock");
    });
  }

  /** Applies `change` and checks every parameter: the named ones changed, the others kept. */
  const expectApplied = async (change: ConfigChange) => {
    const before = await params();
    const signature = await update(change);
    const expected = { ...before, ...configChangeToJson(change) };
    expect(await params()).to.deep.equal(expected);
    const event = await transactionEvent(t, signature, "configUpdated");
    expect(event.authority.equals(t.authority.publicKey)).to.equal(true);
    expect(
      paramsToJson({
        streamPeriodSecs: event.streamPeriodSecs,
        unstakeCooldownSecs: event.unstakeCooldownSecs,
        boostTiers: event.boostTiers,
        maxBuybackUsdc: event.maxBuybackUsdc,
        minBuybackIntervalSecs: event.minBuybackIntervalSecs,
        maxSlippageBps: event.maxSlippageBps,
        swapProgram: event.swapProgram,
        cranks: event.cranks,
        priceGuard: priceGuardFromAnchor(event.priceGuard),
        timelockSecs: event.timelockSecs,
        billingAuthorities: event.billingAuthorities,
      }),
    ).to.deep.equal(expected);
  };

  const reducesRisk: [string, ConfigChange][] = [
    ["removing a crank", { cranks: [crankA] }],
    ["lowering the cap", { maxBuybackUsdc: 500_000_000n }],
    ["lowering slippage", { maxSlippageBps: 50 }],
    ["lengthening the interval", { minBuybackIntervalSecs: 1_200 }],
    ["lengthening the timelock", { timelockSecs: 3 * DAY }],
    [
      "several reductions together (unchanged fields named too)",
      {
        maxBuybackUsdc: 400_000_000n,
        maxSlippageBps: 40,
        streamPeriodSecs: initial.streamPeriodSecs,
        boostTiers: initial.boostTiers,
      },
    ],
    ["a change that changes nothing", {}],
    ["switching buybacks off: no swap program", { swapProgram: PublicKey.default }],
    ["switching buybacks off: no price guard", { priceGuard: NO_PRICE_GUARD }],
    ["emptying the crank list", { cranks: [] }],
  ];
  for (const [what, change] of reducesRisk) {
    it(`applies ${what} at once, emitting ConfigUpdated with every parameter`, async () => {
      await expectApplied(change);
    });
  }

  const reenables: [string, ConfigChange][] = [
    ["setting a swap program again", { swapProgram: swap }],
    ["setting a price guard again", { priceGuard: pythGuard() }],
    ["adding a crank to an empty list", { cranks: [crankA] }],
  ];
  for (const [what, change] of reenables) {
    it(`refuses ${what} once buybacks are off with ChangeNeedsTimelock`, async () => {
      await expectUnchanged(() => update(change), "ChangeNeedsTimelock");
    });
  }
});
