/** The API's answers, as the dashboard reads them. */
import type { Amount, TreasuryFigures } from "../../sdk/src/figures";

export type TreasuryAnswer = TreasuryFigures & { ageMs: number };

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
): Promise<{ body?: T; etag?: string }> {
  const response = await fetch(path, { headers: etag ? { "if-none-match": etag } : {} });
  if (response.status === 304) return { etag };
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(body.message ?? `${path}: HTTP ${response.status}`);
  }
  return { body: (await response.json()) as T, etag: response.headers.get("etag") ?? undefined };
}
