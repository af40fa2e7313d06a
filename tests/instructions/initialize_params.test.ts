/**
 * initialize through the SDK: refused mints and parameters by name (nothing created), then a
 * Token-2022 $ASHAO treasury with its state asserted, and a second initialize refused.
 */
import { getAccount, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram } from "@solana/web3.js";
import { expect } from "chai";

import {
  fetchTreasury,
  initializeIx,
  TreasuryParams,
  treasuryPdas,
  treasuryProgram,
  TreasuryProgram,
} from "../../app/sdk/src";
import { createAshaoMint, createUsdcMint, TestMint, tokenBalance } from "../utils/tokens";
import { createExtensionMint } from "../utils/extension-mints";
import { defaultParams, expectTreasuryError, send } from "../utils/treasury";
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
    authority = await validator.current.fundedKeypair(20 * LAMPORTS_PER_SOL);
    program = treasuryProgram(conn);
    usdc = await createUsdcMint(conn, authority);
    ashao2022 = await createAshaoMint(conn, authority, TOKEN_2022_PROGRAM_ID);
  });

  afterEach(async function () {
    if (
      this.currentTest?.title.startsWith("refuses ") &&
      !this.currentTest.title.includes("second")
    ) {
      expect(await fetchTreasury(program)).to.equal(null);
    }
  });

  it("refuses a Token-2022 mint with a transfer fee by name", async () => {
    const feeMint = await createExtensionMint(
      validator.current.connection,
      authority,
      "transferFee",
    );
    await expectTreasuryError(init(feeMint), "MintHasTransferFee");
  });

  it("refuses equal mints by name", async () => {
    await expectTreasuryError(init(usdc), "SameMint");
  });

  it("refuses out-of-bound parameters by name", async () => {
    const cases: [Partial<TreasuryParams>, string][] = [
      [{ streamPeriodSecs: 30 * 86_400 + 1 }, "StreamPeriodTooLong"],
      [{ unstakeCooldownSecs: 30 * 86_400 + 1 }, "UnstakeCooldownTooLong"],
      [{ maxSlippageBps: 0 }, "InvalidSlippage"],
      [{ maxSlippageBps: 1_001 }, "InvalidSlippage"],
      [{ maxBuybackUsdc: 0n }, "InvalidMaxBuyback"],
      [{ minBuybackIntervalSecs: 30 * 86_400 + 1 }, "BuybackIntervalTooLong"],
      [{ boostTiers: [{ minStake: 0n, boostBps: 1 }] }, "BoostTiersNotAscending"],
      [{ boostTiers: [{ minStake: 1n, boostBps: 10_001 }] }, "BoostBpsTooHigh"],
      [
        {
          boostTiers: [
            { minStake: 5n, boostBps: 10 },
            { minStake: 9n, boostBps: 5 },
          ],
        },
        "BoostBpsDecreasing",
      ],
      [{ cranks: [PublicKey.default] }, "InvalidCrank"],
    ];
    for (const [overrides, name] of cases) {
      await expectTreasuryError(init(ashao2022, defaultParams(overrides)), name);
    }
  });

  it("initialises with a Token-2022 $ASHAO mint and stores everything, even with lamports sent to the stake vault's address first", async () => {
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
    await init(ashao2022, defaultParams({ cranks: [crank], unstakeCooldownSecs: 86_400 }));
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
    expect(state.unstakeCooldownSecs).to.equal(86_400);
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
