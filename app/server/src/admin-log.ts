/**
 * The treasury's admin actions as the API serves them, from the indexed events: initialisation,
 * changes applied at once, queued, applied after the timelock or cancelled, authority handovers
 * and pauses. Values are in the SDK's policy JSON form (`app/sdk/src/policy.ts`).
 */
import { type Cluster, explorerTxUrl } from "../../sdk/src";
import type { StoredEvent } from "./store/store";

export const ADMIN_EVENTS = [
  "treasuryInitialized",
  "configUpdated",
  "configChangeQueued",
  "configChangeApplied",
  "configChangeCancelled",
  "authorityProposed",
  "authorityTransferred",
  "pauseSet",
] as const;

/** Fields stored as JSON text (the indexer keeps only scalars in a row's columns). */
const NESTED = new Set(["change", "priceGuard", "boostTiers", "cranks"]);

export interface AdminLogRow {
  signature: string;
  explorerUrl: string;
  slot: number;
  at: string;
  event: (typeof ADMIN_EVENTS)[number];
  data: Record<string, unknown>;
}

export function adminLogRow(event: StoredEvent, cluster: Cluster): AdminLogRow {
  const data = Object.fromEntries(
    Object.entries(event.data).map(([key, value]) => [
      key,
      NESTED.has(key) && typeof value === "string" ? (JSON.parse(value) as unknown) : value,
    ]),
  );
  return {
    signature: event.signature,
    explorerUrl: explorerTxUrl(event.signature, cluster),
    slot: event.slot,
    at: new Date(event.ts * 1000).toISOString(),
    event: event.name as AdminLogRow["event"],
    data,
  };
}
