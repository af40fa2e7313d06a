/** The API's answers, as the dashboard reads them. */
import type { Amount, TreasuryFigures } from "../../sdk/src/figures";
import type { TreasuryPolicy } from "../../sdk/src/policy";

export type TreasuryAnswer = TreasuryFigures & {
  ageMs: number;
  /** The chain's clock (unix seconds) when answered. */
  chainTime: number;
  policy: TreasuryPolicy;
};

/** `GET /api/treasury/buybacks`, newest first. */
export interface BuybacksAnswer {
  buybacks: {
    signature: string;
    at: string;
    crank: string;
    usdcSpent: Amount;
    ashaoBurned: Amount;
    effectivePrice: Amount;
    oraclePrice: Amount | null;
    deviationBps: number | null;
  }[];
}

export interface ApiConfig {
  rpcUrl: string;
  wsUrl: string | null;
  programId: string;
  usdcMint: string;
  ashaoMint: string;
  ashaoTokenProgram: string;
}

export interface HistoryAnswer {
  points: {
    t: string;
    revenue: string;
    toBuyback: string;
    toStakers: string;
    rewardsPaid: string;
    totalStaked: string;
    cumulativeBurned: string;
    cumulativeRevenue: string;
    cumulativeRewardsPaid: string;
  }[];
}

export interface StakerAnswer {
  exists: boolean;
  staked: Amount;
  unstaking: Amount;
  pendingRewards: Amount;
  totalClaimed: Amount;
  cooldownEndsAt: string | null;
  withdrawableNow: boolean;
  boostBps: number;
  nextTier: { minStake: string; boostBps: number } | null;
  slot: number;
}

export async function getJson<T>(
  path: string,
  etag?: string,
): Promise<{ body?: T; etag?: string; headers: Headers }> {
  const response = await fetch(path, { headers: etag ? { "if-none-match": etag } : {} });
  if (response.status === 304) return { etag, headers: response.headers };
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(body.message ?? `${path}: HTTP ${response.status}`);
  }
  return {
    body: (await response.json()) as T,
    etag: response.headers.get("etag") ?? undefined,
    headers: response.headers,
  };
}
