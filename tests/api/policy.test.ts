/**
 * The API's view of who may change what: the price guard, timelock, a queued change with its eta
 * and expiry, a pending authority with when it may accept and until when, each as the chain holds
 * it; the same after the timelock passes and anyone applies the change; what became of the last
 * queued change (applied, superseded by an emergency update); the admin actions the indexer
 * stored.
 */
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { advanceClock } from "../../app/localnet/validator";
import { type ApiServer, startApiServer } from "../../app/server/src";
import {
  applyConfigChangeIx,
  feedIdFromHex,
  paramsToJson,
  proposeAuthorityIx,
  queueConfigChangeIx,
  TIMELOCK_GRACE_SECS,
  updateConfigIx,
  type TreasuryFigures,
  type TreasuryPolicy,
} from "../../app/sdk/src";
import { defaultParams, send, setupTreasury, transactionEvent } from "../utils/treasury";
import type { TreasuryFixture } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";
import { waitFor } from "../utils/wait";

type TreasuryAnswer = TreasuryFigures & {
  ageMs: number;
  chainTime: number;
  policy: TreasuryPolicy;
};

interface AdminLogAnswer {
  actions: { event: string; signature: string; data: Record<string, unknown> }[];
}

const FEED_ID = "0x" + "ab".repeat(16) + "0123456789abcdef".repeat(2);
const DAY = 86_400;

describe("API: the treasury's policy and admin changes", () => {
  let api: ApiServer;
  // Before the validator's own `after` (hooks run in order): the API lets go of its sockets
  // while the validator still answers.
  after(async () => api?.close());
  const validator = useTestValidator();
  let t: TreasuryFixture;
  const params = defaultParams({
    priceGuard: {
      kind: "pythPull",
      feedId: feedIdFromHex(FEED_ID),
      maxAgeSecs: 60,
      maxConfidenceBps: 200,
    },
    timelockSecs: 2 * DAY,
  });

  const get = (path: string) => fetch(`${api.url}${path}`);
  const treasury = async () => (await (await get("/api/treasury")).json()) as TreasuryAnswer;
  /** The API's answer once its snapshot has seen the transaction `signature`. */
  const treasuryAfter = async (signature: string) => {
    const status = await validator.current.connection.getSignatureStatus(signature);
    const slot = status.value!.slot;
    return waitFor(`the snapshot at slot ${slot}`, async () => {
      const answer = await treasury();
      return answer.slot >= slot ? answer : undefined;
    });
  };
  const adminLogHas = (signature: string) =>
    waitFor(`the admin log to hold ${signature}`, async () => {
      const body = (await (await get("/api/treasury/admin-log")).json()) as AdminLogAnswer;
      return body.actions.some((a) => a.signature === signature) ? body : undefined;
    });

  before(async () => {
    t = await setupTreasury(validator.current, params);
    api = await startApiServer({
      rpcUrl: validator.current.rpcUrl,
      wsUrl: validator.current.wsUrl,
    });
    await api.ready;
  });

  it("serves the price guard, the timelock and every parameter as the chain holds them", async () => {
    const { policy, chainTime } = await treasury();
    expect(policy.authority).to.equal(t.authority.publicKey.toBase58());
    expect(policy.priceGuard).to.deep.equal({
      kind: "pythPull",
      feedId: FEED_ID,
      maxAgeSecs: 60,
      maxConfidenceBps: 200,
    });
    expect(policy.timelockSecs).to.equal(2 * DAY);
    expect(policy.params).to.deep.equal(paramsToJson(params));
    expect(policy.params.maxBuybackUsdc).to.equal("1000000000");
    expect(policy.queuedChange).to.equal(null);
    expect(policy.lastQueuedChange).to.equal(null);
    expect(policy.pendingAuthority).to.equal(null);
    const state = await t.state();
    expect(chainTime).to.be.at.least(Number(state.lastUpdateTs));
  });

  it("shows a queued change field by field with its eta and its expiry 14 days later", async () => {
    const crank = Keypair.generate().publicKey;
    const signature = await send(
      validator.current,
      await queueConfigChangeIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change: { maxBuybackUsdc: 3_000_000_000n, cranks: [crank] },
      }),
      t.authority,
    );
    const queued = await transactionEvent(t, signature, "configChangeQueued");
    const { policy } = await treasuryAfter(signature);
    const eta = Number(queued.eta);
    expect(eta).to.equal(Number(queued.unixTimestamp) + 2 * DAY);
    expect(policy.queuedChange).to.deep.equal({
      changes: [
        { field: "maxBuybackUsdc", current: "1000000000", queued: "3000000000" },
        { field: "cranks", current: [], queued: [crank.toBase58()] },
      ],
      eta: { unix: eta, at: new Date(eta * 1000).toISOString() },
      expiresAt: {
        unix: eta + TIMELOCK_GRACE_SECS,
        at: new Date((eta + TIMELOCK_GRACE_SECS) * 1000).toISOString(),
      },
    });
    // Nothing changes before it is applied.
    expect(policy.params.maxBuybackUsdc).to.equal("1000000000");

    const log = await adminLogHas(signature);
    const row = log.actions.find((a) => a.signature === signature)!;
    expect(row.event).to.equal("configChangeQueued");
    expect(row.data.change).to.deep.equal({
      maxBuybackUsdc: "3000000000",
      cranks: [crank.toBase58()],
    });
    expect(row.data.eta).to.equal(String(eta));
  });

  it("shows a pending authority and when it may accept", async () => {
    const next = Keypair.generate().publicKey;
    const signature = await send(
      validator.current,
      await proposeAuthorityIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        newAuthority: next,
      }),
      t.authority,
    );
    const proposed = await transactionEvent(t, signature, "authorityProposed");
    const { policy } = await treasuryAfter(signature);
    const acceptAfter = Number(proposed.acceptAfter);
    expect(acceptAfter).to.equal(Number(proposed.unixTimestamp) + 2 * DAY);
    const expiresAt = acceptAfter + TIMELOCK_GRACE_SECS;
    expect(policy.pendingAuthority).to.deep.equal({
      address: next.toBase58(),
      acceptAfter: { unix: acceptAfter, at: new Date(acceptAfter * 1000).toISOString() },
      expiresAt: { unix: expiresAt, at: new Date(expiresAt * 1000).toISOString() },
    });
    const log = await adminLogHas(signature);
    const row = log.actions.find((a) => a.signature === signature)!;
    expect([row.event, row.data.pendingAuthority, row.data.acceptAfter]).to.deep.equal([
      "authorityProposed",
      next.toBase58(),
      String(acceptAfter),
    ]);

    // Proposing the default key cancels it.
    const cancel = await send(
      validator.current,
      await proposeAuthorityIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        newAuthority: PublicKey.default,
      }),
      t.authority,
    );
    expect((await treasuryAfter(cancel)).policy.pendingAuthority).to.equal(null);
  });

  it("after the timelock, anyone applies the change: the new values show and the queue is empty", async () => {
    const before = await treasury();
    await advanceClock(validator.current.connection, 2 * DAY);
    const stranger = await validator.current.fundedKeypair(LAMPORTS_PER_SOL);
    const signature = await send(
      validator.current,
      await applyConfigChangeIx(t.program, t.accounts, { caller: stranger.publicKey }),
      stranger,
    );
    const { policy } = await treasuryAfter(signature);
    const queued = before.policy.queuedChange!;
    expect(policy.queuedChange).to.equal(null);
    const appliedAt = (await transactionEvent(t, signature, "configChangeApplied")).unixTimestamp;
    expect(policy.lastQueuedChange).to.deep.equal({
      outcome: "applied",
      eta: queued.eta,
      at: { unix: Number(appliedAt), at: new Date(Number(appliedAt) * 1000).toISOString() },
    });
    expect(policy.params.maxBuybackUsdc).to.equal("3000000000");
    expect(policy.params.cranks).to.deep.equal(queued.changes[1].queued);
    // Fields the change did not name are as they were.
    expect({ ...policy.params, maxBuybackUsdc: "", cranks: [] }).to.deep.equal({
      ...before.policy.params,
      maxBuybackUsdc: "",
      cranks: [],
    });

    const log = await adminLogHas(signature);
    const applied = log.actions.filter((a) => a.signature === signature);
    // Newest first: the resulting parameters (configUpdated) after the change itself.
    expect(applied.map((a) => a.event)).to.deep.equal(["configUpdated", "configChangeApplied"]);
    expect(applied[1].data.appliedBy).to.equal(stranger.publicKey.toBase58());
    expect(applied[1].data.eta).to.equal(String(queued.eta.unix));
    expect(applied[0].data.maxBuybackUsdc).to.equal("3000000000");
    expect(applied[0].data.priceGuard).to.deep.equal(before.policy.priceGuard);
  });

  it("pages the admin log and refuses a bad page by name", async () => {
    const all = (await (await get("/api/treasury/admin-log")).json()) as AdminLogAnswer;
    expect(all.actions.map((a) => a.event).reverse()).to.deep.equal([
      "treasuryInitialized",
      "configChangeQueued",
      "authorityProposed",
      "authorityProposed",
      "configChangeApplied",
      "configUpdated",
    ]);
    const first = (await (await get("/api/treasury/admin-log?limit=1")).json()) as AdminLogAnswer;
    expect(first.actions.map((a) => a.event)).to.deep.equal(["configUpdated"]);

    const cases: [string, string][] = [
      ["/api/treasury/admin-log?limit=0", "InvalidLimit"],
      ["/api/treasury/buybacks?limit=501", "InvalidLimit"],
      ["/api/treasury/buybacks?limit=ten", "InvalidLimit"],
      ["/api/treasury/buybacks?before=yesterday", "InvalidTime"],
    ];
    for (const [path, error] of cases) {
      const response = await get(path);
      expect(response.status, path).to.equal(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error, path).to.equal(error);
      expect(body.message, path).to.be.a("string").and.not.equal("");
    }
  });

  it("shows a queued change an emergency update superseded, and stores why", async () => {
    const queued = await send(
      validator.current,
      await queueConfigChangeIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change: { maxSlippageBps: 500 },
      }),
      t.authority,
    );
    const eta = Number((await transactionEvent(t, queued, "configChangeQueued")).eta);
    const signature = await send(
      validator.current,
      await updateConfigIx(t.program, t.accounts, {
        authority: t.authority.publicKey,
        change: { maxSlippageBps: 50 },
      }),
      t.authority,
    );
    const at = Number(
      (await transactionEvent(t, signature, "configChangeCancelled")).unixTimestamp,
    );
    const { policy } = await treasuryAfter(signature);
    expect(policy.queuedChange).to.equal(null);
    expect(policy.lastQueuedChange).to.deep.equal({
      outcome: "superseded",
      eta: { unix: eta, at: new Date(eta * 1000).toISOString() },
      at: { unix: at, at: new Date(at * 1000).toISOString() },
    });
    expect(policy.params.maxSlippageBps).to.equal(50);
    const log = await adminLogHas(signature);
    const rows = log.actions.filter((a) => a.signature === signature);
    expect(rows.map((a) => a.event)).to.deep.equal(["configChangeCancelled", "configUpdated"]);
    expect(rows[0].data.outcome).to.equal("superseded");
    expect(rows[0].data.change).to.deep.equal({ maxSlippageBps: 500 });
  });
});
