/**
 * cancel_config_change: the authority drops the queued change, which then never applies; a
 * stranger cannot, and with nothing queued there is nothing to cancel. The treasury records how
 * the last queued change left (cancelled, or expired when its 14 days had run out); a new queue
 * replaces an expired change.
 */
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  applyConfigChangeIx,
  cancelConfigChangeIx,
  ConfigChange,
  configChangeFromEvent,
  configChangeToJson,
  paramsToJson,
  queueConfigChangeIx,
  TIMELOCK_GRACE_SECS,
  treasuryParamsOf,
} from "../../app/sdk/src";
import {
  advanceClockTo,
  expectConfigUnchanged,
  send,
  setupTreasury,
  transactionEvent,
  transactionEvents,
  TreasuryFixture,
} from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

describe("cancel_config_change", () => {
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let stranger: Keypair;

  const queue = async (change: ConfigChange) =>
    send(
      t.validator,
      await queueConfigChangeIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change,
      }),
      t.authority,
    );
  const cancel = async (signer: Keypair = t.authority) =>
    send(
      t.validator,
      await cancelConfigChangeIx(t.program, t.accounts, { authority: signer.publicKey }),
      signer,
    );
  const apply = async () =>
    send(
      t.validator,
      await applyConfigChangeIx(t.program, t.accounts, { caller: stranger.publicKey }),
      stranger,
    );

  before(async () => {
    t = await setupTreasury(validator.current);
    stranger = await t.validator.fundedKeypair(1_000_000_000);
  });

  it("refuses with NoQueuedConfigChange when nothing is queued", async () => {
    await expectConfigUnchanged(t, () => cancel(), "NoQueuedConfigChange");
  });

  const change: ConfigChange = { maxSlippageBps: 1_000, cranks: [Keypair.generate().publicKey] };
  let eta: bigint;

  it("refuses a stranger with Unauthorized; the change stays queued", async () => {
    eta = (await transactionEvent(t, await queue(change), "configChangeQueued")).eta;
    await expectConfigUnchanged(t, () => cancel(stranger), "Unauthorized");
    expect((await t.state()).queuedChange!.eta).to.equal(eta);
  });

  it("the authority cancels, emitting ConfigChangeCancelled; after the eta there is nothing to apply", async () => {
    const before = paramsToJson(treasuryParamsOf(await t.state()));
    const signature = await cancel();
    const event = await transactionEvent(t, signature, "configChangeCancelled");
    expect(event.authority.equals(t.authority.publicKey)).to.equal(true);
    expect(event.eta).to.equal(eta);
    expect(Object.keys(event.outcome)).to.deep.equal(["cancelled"]);
    expect(configChangeToJson(configChangeFromEvent(event.change))).to.deep.equal(
      configChangeToJson(change),
    );
    const state = await t.state();
    expect(state.queuedChange).to.equal(null);
    expect(state.lastQueuedChange).to.deep.equal({
      outcome: "cancelled",
      eta,
      at: event.unixTimestamp,
    });

    await advanceClockTo(t.validator.connection, eta);
    await expectConfigUnchanged(t, () => apply(), "NoQueuedConfigChange");
    expect(paramsToJson(treasuryParamsOf(await t.state()))).to.deep.equal(before);
  });

  it("a new change can be queued after a cancel", async () => {
    const signature = await queue({ maxSlippageBps: 300 });
    const event = await transactionEvent(t, signature, "configChangeQueued");
    eta = event.eta;
    expect((await t.state()).queuedChange!.eta).to.equal(eta);
  });

  it("once expired, the next queued change replaces it (outcome expired) in the same transaction", async () => {
    await advanceClockTo(t.validator.connection, eta + BigInt(TIMELOCK_GRACE_SECS) + 1n);
    await expectConfigUnchanged(t, () => apply(), "ConfigChangeExpired");
    const signature = await queue({ maxSlippageBps: 400 });
    expect((await transactionEvents(t, signature)).map((e) => e.name)).to.deep.equal([
      "configChangeCancelled",
      "configChangeQueued",
    ]);
    const dropped = await transactionEvent(t, signature, "configChangeCancelled");
    expect(Object.keys(dropped.outcome)).to.deep.equal(["expired"]);
    expect(dropped.eta).to.equal(eta);
    const state = await t.state();
    expect(state.lastQueuedChange?.outcome).to.equal("expired");
    expect(configChangeToJson(state.queuedChange!.change)).to.deep.equal({ maxSlippageBps: 400 });
  });

  it("cancelling a change past its 14 days records it as expired", async () => {
    const queued = (await t.state()).queuedChange!;
    await advanceClockTo(t.validator.connection, queued.eta + BigInt(TIMELOCK_GRACE_SECS) + 1n);
    const event = await transactionEvent(t, await cancel(), "configChangeCancelled");
    expect(Object.keys(event.outcome)).to.deep.equal(["expired"]);
    expect((await t.state()).lastQueuedChange).to.deep.equal({
      outcome: "expired",
      eta: queued.eta,
      at: event.unixTimestamp,
    });
  });
});
