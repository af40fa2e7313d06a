/**
 * The SDK's worker view: the boost and why at each tier's edge (one base unit below and at
 * `minStake`), warming principal not counting until its warm-up ends, unstaking principal never
 * counting, no position; a stored `WorkerPaid` event as a settlement row and as CSV.
 */
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";

import {
  type StakePositionState,
  WORKER_EARNINGS_CSV_HEADER,
  workerEarning,
  workerEarningsCsvLines,
  workerSummary,
} from "../../app/sdk/src";

const ASHAO = 1_000_000_000n;
const tiers = [
  { minStake: 1_000n * ASHAO, boostBps: 500 },
  { minStake: 10_000n * ASHAO, boostBps: 1_500 },
];
const owner = Keypair.generate().publicKey;
const position = (fields: Partial<StakePositionState>) =>
  ({
    staked: 0n,
    unstaking: 0n,
    boostWarmupAmount: 0n,
    boostWarmupEndsAt: 0n,
    ...fields,
  }) as StakePositionState;
const view = (fields: Partial<StakePositionState> | null, now = 1_000n) =>
  workerSummary({ boostTiers: tiers }, owner, fields && position(fields), now).boost;

describe("SDK worker view", () => {
  it("at each tier's edge: one base unit below earns the tier below, at minStake the tier", () => {
    for (const [i, tier] of tiers.entries()) {
      const below = view({ staked: tier.minStake - 1n });
      expect(below.boostBps).to.equal(i === 0 ? 0 : tiers[i - 1].boostBps);
      expect(below.nextTier).to.deep.equal({
        minStake: tier.minStake.toString(),
        boostBps: tier.boostBps,
      });
      expect(below.stakeToNextTier!.raw).to.equal("1");
      const at = view({ staked: tier.minStake });
      expect(at.boostBps).to.equal(tier.boostBps);
      expect(at.tier).to.deep.equal({
        minStake: tier.minStake.toString(),
        boostBps: tier.boostBps,
      });
      expect(at.countedStake.raw).to.equal(tier.minStake.toString());
    }
    expect(view({ staked: 10_000n * ASHAO })).to.deep.include({
      nextTier: null,
      stakeToNextTier: null,
    });
  });

  it("warming principal counts from its warm-up's end; unstaking principal never; no position: none", () => {
    const warming = { staked: 1_000n * ASHAO, boostWarmupAmount: 1n, boostWarmupEndsAt: 2_000n };
    const before = view(warming, 1_999n);
    expect(before).to.deep.include({ boostBps: 0, tier: null, boostBpsOnceWarm: 500 });
    expect(before.warming.raw).to.equal("1");
    expect(before.warmupEndsAtUnix).to.equal(2_000);
    expect(before.warmupEndsAt).to.equal(new Date(2_000_000).toISOString());
    const after = view(warming, 2_000n);
    expect(after).to.deep.include({ boostBps: 500, warmupEndsAt: null, warmupEndsAtUnix: null });
    expect(after.warming.raw).to.equal("0");

    const unstaking = view({ staked: 999n * ASHAO, unstaking: 9_000n * ASHAO });
    expect(unstaking.boostBps).to.equal(0);
    expect(unstaking.unstaking.raw).to.equal((9_000n * ASHAO).toString());

    const summary = workerSummary({ boostTiers: tiers }, owner, null, 5n);
    expect(summary).to.deep.include({
      wallet: owner.toBase58(),
      hasPosition: false,
      asOfChainTime: 5,
    });
    expect(summary.boost).to.deep.include({ boostBps: 0, tier: null });
    expect(summary.boost.nextTier).to.deep.equal({
      minStake: (1_000n * ASHAO).toString(),
      boostBps: 500,
    });
    expect(summary.boost.stakeToNextTier!.raw).to.equal((1_000n * ASHAO).toString());
  });

  it("a stored WorkerPaid event as a settlement, and as a CSV line with exact amounts", () => {
    const billing = Keypair.generate().publicKey.toBase58();
    const stored = {
      signature: "5sig",
      slot: 42,
      ts: 1_800_000_000,
      name: "workerPaid",
      data: {
        billing,
        batchId: "7",
        worker: owner.toBase58(),
        base: "10000007",
        boostStake: "2000000000000",
        boostBps: 500,
        boostRequested: "500000",
        boost: "500000",
        paid: "10500007",
      },
    };
    const row = workerEarning(stored);
    expect(row).to.deep.include({ batchId: "7", billing, boostBps: 500, slot: 42 });
    expect([row.base.raw, row.boost.raw, row.paid.raw]).to.deep.equal([
      "10000007",
      "500000",
      "10500007",
    ]);
    expect(workerEarningsCsvLines([row])).to.equal(
      `2027-01-15T08:00:00.000Z,7,${billing},10.000007,500,0.5,10.500007,10500007,2000,42,5sig\r\n`,
    );
    expect(WORKER_EARNINGS_CSV_HEADER).to.have.length(11);
    expect(() => workerEarning({ ...stored, name: "staked" })).to.throw(RangeError);
  });
});
