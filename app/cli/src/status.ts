/**
 * `ashao status`: the treasury's figures, supply, solvency, policy and pending admin changes,
 * read from the chain (no API needed), as a terminal table or `--json`.
 */
import {
  amountText,
  bpsText,
  countdownText,
  exactAmountText,
  fetchTreasuryReport,
  formatDuration,
  lastQueuedChangeText,
  PARAM_LABELS,
  type ParamName,
  paramText,
  priceGuardText,
  timeText,
  type TreasuryReport,
} from "../../sdk/src";
import { chainFrom, treasuryOf } from "./chain";
import { UsageError } from "./errors";
import type { GlobalOptions } from "./options";
import { count, print } from "./output";
import { parseAddress } from "./parse";
import { section, table } from "./table";

const usdcText = (a: { raw: string; decimals: number }) => amountText(a, "USDC");
const ashaoText = (a: { raw: string; decimals: number }) => amountText(a, "$ASHAO");

export function statusText(report: TreasuryReport): string {
  const { figures: f, supply, solvency, policy } = report;
  const now = Number(report.chainTime);
  const lines: string[] = [];
  lines.push(
    `$ASHAO treasury ${f.config} (program ${f.programId}), slot ${f.slot}, chain time ${timeText(new Date(now * 1000).toISOString())}` +
      (policy.paused ? " — PAUSED: stakes, deposits and buybacks stopped; exits still open" : ""),
  );
  lines.push(
    "",
    section(
      "Figures",
      table([
        ["Treasury USDC", usdcText(f.treasuryUsdc)],
        ["Buyback bucket", usdcText(f.buybackBucket)],
        ["Rewards owed", usdcText(f.rewardsOwed)],
        ["Total revenue", usdcText(f.totalRevenue)],
        [
          "USDC spent on buybacks",
          `${usdcText(f.buybackUsdcSpent)} in ${count(f.buybackCount, "buyback")}`,
        ],
        ["Last buyback", f.lastBuybackAt ? timeText(f.lastBuybackAt) : "none yet"],
        ["Rewards paid", usdcText(f.rewardsPaid)],
        ["Total staked", `${ashaoText(f.totalStaked)} by ${count(f.stakers, "staker")}`],
        ["Unstaking", ashaoText(f.totalUnstaking)],
      ]),
    ),
  );
  lines.push(
    "",
    section(
      "Supply",
      table([
        ["Total supply", ashaoText(supply.total)],
        [
          "Burned by buybacks",
          `${ashaoText(supply.burned)} (${supply.burnedPercent}% of ${ashaoText(supply.initial)} before buybacks)`,
        ],
        ["Circulating", ashaoText(supply.circulating)],
        ...supply.excluded.map((e) => [
          `Excluded: ${e.name}`,
          `${ashaoText(e.amount)}  ${e.address}`,
        ]),
      ]),
    ),
  );
  const mark = (ok: boolean) => (ok ? "ok" : "SHORT");
  lines.push(
    "",
    section(
      `Solvency: ${solvency.solvent ? "every vault holds what it owes" : "A VAULT HOLDS LESS THAN IT OWES"}`,
      table([
        [
          "Buyback vault",
          `${exactAmountText(solvency.buyback.holds, "USDC")} ≥ bucket ${exactAmountText(solvency.buyback.owes, "USDC")}: ${mark(solvency.buyback.solvent)}`,
          solvency.buyback.vault,
        ],
        [
          "Rewards vault",
          `${exactAmountText(solvency.rewards.holds, "USDC")} ≥ owed ${exactAmountText(solvency.rewards.owes, "USDC")}: ${mark(solvency.rewards.solvent)}`,
          solvency.rewards.vault,
        ],
        ...solvency.identities.map((i) => ["Books", `${i.text}: ${mark(i.holds)}`]),
      ]),
    ),
  );
  lines.push(
    "",
    section(
      "Policy",
      table([
        ["Authority", policy.authority],
        ["Upgrade authority", policy.upgradeAuthority ?? "none: the program is immutable"],
        [
          "Revenue split",
          `${bpsText(policy.split.buybackBps)} buyback / ${bpsText(policy.split.stakersBps)} stakers, fixed in the program`,
        ],
        ["Price guard", priceGuardText(policy.priceGuard)],
        ["Timelock", formatDuration(policy.timelockSecs)],
        // Keys in full: an operator compares them with their own records.
        ...(Object.keys(PARAM_LABELS) as ParamName[])
          .filter((name) => !["priceGuard", "timelockSecs", "swapProgram", "cranks"].includes(name))
          .map((name) => [PARAM_LABELS[name], paramText(name, policy.params[name])]),
        [
          PARAM_LABELS.swapProgram,
          paramText("swapProgram", policy.params.swapProgram) === "none"
            ? "none"
            : policy.params.swapProgram,
        ],
        [PARAM_LABELS.cranks, policy.params.cranks.join(", ") || "none"],
      ]),
    ),
  );
  const pending: string[] = [];
  if (policy.queuedChange) {
    const q = policy.queuedChange;
    const when =
      now < q.eta.unix
        ? `applies ${countdownText(q.eta.unix, now)} (from ${timeText(q.eta.at)})`
        : now <= q.expiresAt.unix
          ? `anyone may apply it now, until ${timeText(q.expiresAt.at)}`
          : `expired at ${timeText(q.expiresAt.at)}: it can no longer apply; the next queued change replaces it`;
    pending.push(
      `  Queued change: ${when}`,
      table(
        [
          ["parameter", "now", "after"],
          ...q.changes.map((c) => [
            PARAM_LABELS[c.field],
            paramText(c.field, c.current as never),
            paramText(c.field, c.queued as never),
          ]),
        ],
        4,
      ),
    );
  }
  if (policy.pendingAuthority) {
    const p = policy.pendingAuthority;
    const when =
      now < p.acceptAfter.unix
        ? `may accept ${countdownText(p.acceptAfter.unix, now)} (from ${timeText(p.acceptAfter.at)}, until ${timeText(p.expiresAt.at)})`
        : now <= p.expiresAt.unix
          ? `may accept now, until ${timeText(p.expiresAt.at)}`
          : `expired at ${timeText(p.expiresAt.at)}: the authority must propose again`;
    pending.push(`  Authority transfer to ${p.address}: ${when}`);
  }
  if (policy.lastQueuedChange) {
    pending.push(`  Last queued change: ${lastQueuedChangeText(policy.lastQueuedChange)}`);
  }
  lines.push(
    "",
    section("Pending admin changes", pending.length > 0 ? pending.join("\n") : "  none"),
  );
  return lines.join("\n");
}

export async function statusCommand(
  flags: { nonCirculating: string[] },
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const nonCirculating = flags.nonCirculating.map((spec) => {
    const at = spec.lastIndexOf("=");
    if (at <= 0) throw new UsageError(`--non-circulating takes NAME=ADDRESS (got ${spec})`);
    return {
      name: spec.slice(0, at),
      address: parseAddress("--non-circulating", spec.slice(at + 1)),
    };
  });
  const chain = await chainFrom(options, env);
  await treasuryOf(chain);
  const report = await fetchTreasuryReport(chain.program, { nonCirculating });
  print(
    options.output,
    {
      chainTime: Number(report.chainTime),
      ...report.figures,
      supply: report.supply,
      solvency: report.solvency,
      policy: report.policy,
    },
    () => statusText(report),
  );
  return 0;
}
