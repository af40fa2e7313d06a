/**
 * set_paused: only the authority; idempotent; pause stops stakes, deposits and syncs but never a
 * staker's exit (request_unstake, withdraw, claim, close_position).
 */
import { createTransferCheckedInstruction } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  claimIx,
  closePositionIx,
  depositRevenueIx,
  findTreasuryEvents,
  requestUnstakeIx,
  setPausedIx,
  stakeIx,
  syncRevenueIx,
  withdrawIx,
} from "../../app/sdk/src";
import { advanceClock } from "../../app/localnet/validator";
import { tokenBalance } from "../utils/tokens";
import {
  expectConfigUnchanged,
  expectTreasuryError,
  newStaker,
  send,
  setupTreasury,
  Staker,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("set_paused", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let staker: Staker;
  let payer: Staker;

  const logsOf = async (signature: string): Promise<string[]> => {
    const tx = await t.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    return tx?.meta?.logMessages ?? [];
  };
  /** `feePayer` lets a repeat of the same call be a different transaction (new signature). */
  const pause = async (paused: boolean, signer: Keypair = t.authority, feePayer?: Keypair) =>
    send(
      t.validator,
      await setPausedIx(t.program, t.accounts, { authority: signer.publicKey, paused }),
      ...(feePayer ? [feePayer, signer] : [signer]),
    );

  before(async () => {
    t = await setupTreasury(validator.current); // a one-hour stream and cooldown
    staker = await newStaker(t, 5_000_000_000n);
    payer = await newStaker(t, 0n, 10_000_000n);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: staker.keypair.publicKey,
        ownerAshao: staker.ashaoAccount,
        amount: 2_000_000_000n,
      }),
      staker.keypair,
    );
    await send(
      t.validator,
      await depositRevenueIx(t.program, t.accounts, {
        payer: payer.keypair.publicKey,
        source: payer.usdcAccount,
        amount: 1_000_000n,
      }),
      payer.keypair,
    );
  });

  it("refuses anyone but the authority with Unauthorized, and changes nothing", async () => {
    const stranger = await t.validator.fundedKeypair(1_000_000_000);
    await expectConfigUnchanged(t, () => pause(true, stranger), "Unauthorized");
    expect((await t.state()).paused).to.equal(false);
  });

  it("pauses, emitting PauseSet, and is idempotent", async () => {
    const signature = await pause(true);
    expect((await t.state()).paused).to.equal(true);
    const [event] = findTreasuryEvents(t.program, await logsOf(signature), "pauseSet");
    expect(event.data.paused).to.equal(true);
    expect(event.data.authority.equals(t.authority.publicKey)).to.equal(true);

    await pause(true, t.authority, payer.keypair);
    expect((await t.state()).paused).to.equal(true);
  });

  it("refuses stake, deposit_revenue and sync_revenue with Paused", async () => {
    const before = await t.state();
    await expectTreasuryError(
      (async () =>
        send(
          t.validator,
          await stakeIx(t.program, t.accounts, {
            owner: staker.keypair.publicKey,
            ownerAshao: staker.ashaoAccount,
            amount: 1n,
          }),
          staker.keypair,
        ))(),
      "Paused",
    );
    await expectTreasuryError(
      (async () =>
        send(
          t.validator,
          await depositRevenueIx(t.program, t.accounts, {
            payer: payer.keypair.publicKey,
            source: payer.usdcAccount,
            amount: 1_000n,
          }),
          payer.keypair,
        ))(),
      "Paused",
    );
    // A plain transfer into the vault lands (SPL Token knows nothing of the pause); its sync waits.
    await send(
      t.validator,
      createTransferCheckedInstruction(
        payer.usdcAccount,
        t.usdc.mint,
        t.accounts.buybackVault,
        payer.keypair.publicKey,
        1_000n,
        t.usdc.decimals,
      ),
      payer.keypair,
    );
    await expectTreasuryError(
      (async () =>
        send(
          t.validator,
          await syncRevenueIx(t.program, t.accounts, { payer: payer.keypair.publicKey }),
          payer.keypair,
        ))(),
      "Paused",
    );
    const after = await t.state();
    expect(after.totalStaked).to.equal(before.totalStaked);
    expect(after.totalRevenue).to.equal(before.totalRevenue);
  });

  it("lets a staker leave with everything they own while paused: unstake, withdraw after the cooldown, claim, close", async () => {
    const owner = staker.keypair.publicKey;
    // The stream runs on while paused: after its hour the only staker has earned all of it.
    await advanceClock(t.validator.connection, 3_600);
    await send(
      t.validator,
      await requestUnstakeIx(t.program, t.accounts, { owner, amount: 2_000_000_000n }),
      staker.keypair,
    );
    await advanceClock(t.validator.connection, 3_600); // the cooldown, still paused
    expect((await t.state()).paused).to.equal(true);
    await send(
      t.validator,
      await withdrawIx(t.program, t.accounts, { owner, destination: staker.ashaoAccount }),
      staker.keypair,
    );
    expect(await tokenBalance(t.validator.connection, staker.ashaoAccount)).to.equal(
      5_000_000_000n,
    );
    await send(
      t.validator,
      await claimIx(t.program, t.accounts, { owner, destination: staker.usdcAccount }),
      staker.keypair,
    );
    expect(await tokenBalance(t.validator.connection, staker.usdcAccount)).to.equal(500_000n);
    await send(
      t.validator,
      await closePositionIx(t.program, t.accounts, { owner }),
      staker.keypair,
    );
    expect(await t.position(owner)).to.equal(null);
  });

  it("unpauses, after which staking and syncing work again", async () => {
    await pause(false);
    expect((await t.state()).paused).to.equal(false);
    await send(
      t.validator,
      await stakeIx(t.program, t.accounts, {
        owner: staker.keypair.publicKey,
        ownerAshao: staker.ashaoAccount,
        amount: 1_000_000_000n,
      }),
      staker.keypair,
    );
    await send(
      t.validator,
      await syncRevenueIx(t.program, t.accounts, { payer: payer.keypair.publicKey }),
      payer.keypair,
    );
    const state = await t.state();
    expect(state.totalStaked).to.equal(1_000_000_000n);
    expect(state.totalRevenue).to.equal(1_001_000n);
  });
});
