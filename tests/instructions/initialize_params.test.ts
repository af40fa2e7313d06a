/**
 * initialize through the SDK: refused mints and parameters by name (every floor and bound, nothing
 * created), then a Token-2022 $ASHAO treasury at the parameters' edges with its state asserted,
 * and a second initialize refused.
 */
import { getAccount, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import { expect } from "chai";

import {
  fetchTreasury,
  initializeIx,
  MAX_BUYBACK_USDC,
  MAX_ORACLE_AGE_SECS,
  MAX_ORACLE_CONFIDENCE_BPS,
  MAX_TIMELOCK_SECS,
  MAX_UNSTAKE_COOLDOWN_SECS,
  MIN_TIMELOCK_SECS,
  TreasuryParams,
  treasuryPdas,
  treasuryProgram,
  TreasuryProgram,
} from "../../app/sdk/src";
import { createAshaoMint, createUsdcMint, TestMint, tokenBalance } from "../utils/tokens";
import { createExtensionMint } from "../utils/extension-mints";
import {
  accountData,
  defaultParams,
  expectTreasuryError,
  pythGuard,
  send,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("initialize: mints, parameter bounds and the singleton", () => {
  const validator = useTestValidator();
  let program: TreasuryProgram;
  let authority: Keypair;
  let usdc: TestMint;
  let ashao2022: TestMint;

  const init = async (ashao: TestMint, params: TreasuryParams = defaultParams()) =>
    send(
      validator.current,
      await initializeIx(program, {
        authority: authority.publicKey,
        usdcMint: usdc.mint,
        ashaoMint: ashao.mint,
        ashaoTokenProgram: ashao.tokenProgram,
        params,
      }),
      authority,
    );

  before(async () => {
    const conn = validator.current.connection;
    authority = validator.current.upgradeAuthority;
    program = treasuryProgram(conn);
    usdc = await createUsdcMint(conn, authority);
    ashao2022 = await createAshaoMint(conn, authority, TOKEN_2022_PROGRAM_ID);
  });

  /** `attempt` fails with `error` and creates none of the treasury's accounts. */
  const expectNothingCreated = async (attempt: Promise<unknown>, error: string) => {
    const pdas = treasuryPdas(program.programId);
    const watched = [pdas.config, pdas.buybackVault, pdas.rewardsVault, pdas.stakeVault];
    const snapshot = () =>
      Promise.all(watched.map((a) => accountData(validator.current.connection, a)));
    const before = await snapshot();
    await expectTreasuryError(attempt, error);
    expect(await snapshot()).to.deep.equal(before);
    expect(await fetchTreasury(program)).to.equal(null);
  };

  it("refuses a Token-2022 mint with a transfer fee by name", async () => {
    const feeMint = await createExtensionMint(
      validator.current.connection,
      authority,
      "transferFee",
    );
    await expectNothingCreated(init(feeMint), "MintHasTransferFee");
  });

  it("refuses equal mints by name", async () => {
    await expectNothingCreated(init(usdc), "SameMint");
  });

  const DAY = 86_400;
  const refusals: [string, Partial<TreasuryParams>, string][] = [
    ["a stream period of 0", { streamPeriodSecs: 0 }, "StreamPeriodTooShort"],
    ["a stream period of 3599 s", { streamPeriodSecs: 3_599 }, "StreamPeriodTooShort"],
    ["a stream period over 30 days", { streamPeriodSecs: 30 * DAY + 1 }, "StreamPeriodTooLong"],
    ["a cooldown of 0", { unstakeCooldownSecs: 0 }, "UnstakeCooldownTooShort"],
    ["a cooldown of 3599 s", { unstakeCooldownSecs: 3_599 }, "UnstakeCooldownTooShort"],
    [
      "a cooldown over 30 days",
      { unstakeCooldownSecs: 30 * DAY + 1, timelockSecs: 30 * DAY },
      "UnstakeCooldownTooLong",
    ],
    ["a buyback interval of 0", { minBuybackIntervalSecs: 0 }, "BuybackIntervalTooShort"],
    ["a buyback interval of 59 s", { minBuybackIntervalSecs: 59 }, "BuybackIntervalTooShort"],
    [
      "a buyback interval over 30 days",
      { minBuybackIntervalSecs: 30 * DAY + 1 },
      "BuybackIntervalTooLong",
    ],
    ["a buyback cap of 0", { maxBuybackUsdc: 0n }, "InvalidMaxBuyback"],
    [
      "a buyback cap over 1,000,000 USDC",
      { maxBuybackUsdc: MAX_BUYBACK_USDC + 1n },
      "InvalidMaxBuyback",
    ],
    ["a timelock of 0", { timelockSecs: 0 }, "InvalidTimelock"],
    ["a timelock under 25 hours", { timelockSecs: MIN_TIMELOCK_SECS - 1 }, "InvalidTimelock"],
    [
      "a timelock shorter than the cooldown",
      { unstakeCooldownSecs: 2 * DAY, timelockSecs: 2 * DAY - 1 },
      "InvalidTimelock",
    ],
    [
      "a timelock equal to the cooldown (no reaction window)",
      { unstakeCooldownSecs: 2 * DAY, timelockSecs: 2 * DAY },
      "InvalidTimelock",
    ],
    [
      "a timelock one second short of the cooldown plus the day's reaction window",
      { unstakeCooldownSecs: 2 * DAY, timelockSecs: 3 * DAY - 1 },
      "InvalidTimelock",
    ],
    ["a timelock over 31 days", { timelockSecs: MAX_TIMELOCK_SECS + 1 }, "InvalidTimelock"],
    [
      "a price guard without a feed id",
      { priceGuard: pythGuard({ feedId: Buffer.alloc(32) }) },
      "InvalidPriceGuard",
    ],
    [
      "a price guard accepting any age (0)",
      { priceGuard: pythGuard({ maxAgeSecs: 0 }) },
      "InvalidPriceGuard",
    ],
    [
      "a price guard accepting prices over an hour old",
      { priceGuard: pythGuard({ maxAgeSecs: MAX_ORACLE_AGE_SECS + 1 }) },
      "InvalidPriceGuard",
    ],
    [
      "a price guard with a zero confidence bound",
      { priceGuard: pythGuard({ maxConfidenceBps: 0 }) },
      "InvalidPriceGuard",
    ],
    [
      "a price guard accepting a confidence over 10%",
      { priceGuard: pythGuard({ maxConfidenceBps: MAX_ORACLE_CONFIDENCE_BPS + 1 }) },
      "InvalidPriceGuard",
    ],
    ["zero slippage", { maxSlippageBps: 0 }, "InvalidSlippage"],
    ["slippage over 10%", { maxSlippageBps: 1_001 }, "InvalidSlippage"],
    [
      "a zero min_stake tier",
      { boostTiers: [{ minStake: 0n, boostBps: 1 }] },
      "BoostTiersNotAscending",
    ],
    ["a boost over 100%", { boostTiers: [{ minStake: 1n, boostBps: 10_001 }] }, "BoostBpsTooHigh"],
    [
      "decreasing boosts",
      {
        boostTiers: [
          { minStake: 5n, boostBps: 10 },
          { minStake: 9n, boostBps: 5 },
        ],
      },
      "BoostBpsDecreasing",
    ],
    ["the default key as crank", { cranks: [PublicKey.default] }, "InvalidCrank"],
  ];
  for (const [what, overrides, error] of refusals) {
    it(`refuses ${what} by ${error}, creating nothing`, async () => {
      await expectNothingCreated(init(ashao2022, defaultParams(overrides)), error);
    });
  }

  it("initialises with a Token-2022 $ASHAO mint at the parameters' edges and stores everything, even with lamports sent to the stake vault's address first", async () => {
    const crank = Keypair.generate().publicKey;
    const pdas = treasuryPdas(program.programId);
    // Anyone can fund the address before initialize; that must not block it.
    await send(
      validator.current,
      SystemProgram.transfer({
        fromPubkey: authority.publicKey,
        toPubkey: pdas.stakeVault,
        lamports: 1_000_000,
      }),
      authority,
    );
    // The floors (defaultParams), the highest cap and oracle bounds, and the longest cooldown
    // (30 days) under the longest timelock (31 days: the cooldown plus the reaction window).
    const guard = pythGuard({
      maxAgeSecs: MAX_ORACLE_AGE_SECS,
      maxConfidenceBps: MAX_ORACLE_CONFIDENCE_BPS,
    });
    await init(
      ashao2022,
      defaultParams({
        cranks: [crank],
        unstakeCooldownSecs: MAX_UNSTAKE_COOLDOWN_SECS,
        timelockSecs: MAX_TIMELOCK_SECS,
        maxBuybackUsdc: MAX_BUYBACK_USDC,
        priceGuard: guard,
      }),
    );
    const vault = await getAccount(
      validator.current.connection,
      pdas.stakeVault,
      "confirmed",
      TOKEN_2022_PROGRAM_ID,
    );
    expect(vault.mint.equals(ashao2022.mint)).to.equal(true);
    expect(vault.owner.equals(pdas.config)).to.equal(true);
    const state = (await fetchTreasury(program))!;
    expect(state.address.equals(pdas.config)).to.equal(true);
    expect(state.authority.equals(authority.publicKey)).to.equal(true);
    expect(state.pendingAuthority).to.equal(null);
    expect(state.usdcMint.equals(usdc.mint)).to.equal(true);
    expect(state.ashaoMint.equals(ashao2022.mint)).to.equal(true);
    expect(state.ashaoTokenProgram.equals(TOKEN_2022_PROGRAM_ID)).to.equal(true);
    expect(state.buybackVault.equals(pdas.buybackVault)).to.equal(true);
    expect(state.rewardsVault.equals(pdas.rewardsVault)).to.equal(true);
    expect(state.stakeVault.equals(pdas.stakeVault)).to.equal(true);
    expect(state.streamPeriodSecs).to.equal(defaultParams().streamPeriodSecs);
    expect(state.unstakeCooldownSecs).to.equal(MAX_UNSTAKE_COOLDOWN_SECS);
    expect(state.timelockSecs).to.equal(MAX_TIMELOCK_SECS);
    expect(state.minBuybackIntervalSecs).to.equal(defaultParams().minBuybackIntervalSecs);
    expect(state.maxBuybackUsdc).to.equal(MAX_BUYBACK_USDC);
    expect(state.priceGuard).to.deep.equal(guard);
    expect(state.queuedChange).to.equal(null);
    expect(state.lastQueuedChange).to.equal(null);
    expect(state.pendingAuthorityEta).to.equal(null);
    expect(state.boostTiers).to.deep.equal(defaultParams().boostTiers);
    expect(state.cranks.map((c) => c.toBase58())).to.deep.equal([crank.toBase58()]);
    expect(state.totalRevenue).to.equal(0n);
    expect(state.totalStaked).to.equal(0n);
    expect(state.paused).to.equal(false);

    const conn = validator.current.connection;
    expect(await tokenBalance(conn, state.stakeVault, TOKEN_2022_PROGRAM_ID)).to.equal(0n);
    const stakeVault = await conn.getAccountInfo(state.stakeVault);
    expect(stakeVault!.owner.equals(TOKEN_2022_PROGRAM_ID)).to.equal(true);
    const buybackVault = await conn.getAccountInfo(state.buybackVault);
    expect(buybackVault!.owner.equals(TOKEN_PROGRAM_ID)).to.equal(true);
  });

  it("refuses a second initialize by name and changes nothing", async () => {
    const config = treasuryPdas(program.programId).config;
    const before = await validator.current.connection.getAccountInfo(config);
    const other = await createAshaoMint(validator.current.connection, authority);
    await expectTreasuryError(init(other), "AccountAlreadyInUse");
    const after = await validator.current.connection.getAccountInfo(config);
    expect(after!.data.equals(before!.data)).to.equal(true);
  });
});
