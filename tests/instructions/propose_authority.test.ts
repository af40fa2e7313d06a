/**
 * propose_authority and accept_authority: the two-step hand-over (the admin is a multisig in
 * production). Only the authority proposes; only the named key accepts; the default key cancels.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  acceptAuthorityIx,
  findTreasuryEvents,
  proposeAuthorityIx,
  setPausedIx,
} from "../../app/sdk/src";
import { expectTreasuryError, send, setupTreasury, TreasuryFixture } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("propose_authority / accept_authority", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let next: Keypair;
  let stranger: Keypair;

  const logsOf = async (signature: string): Promise<string[]> => {
    const tx = await t.validator.connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    return tx?.meta?.logMessages ?? [];
  };
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
    t = await setupTreasury(validator.current);
    next = await t.validator.fundedKeypair(1_000_000_000);
    stranger = await t.validator.fundedKeypair(1_000_000_000);
  });

  it("accept with nothing pending fails with NoPendingAuthority", async () => {
    await expectTreasuryError(accept(next), "NoPendingAuthority");
  });

  it("refuses a proposal from anyone but the authority with Unauthorized", async () => {
    await expectTreasuryError(propose(stranger.publicKey, stranger), "Unauthorized");
    expect((await t.state()).pendingAuthority).to.equal(null);
  });

  it("refuses proposing the current authority with InvalidNewAuthority", async () => {
    await expectTreasuryError(propose(t.authority.publicKey, t.authority), "InvalidNewAuthority");
  });

  it("records the proposal and emits AuthorityProposed; the authority is unchanged", async () => {
    const signature = await propose(next.publicKey, t.authority);
    const state = await t.state();
    expect(state.pendingAuthority?.equals(next.publicKey)).to.equal(true);
    expect(state.authority.equals(t.authority.publicKey)).to.equal(true);
    const [event] = findTreasuryEvents(t.program, await logsOf(signature), "authorityProposed");
    expect(event.data.pendingAuthority.equals(next.publicKey)).to.equal(true);
    expect(event.data.authority.equals(t.authority.publicKey)).to.equal(true);
  });

  it("refuses acceptance by anyone but the pending authority with NotPendingAuthority", async () => {
    await expectTreasuryError(accept(stranger), "NotPendingAuthority");
    expect((await t.state()).authority.equals(t.authority.publicKey)).to.equal(true);
  });

  it("cancels with the default key, after which accept finds nothing pending", async () => {
    await propose(PublicKey.default, t.authority);
    expect((await t.state()).pendingAuthority).to.equal(null);
    await expectTreasuryError(accept(next), "NoPendingAuthority");
  });

  it("hands over on acceptance: AuthorityTransferred, new authority rules, old one refused", async () => {
    await propose(next.publicKey, t.authority, stranger);
    const signature = await accept(next);
    const state = await t.state();
    expect(state.authority.equals(next.publicKey)).to.equal(true);
    expect(state.pendingAuthority).to.equal(null);
    const [event] = findTreasuryEvents(t.program, await logsOf(signature), "authorityTransferred");
    expect(event.data.previousAuthority.equals(t.authority.publicKey)).to.equal(true);
    expect(event.data.newAuthority.equals(next.publicKey)).to.equal(true);

    await expectTreasuryError(
      (async () =>
        send(
          t.validator,
          await setPausedIx(t.program, t.accounts, {
            authority: t.authority.publicKey,
            paused: true,
          }),
          t.authority,
        ))(),
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
