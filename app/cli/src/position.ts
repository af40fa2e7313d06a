/**
 * `ashao position WALLET`: a staker's position (staked, each unstake request and when it
 * matures, claimable now, claimed to date, boost and what the next tier needs) and the history
 * of their actions, read from the chain; `--csv` for the history as CSV.
 */
import {
  amountText,
  bpsText,
  countdownText,
  exactAmountText,
  explorerTxUrl,
  fetchChainTime,
  fetchStakePosition,
  fetchStakerHistory,
  fetchTreasuryOrThrow,
  type StakerHistoryEntry,
  stakerHistoryCsv,
  stakerSummary,
  timeText,
} from "../../sdk/src";
import { chainFrom, treasuryOf } from "./chain";
import { UsageError } from "./errors";
import type { GlobalOptions } from "./options";
import { print } from "./output";
import { parseAddress, parseInteger } from "./parse";
import { table } from "./table";

export interface PositionFlags {
  limit: string;
  before?: string;
  csv?: boolean;
}

const ACTION_TEXT: Record<StakerHistoryEntry["action"], string> = {
  stake: "stake",
  unstakeRequest: "unstake request",
  withdrawal: "withdrawal",
  claim: "claim",
  close: "close",
};

export async function positionCommand(
  walletText: string,
  flags: PositionFlags,
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const wallet = parseAddress("WALLET", walletText);
  const limit = parseInteger("--limit", flags.limit, 1, 1000);
  if (flags.before !== undefined && !/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(flags.before)) {
    throw new UsageError(`--before must be a transaction signature (got ${flags.before})`);
  }
  if (flags.csv && options.output !== "text") {
    throw new UsageError("--csv and --output are two formats: pick one");
  }
  const chain = await chainFrom(options, env);
  const { program, connection, cluster } = chain;
  await treasuryOf(chain);

  const [state, position, now, history] = await Promise.all([
    fetchTreasuryOrThrow(program, chain.commitment),
    fetchStakePosition(program, wallet, chain.commitment),
    fetchChainTime(connection),
    fetchStakerHistory(program, wallet, { limit, before: flags.before }),
  ]);
  if (flags.csv) {
    process.stdout.write(stakerHistoryCsv(history.entries));
    return 0;
  }
  const summary = stakerSummary(program.programId, state, wallet, position, now);
  const entries = history.entries.map((e) => ({
    ...e,
    explorerUrl: explorerTxUrl(e.signature, cluster),
  }));
  print(
    options.output,
    { ...summary, history: { entries, nextBefore: history.nextBefore } },
    () => {
      const chainNow = Number(now);
      const unstaking =
        summary.unstakeRequests.length === 0
          ? "nothing"
          : `${amountText(summary.unstaking, "$ASHAO")} in ${summary.unstakeRequests.length} ${summary.unstakeRequests.length === 1 ? "request" : "requests"}; ${
              summary.withdrawableNow
                ? `${amountText(summary.withdrawable, "$ASHAO")} withdrawable now`
                : "none withdrawable yet"
            }`;
      // Each request on its own line, with when it matures.
      const requests = summary.unstakeRequests.map((r, i) => [
        `  request ${i + 1}`,
        `${exactAmountText(r.amount, "$ASHAO")}, ${
          r.matured
            ? "matured: withdrawable now"
            : `matures ${countdownText(r.availableAtUnix, chainNow)} (${timeText(r.availableAt)})`
        }`,
      ]);
      const next = summary.nextTier
        ? `; next: +${bpsText(summary.nextTier.boostBps)} with ${amountText(summary.stakeToNextTier!, "$ASHAO")} more staked`
        : summary.boostBps > 0
          ? " (the top tier)"
          : "";
      // Stake counts for the boost one cooldown after it was staked.
      const warming = summary.boostWarmupEndsAt
        ? `; +${bpsText(summary.boostBpsOnceWarm)} once ${amountText(summary.boostWarming, "$ASHAO")} warm up ${countdownText(Date.parse(summary.boostWarmupEndsAt) / 1000, chainNow)}`
        : "";
      const lines = [
        `Position of ${summary.wallet} (account ${summary.position}${summary.exists ? "" : ", none open"})`,
        `as of ${timeText(new Date(chainNow * 1000).toISOString())} on the chain's clock`,
        table([
          ["Staked", exactAmountText(summary.staked, "$ASHAO")],
          ["Unstaking", unstaking],
          ...requests,
          ["Claimable now", exactAmountText(summary.pendingRewards, "USDC")],
          ["Claimed to date", exactAmountText(summary.totalClaimed, "USDC")],
          ["Worker boost", `+${bpsText(summary.boostBps)}${next}${warming}`],
        ]),
        "",
        `History (newest first${flags.before ? `, before ${flags.before}` : ""})`,
        entries.length === 0
          ? "  none"
          : table([
              ["time", "action", "amount", "signature"],
              ...entries.map((e) => [
                timeText(e.at),
                ACTION_TEXT[e.action],
                e.amount && e.token ? amountText(e.amount, e.token) : "",
                e.signature,
              ]),
            ]),
      ];
      if (history.nextBefore) {
        lines.push(`  older: ashao position ${summary.wallet} --before ${history.nextBefore}`);
      }
      return lines.join("\n");
    },
  );
  return 0;
}
