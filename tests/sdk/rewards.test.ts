import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";

import {
  accRewardPerShareAt,
  accrue,
  addToStream,
  distribute,
  mergedStreamEnd,
  releaseAmount,
  RewardStream,
  settle,
  splitRevenue,
} from "../../app/sdk/src/rewards";

type Row = Record<string, string>;
interface StreamRow {
  op: "add" | "accrue";
  before: Row;
  after: Row;
  now: string;
  to_stakers: string;
  period_secs: string;
  released?: string;
}
interface Cases {
  split: Row[];
  release: Row[];
  distribute: Row[];
  settle: Row[];
  stream: StreamRow[];
}

const cases: Cases = JSON.parse(
  readFileSync(
    join(__dirname, "../../programs/ashao-treasury/tests/fixtures/reward_math_cases.json"),
    "utf8",
  ),
);
const n = (value: string): bigint => BigInt(value);
const toStream = (row: Row): RewardStream => ({
  totalStaked: n(row.total_staked),
  accRewardPerShare: n(row.acc_reward_per_share),
  rewardCarry: n(row.reward_carry),
  streamRemaining: n(row.stream_remaining),
  streamEndTs: n(row.stream_end_ts),
  lastUpdateTs: n(row.last_update_ts),
  totalRewardsReleased: n(row.total_rewards_released),
});

describe("SDK reward math replays the program's cases exactly", () => {
  it(`split (${cases.split.length} cases): odd unit to buyback`, () => {
    expect(cases.split.length).to.be.greaterThan(0);
    for (const c of cases.split) {
      expect(splitRevenue(n(c.amount))).to.deep.equal({
        toBuyback: n(c.to_buyback),
        toStakers: n(c.to_stakers),
      });
    }
  });

  it(`release (${cases.release.length} cases)`, () => {
    for (const c of cases.release) {
      const got = releaseAmount(
        n(c.stream_remaining),
        n(c.last_update_ts),
        n(c.stream_end_ts),
        n(c.now),
      );
      expect(got, JSON.stringify(c)).to.equal(n(c.released));
    }
  });

  it(`distribute (${cases.distribute.length} cases): remainder carried`, () => {
    for (const c of cases.distribute) {
      const got = distribute(
        n(c.release),
        n(c.total_staked),
        n(c.acc_reward_per_share),
        n(c.reward_carry),
      );
      expect(got, JSON.stringify(c)).to.deep.equal({
        accRewardPerShare: n(c.new_acc_reward_per_share),
        rewardCarry: n(c.new_reward_carry),
      });
    }
  });

  it(`settle (${cases.settle.length} cases)`, () => {
    for (const c of cases.settle) {
      const run = () =>
        settle(n(c.staked), n(c.rewards_owed), n(c.checkpoint), n(c.acc_reward_per_share));
      if (c.new_rewards_owed.startsWith("error: ")) {
        expect(run, JSON.stringify(c)).to.throw(c.new_rewards_owed.slice("error: ".length));
      } else {
        expect(run().rewardsOwed, JSON.stringify(c)).to.equal(n(c.new_rewards_owed));
      }
    }
  });

  it(`stream (${cases.stream.length} steps): accrual and revenue, paused while nobody stakes`, () => {
    for (const c of cases.stream) {
      const before = toStream(c.before);
      const after =
        c.op === "add"
          ? addToStream(before, n(c.to_stakers), n(c.now), n(c.period_secs))
          : accrue(before, n(c.now)).stream;
      expect(after, JSON.stringify(c)).to.deep.equal(toStream(c.after));
      if (c.op === "accrue" && c.released !== undefined) {
        expect(accrue(before, n(c.now)).released).to.equal(n(c.released));
      }
      if (c.op === "accrue") {
        // The API's shortcut to the accumulator agrees with the program's accrual.
        expect(accRewardPerShareAt(before, n(c.now)), JSON.stringify(c)).to.equal(
          toStream(c.after).accRewardPerShare,
        );
      }
    }
  });
});

describe("mergedStreamEnd: later revenue never slows what already streams", () => {
  /** A fixed-seed generator (64-bit LCG), so a failure replays. */
  let seed = 0x2545f4914f6cdd1dn;
  const below = (max: bigint): bigint => {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return (seed >> 11n) % max;
  };
  const now = 1_700_000_000n;
  const cases = Array.from({ length: 2_000 }, () => {
    const period = 3_600n + below(30n * 86_400n - 3_600n + 1n);
    return {
      period,
      remaining: 1n + below(10n ** (1n + below(15n))),
      end: now + 1n + below(2n * period),
      added: 1n + below(10n ** below(16n)),
    };
  });

  it(`releases, at every moment, at least what the running stream alone would (${cases.length} cases)`, () => {
    for (const { period, remaining, end, added } of cases) {
      const merged = mergedStreamEnd(remaining, end, added, now, period);
      const at = JSON.stringify({ period, remaining, end, added, merged }, (_, v) =>
        typeof v === "bigint" ? v.toString() : v,
      );
      expect(merged > now && merged <= now + period, at).to.equal(true);
      const span = (merged > end ? merged : end) - now;
      for (const t of [1n, span / 3n, span / 2n, end - now, merged - now, span, below(span + 1n)]) {
        const alone = releaseAmount(remaining, now, end, now + t);
        const together = releaseAmount(remaining + added, now, merged, now + t);
        expect(together >= alone, `${at} at +${t}`).to.equal(true);
      }
    }
  });

  it("leaves the end where it is for dust (added × time left < remaining), so dust cannot stall a stream", () => {
    let dusty = 0;
    for (const { period, remaining, end, added } of cases) {
      const left = end - now;
      if (left >= period || added * left >= remaining) continue;
      expect(mergedStreamEnd(remaining, end, added, now, period)).to.equal(end);
      dusty++;
    }
    expect(dusty).to.be.greaterThan(100);
    // The dust scenario: 1 unit joins 250,000 USDC still streaming, half an hour before its end.
    expect(mergedStreamEnd(250_000_000_000n, now + 1_800n, 1n, now, 3_600n)).to.equal(now + 1_800n);
  });

  it("streams revenue over the period when nothing streams", () => {
    expect(mergedStreamEnd(0n, now + 100n, 5n, now, 3_600n)).to.equal(now + 3_600n);
    expect(mergedStreamEnd(7n, now - 1n, 5n, now, 3_600n)).to.equal(now + 3_600n);
  });
});
