/**
 * `ashao position WALLET`: a staker's position (staked, each unstake request and when it
 * matures, claimable now, claimed to date, boost and what the next tier needs) and the history
 * of their actions, read from the chain; `--csv` for the history as CSV.
 */
import { parseArgs } from "node:util";

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
import {
  CHAIN_FLAGS,
  CHAIN_USAGE,
  chainFrom,
  EXIT,
  parseAddress,
  parseInteger,
  print,
  UsageError,
} from "./common";
import { table } from "./table";

export const POSITION_USAGE = `usage: ashao position WALLET [--limit N] [--before SIGNATURE] [--csv] [options]

  The wallet's stake position and its history (stakes, unstake requests, withdrawals, claims,
  close), newest first, read from the chain.

  --limit N          transactions of history per page (1-1000, default 20)
  --before SIGNATURE the page before this signature (the previous page's last; printed at its end)
  --csv              the history page as CSV (exact amounts and base units), nothing else
${CHAIN_USAGE}

  exit codes: 0 read, 1 failed, 64 usage`;

const ACTION_TEXT: Record<StakerHistoryEntry["action"], string> = {
  stake: "stake",
  unstakeRequest: "unstake request",
  withdrawal: "withdrawal",
  claim: "claim",
  close: "close",
};

export async function positionCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      ...CHAIN_FLAGS,
      limit: { type: "string" },
      before: { type: "string" },
      csv: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(POSITION_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError("give one WALLET address");
  const wallet = parseAddress("WALLET", positionals[0]);
  const limit = values.limit === undefined ? 20 : parseInteger("--limit", values.limit, 1000);
  if (limit < 1) throw new UsageError("--limit must be at least 1");
  if (values.before !== undefined && !/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(values.before)) {
    throw new UsageError(`--before must be a transaction signature (got ${values.before})`);
  }
  if (values.csv && values.json) throw new UsageError("--csv and --json are two formats: pick one");
  const { program, connection, cluster } = chainFrom(values);

  const [state, position, now, history] = await Promise.all([
    fetchTreasuryOrThrow(program, "confirmed"),
    fetchStakePosition(program, wallet, "confirmed"),
    fetchChainTime(connection),
    fetchStakerHistory(program, wallet, { limit, before: values.before }),
  ]);
  if (values.csv) {
    process.stdout.write(stakerHistoryCsv(history.entries));
    return EXIT.ok;
  }
  const summary = stakerSummary(program.programId, state, wallet, position, now);
  const entries = history.entries.map((e) => ({
    ...e,
    explorerUrl: explorerTxUrl(e.signature, cluster),
  }));
  print(
    values.json ?? false,
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
      const lines = [
        `Position of ${summary.wallet} (account ${summary.position}${summary.exists ? "" : ", none open"})`,
        `as of ${timeText(new Date(chainNow * 1000).toISOString())} on the chain's clock`,
        table([
          ["Staked", exactAmountText(summary.staked, "$ASHAO")],
          ["Unstaking", unstaking],
          ...requests,
          ["Claimable now", exactAmountText(summary.pendingRewards, "USDC")],
          ["Claimed to date", exactAmountText(summary.totalClaimed, "USDC")],
          ["Worker boost", `+${bpsText(summary.boostBps)}${next}`],
        ]),
        "",
        `History (newest first${values.before ? `, before ${values.before}` : ""})`,
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
  return EXIT.ok;
}
