/**
 * propose_authority and accept_authority: the two-step hand-over (the admin is a multisig in
 * production), timelocked like any risk-adding change. Only the authority proposes; only the
 * named key accepts, not before the timelock has passed and not more than 14 days after (a stale
 * proposal expires like a queued change); the default key cancels at once.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  acceptAuthorityIx,
  proposeAuthorityIx,
  setPausedIx,
  TIMELOCK_GRACE_SECS,
  treasuryPolicy,
} from "../../app/sdk/src";
import {
  advanceClockTo,
  expectConfigUnchanged,
  send,
  setupTreasury,
  transactionEvent,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

/** Seconds a transaction may take to land once the clock is moved (it runs with the wall clock). */
const LANDING_SECS = 30n;

describe("propose_authority / accept_authority", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let next: Keypair;
  let stranger: Keypair;

  const propose = async (newAuthority: PublicKey, signer: Keypair, feePayer?: Keypair) =>
    send(
      t.validator,
      await proposeAuthorityIx(t.program, t.accounts, {
        authority: signer.publicKey,
        newAuthority,
      }),
      ...(feePayer ? [feePayer, signer] : [signer]),
    );
  const accept = async (signer: Keypair) =>
    send(
      t.validator,
      await acceptAuthorityIx(t.program, t.accounts, { newAuthority: signer.publicKey }),
      signer,
    );

  before(async () => {
    t = await setupTreasury(validator.current); // a 25-hour timelock
    next = await t.validator.fundedKeypair(1_000_000_000);
    stranger = await t.validator.fundedKeypair(1_000_000_000);
  });

  it("accept with nothing pending fails with NoPendingAuthority", async () => {
    await expectConfigUnchanged(t, () => accept(next), "NoPendingAuthority");
  });

  it("refuses a proposal from anyone but the authority with Unauthorized", async () => {
    await expectConfigUnchanged(t, () => propose(stranger.publicKey, stranger), "Unauthorized");
    expect((await t.state()).pendingAuthority).to.equal(null);
  });

  it("refuses proposing the current authority with InvalidNewAuthority", async () => {
    await expectConfigUnchanged(
      t,
      () => propose(t.authority.publicKey, t.authority),
      "InvalidNewAuthority",
    );
  });

  let acceptAfter: bigint;

  it("records the proposal, acceptable after the timelock, and emits AuthorityProposed; the authority is unchanged", async () => {
    const signature = await propose(next.publicKey, t.authority);
    const event = await transactionEvent(t, signature, "authorityProposed");
    acceptAfter = event.acceptAfter;
    expect(acceptAfter).to.equal(event.unixTimestamp + BigInt((await t.state()).timelockSecs));
    expect(event.pendingAuthority.equals(next.publicKey)).to.equal(true);
    expect(event.authority.equals(t.authority.publicKey)).to.equal(true);
    const state = await t.state();
    expect(state.pendingAuthority?.equals(next.publicKey)).to.equal(true);
    expect(state.pendingAuthorityEta).to.equal(acceptAfter);
    expect(state.authority.equals(t.authority.publicKey)).to.equal(true);
  });

  it("refuses acceptance by anyone but the pending authority with NotPendingAuthority", async () => {
    await expectConfigUnchanged(t, () => accept(stranger), "NotPendingAuthority");
  });

  it("refuses acceptance before the timelock has passed with TimelockNotElapsed", async () => {
    await expectConfigUnchanged(t, () => accept(next), "TimelockNotElapsed");
    await advanceClockTo(t.validator.connection, acceptAfter - 60n);
    await expectConfigUnchanged(t, () => accept(next), "TimelockNotElapsed");
  });

  it("cancels at once with the default key, after which accept finds nothing pending", async () => {
    const signature = await propose(PublicKey.default, t.authority);
    const event = await transactionEvent(t, signature, "authorityProposed");
    expect(event.pendingAuthority.equals(PublicKey.default)).to.equal(true);
    expect(event.acceptAfter).to.equal(0n);
    const state = await t.state();
    expect(state.pendingAuthority).to.equal(null);
    expect(state.pendingAuthorityEta).to.equal(null);
    await advanceClockTo(t.validator.connection, acceptAfter);
    await expectConfigUnchanged(t, () => accept(next), "NoPendingAuthority");
  });

  it("refuses a stale proposal, 14 days past its accept_after, with AuthorityProposalExpired", async () => {
    const proposed = await propose(next.publicKey, t.authority);
    const after = (await transactionEvent(t, proposed, "authorityProposed")).acceptAfter;
    const expiresAt = after + BigInt(TIMELOCK_GRACE_SECS);
    const policy = treasuryPolicy(await t.state());
    expect(policy.pendingAuthority?.expiresAt.unix).to.equal(Number(expiresAt));
    await advanceClockTo(t.validator.connection, expiresAt + 1n);
    await expectConfigUnchanged(t, () => accept(next), "AuthorityProposalExpired");
    expect((await t.state()).authority.equals(t.authority.publicKey)).to.equal(true);
  });

  it("hands over at the timelock's end: AuthorityTransferred, new authority rules, old one refused", async () => {
    const proposed = await propose(next.publicKey, t.authority, stranger);
    acceptAfter = (await transactionEvent(t, proposed, "authorityProposed")).acceptAfter;
    await advanceClockTo(t.validator.connection, acceptAfter);
    const signature = await accept(next);
    const state = await t.state();
    expect(state.authority.equals(next.publicKey)).to.equal(true);
    expect(state.pendingAuthority).to.equal(null);
    const event = await transactionEvent(t, signature, "authorityTransferred");
    expect(event.previousAuthority.equals(t.authority.publicKey)).to.equal(true);
    expect(event.newAuthority.equals(next.publicKey)).to.equal(true);
    expect(
      event.unixTimestamp >= acceptAfter && event.unixTimestamp < acceptAfter + LANDING_SECS,
    ).to.equal(true);

    await expectConfigUnchanged(
      t,
      async () =>
        send(
          t.validator,
          await setPausedIx(t.program, t.accounts, {
            authority: t.authority.publicKey,
            paused: true,
          }),
          t.authority,
        ),
      "Unauthorized",
    );
    await send(
      t.validator,
      await setPausedIx(t.program, t.accounts, { authority: next.publicKey, paused: true }),
      next,
    );
    expect((await t.state()).paused).to.equal(true);
  });
});
