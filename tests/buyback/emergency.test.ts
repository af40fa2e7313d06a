/**
 * An emergency change sticks, tried from outside the way an attacker holding one leaked key
 * would: a change queued before a risk-reducing `update_config` never brings back what that
 * update removed, whoever applies it at its eta. The update drops the queued change
 * (`ConfigChangeCancelled`, outcome `superseded`); applying it is refused by name and the
 * crank's buyback stays refused.
 */
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import { LOCAL_PRICE_GUARD } from "../../app/localnet/price-feed";
import {
  applyConfigChangeIx,
  configChangeFromEvent,
  configChangeToJson,
  type ConfigChange,
  NO_PRICE_GUARD,
  paramsToJson,
  queueConfigChangeIx,
  treasuryParamsOf,
  treasuryPolicy,
  updateConfigIx,
} from "../../app/sdk/src";
import {
  advanceClockTo,
  expectConfigUnchanged,
  expectTreasuryError,
  send,
  transactionEvent,
  transactionEvents,
} from "../utils/treasury";
import { type TestValidator, useTestValidator } from "../utils/validator";
import { type BuybackFixture, setupBuyback, USDC } from "./fixture";

/** The authority's actions and the leaked crank's, on one buyback fixture. */
function actions(validator: TestValidator, f: BuybackFixture) {
  const { t, crank } = f;
  return {
    /** Queues `change`; returns its eta. */
    async queue(change: ConfigChange): Promise<bigint> {
      const ix = await queueConfigChangeIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change,
      });
      const signature = await send(validator, ix, t.authority);
      return (await transactionEvent(t, signature, "configChangeQueued")).eta;
    },
    async update(change: ConfigChange): Promise<string> {
      const ix = await updateConfigIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change,
      });
      return send(validator, ix, t.authority);
    },
    /** The leaked crank key applies the queued change itself. */
    async applyAsCrank(): Promise<string> {
      const ix = await applyConfigChangeIx(t.program, t.accounts, { caller: crank.publicKey });
      return send(validator, ix, crank);
    },
    async buyback(): Promise<string> {
      await f.oracle.publish();
      return send(validator, await f.buybackIxs({ usdcAmount: 100n * USDC }), crank);
    },
  };
}

describe("an emergency change sticks: cranks", () => {
  const validator = useTestValidator();
  let f: BuybackFixture;
  let act: ReturnType<typeof actions>;

  before(async () => {
    f = await setupBuyback(validator.current);
    act = actions(validator.current, f);
  });

  it("cranks A, B, C queued; A removed at once; at the eta A's apply is refused and A stays out", async () => {
    const a = f.crank.publicKey;
    const [b, c] = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const queued: ConfigChange = { cranks: [a, b, c] };
    const eta = await act.queue(queued);

    // A's key leaks: the authority removes A at once (risk-reducing, so immediate).
    const signature = await act.update({ cranks: [] });
    const events = await transactionEvents(f.t, signature);
    expect(events.map((e) => e.name)).to.deep.equal(["configUpdated", "configChangeCancelled"]);
    const dropped = await transactionEvent(f.t, signature, "configChangeCancelled");
    expect(Object.keys(dropped.outcome)).to.deep.equal(["superseded"]);
    expect(dropped.eta).to.equal(eta);
    expect(configChangeToJson(configChangeFromEvent(dropped.change))).to.deep.equal(
      configChangeToJson(queued),
    );
    const state = await f.t.state();
    expect(state.queuedChange).to.equal(null);
    expect(state.lastQueuedChange).to.deep.equal({
      outcome: "superseded",
      eta,
      at: dropped.unixTimestamp,
    });
    expect(treasuryPolicy(state).lastQueuedChange?.outcome).to.equal("superseded");
    await expectTreasuryError(act.buyback(), "CrankNotAllowed");

    // At the eta, A itself tries to apply the change decided before the emergency.
    await advanceClockTo(validator.current.connection, eta);
    await expectConfigUnchanged(f.t, act.applyAsCrank, "NoQueuedConfigChange");
    expect((await f.t.state()).cranks).to.deep.equal([]);
    const before = await f.balances();
    await expectTreasuryError(act.buyback(), "CrankNotAllowed");
    expect(await f.balances()).to.deep.equal(before);
  });
});

describe("an emergency change sticks: the price guard", () => {
  const validator = useTestValidator();
  let f: BuybackFixture;
  let act: ReturnType<typeof actions>;

  before(async () => {
    f = await setupBuyback(validator.current);
    act = actions(validator.current, f);
  });

  it("an update that changes no field the queued change sets leaves it to apply at its eta", async () => {
    const eta = await act.queue({ maxBuybackUsdc: 2_000n * USDC });
    const signature = await act.update({ maxSlippageBps: 50 });
    expect((await transactionEvents(f.t, signature)).map((e) => e.name)).to.deep.equal([
      "configUpdated",
    ]);
    await advanceClockTo(validator.current.connection, eta);
    await act.applyAsCrank();
    const state = await f.t.state();
    expect([state.maxBuybackUsdc, state.maxSlippageBps]).to.deep.equal([2_000n * USDC, 50]);
    expect(state.lastQueuedChange?.outcome).to.equal("applied");
  });

  it("a guard change queued, then buybacks switched off (no guard): applying it is refused and buybacks stay off", async () => {
    const eta = await act.queue({ priceGuard: { ...LOCAL_PRICE_GUARD, maxAgeSecs: 30 } });
    const signature = await act.update({ priceGuard: NO_PRICE_GUARD });
    const dropped = await transactionEvent(f.t, signature, "configChangeCancelled");
    expect(Object.keys(dropped.outcome)).to.deep.equal(["superseded"]);
    await expectTreasuryError(act.buyback(), "NoPriceGuard");

    await advanceClockTo(validator.current.connection, eta);
    await expectConfigUnchanged(f.t, act.applyAsCrank, "NoQueuedConfigChange");
    const params = paramsToJson(treasuryParamsOf(await f.t.state()));
    expect(params.priceGuard).to.deep.equal({ kind: "none" });
    const before = await f.balances();
    await expectTreasuryError(act.buyback(), "NoPriceGuard");
    expect(await f.balances()).to.deep.equal(before);
  });
});
