/**
 * sync_revenue: USDC that reached the vaults by plain transfer (the settlement's simplest path)
 * is accounted as revenue, split 50/50 like a deposit, and the vaults are rebalanced so each
 * holds exactly what the treasury accounts there. Permissionless. Errors: NothingToSync, Paused.
 */
import { createTransferCheckedInstruction } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  depositRevenueIx,
  findTreasuryEvents,
  setPausedIx,
  splitRevenue,
  stakeIx,
  syncRevenueIx,
  TreasuryState,
} from "../../app/sdk/src";
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

describe("sync_revenue", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let settlement: Staker;
  let cranker: Staker;

  const logsOf = async (signature: string): Promise<string[]> => {
    const tx = await t.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    return tx?.meta?.logMessages ?? [];
  };
  const balance = (account: PublicKey) => tokenBalance(t.validator.connection, account);
  const transferTo = async (vault: PublicKey, amount: bigint) =>
    send(
      t.validator,
      createTransferCheckedInstruction(
        settlement.usdcAccount,
        t.usdc.mint,
        vault,
        settlement.keypair.publicKey,
        amount,
        t.usdc.decimals,
      ),
      settlement.keypair,
    );
  /** Permissionless: `by` is any signer. */
  const sync = async (by: Staker = cranker) =>
    send(
      t.validator,
      await syncRevenueIx(t.program, t.accounts, { payer: by.keypair.publicKey }),
      by.keypair,
    );
  /** Each vault holds exactly what the treasury accounts for there. */
  const expectVaultsExact = async (state: TreasuryState) => {
    expect(await balance(t.accounts.buybackVault)).to.equal(state.buybackBucket);
    expect(await balance(t.accounts.rewardsVault)).to.equal(
      state.streamRemaining + state.totalRewardsReleased - state.totalRewardsClaimed,
    );
  };

  before(async () => {
    t = await setupTreasury(validator.current);
    settlement = await newStaker(t, 0n, 1_000_000_000n);
    cranker = await newStaker(t, 0n);
  });

  it("refuses with NothingToSync when the vaults hold nothing unaccounted", async () => {
    await expectTreasuryError(sync(), "NothingToSync");
    // Also after a deposit, which is accounted already.
    await send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: settlement.keypair.publicKey,
        source: settlement.usdcAccount,
        amount: 1_000n,
      }),
      settlement.keypair,
    );
    await expectTreasuryError(sync(), "NothingToSync");
  });

  it("accounts a plain transfer into the buyback vault, moving the stakers' half across", async () => {
    const before = await t.state();
    await transferTo(t.accounts.buybackVault, 777_777n);
    const signature = await sync();
    const { toBuyback, toStakers } = splitRevenue(777_777n);
    const after = await t.state();
    expect(after.totalRevenue - before.totalRevenue).to.equal(777_777n);
    expect(after.buybackBucket - before.buybackBucket).to.equal(toBuyback);
    expect(after.totalToStakers - before.totalToStakers).to.equal(toStakers);
    await expectVaultsExact(after);

    const [event] = findTreasuryEvents(t.program, await logsOf(signature), "revenueDeposited");
    expect(event.data.source).to.deep.equal({ sync: {} });
    expect(event.data.payer.equals(cranker.keypair.publicKey)).to.equal(true);
    expect(event.data.amount).to.equal(777_777n);
    expect(event.data.toBuyback).to.equal(toBuyback);
    expect(event.data.toStakers).to.equal(toStakers);
    expect(event.data.totalRevenue).to.equal(after.totalRevenue);
    expect(event.data.buybackBucket).to.equal(after.buybackBucket);
  });

  it("accounts a plain transfer into the rewards vault, moving the buyback half across", async () => {
    const before = await t.state();
    await transferTo(t.accounts.rewardsVault, 1_001n);
    await sync(settlement);
    const after = await t.state();
    expect(after.totalRevenue - before.totalRevenue).to.equal(1_001n);
    expect(after.buybackBucket - before.buybackBucket).to.equal(501n);
    expect(after.totalToStakers - before.totalToStakers).to.equal(500n);
    await expectVaultsExact(after);
  });

  it("accounts transfers into both vaults at once, with stakers present", async () => {
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
    const before = await t.state();
    await transferTo(t.accounts.buybackVault, 10n);
    await transferTo(t.accounts.rewardsVault, 3n);
    await sync();
    const after = await t.state();
    expect(after.totalRevenue - before.totalRevenue).to.equal(13n);
    expect(after.buybackBucket - before.buybackBucket).to.equal(7n);
    expect(after.totalToStakers - before.totalToStakers).to.equal(6n);
    await expectVaultsExact(after);
    // Conservation: everything that came in is in the vaults (nothing spent or claimed yet).
    expect(
      (await balance(t.accounts.buybackVault)) + (await balance(t.accounts.rewardsVault)),
    ).to.equal(after.totalRevenue);
  });

  it("refuses while paused with Paused; the transfer is accounted after unpausing", async () => {
    await transferTo(t.accounts.buybackVault, 50n);
    const pause = async (paused: boolean) =>
      send(
        t.validator,
        await setPausedIx(t.program, t.accounts, { authority: t.authority.publicKey, paused }),
        t.authority,
      );
    await pause(true);
    await expectTreasuryError(sync(), "Paused");
    await pause(false);
    const before = await t.state();
    await sync(settlement);
    expect((await t.state()).totalRevenue - before.totalRevenue).to.equal(50n);
  });
});
