/** The API's answers, as the dashboard reads them (the server's and the SDK's own types). */
import type { AdminLogRow } from "../../server/src/admin-log";
import type { BuybackRow } from "../../server/src/buybacks";
import type { HistoryPoint } from "../../server/src/history";
import type { Amount, TreasuryFigures } from "../../sdk/src/figures";
import type { PolicyReport, SolvencyReport, SupplyReport } from "../../sdk/src/report";
import type { StakerHistoryEntry, StakerSummary } from "../../sdk/src/staker";
import type { WorkerEarning, WorkerEarningsTotals, WorkerSummary } from "../../sdk/src/worker";
import type { YieldReport } from "../../sdk/src/yield";

export type { Amount, HistoryPoint };

export type TreasuryAnswer = TreasuryFigures & {
  ageMs: number;
  /** The chain's clock (unix seconds) when answered. */
  chainTime: number;
  yield: YieldReport;
  supply: SupplyReport;
  solvency: SolvencyReport;
  policy: PolicyReport;
};

/** `GET /api/buybacks`, newest first. */
export interface BuybacksAnswer {
  buybacks: BuybackRow[];
  nextCursor: string | null;
}

/** `GET /api/treasury/admin-log`, newest first. */
export interface AdminLogAnswer {
  actions: AdminLogRow[];
  nextCursor: string | null;
}

export interface ApiConfig {
  /** The RPC URL the operator publishes (null: none; the API never publishes its own). */
  rpcUrl: string | null;
  wsUrl: string | null;
  cluster: { name: string; rpcUrl: string | null };
  programId: string;
  usdcMint: string;
  ashaoMint: string;
  ashaoTokenProgram: string;
}

export interface HistoryAnswer {
  from: string;
  to: string;
  interval: string;
  range: string | null;
  points: HistoryPoint[];
}

export type StakerAnswer = StakerSummary & { slot: number; readAt: string };

export interface StakerHistoryAnswer {
  wallet: string;
  entries: (StakerHistoryEntry & { explorerUrl: string })[];
  nextCursor: string | null;
}

/** `GET /api/workers/:wallet`: the boost now and why, and a page of settled earnings. */
export type WorkerAnswer = WorkerSummary & {
  slot: number;
  readAt: string;
  earnings: WorkerEarningsTotals;
  settlements: (WorkerEarning & { explorerUrl: string })[];
  nextCursor: string | null;
};

/**
 * The RPC node wallets' transactions go to: the one the operator publishes, else a public
 * cluster's own endpoint (as web3.js's clusterApiUrl names it); none for a custom cluster that
 * publishes none.
 */
export function walletRpcUrl(config: ApiConfig): string | undefined {
  if (config.rpcUrl !== null) return config.rpcUrl;
  const name = config.cluster.name;
  return name === "custom" ? undefined : `https://api.${name}.solana.com`;
}

/** The API answered with an error (or not at all): worth a retry, not a bug of the page. */
export class ApiRequestError extends Error {
  override name = "ApiRequestError";
}

/** Whether `err` is the network's or the API's, rather than the page's own. */
export const isRequestFailure = (err: unknown) =>
  err instanceof ApiRequestError || (err instanceof TypeError && /fetch/i.test(err.message));

/** Logs what the page retries as a warning; anything else (a bug) as an error. */
export function report(err: unknown): void {
  if (isRequestFailure(err)) console.warn(err);
  else console.error(err);
}

export async function getJson<T>(
  path: string,
  etag?: string,
): Promise<{ body?: T; etag?: string; headers: Headers }> {
  const response = await fetch(path, { headers: etag ? { "if-none-match": etag } : {} });
  if (response.status === 304) return { etag, headers: response.headers };
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new ApiRequestError(body.message ?? `${path}: HTTP ${response.status}`);
  }
  return {
    body: (await response.json()) as T,
    etag: response.headers.get("etag") ?? undefined,
    headers: response.headers,
  };
}
