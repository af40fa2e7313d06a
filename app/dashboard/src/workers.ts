/// <reference lib="dom" />
/**
 * "Workers": any worker wallet looked up (typed in, or `?worker=` in the URL): the boost a
 * settlement of its usage applies now and why (the stake that counts and the tier it reaches,
 * stake still warming up and when it counts, unstaking stake that earns none, the next tier and
 * the stake it takes), what settled usage has paid it in all, and each settlement with the boost
 * paid, paged, with a CSV download (`/api/workers/:wallet`, `…/earnings.csv`). Loaded only when
 * the section comes near the screen or a worker is asked for.
 */
import { type Cluster, explorerAddressUrl } from "../../sdk/src/explorer";
import { getJson, report, type TreasuryAnswer, type WorkerAnswer } from "./api";
import { $, cell, row, showAmount, showPage, transactionCell } from "./dom";
import {
  addressErrorText,
  bpsText,
  isSolanaAddress,
  nextTierText,
  timeText,
  warmingText,
  workerTierText,
} from "./format";

const PAGE = 10;
const REFRESH_MS = 5_000;

/** The figures a worker shows, cleared while another wallet's load. */
const WORKER_FIGURES = [
  "#worker-boost",
  "#worker-counted",
  "#worker-warming",
  "#worker-unstaking",
  "#worker-next-tier",
  "#worker-settlements",
  "#worker-paid",
  "#worker-boost-paid",
];

export interface WorkerContext {
  cluster: () => Cluster;
  treasury: () => TreasuryAnswer | undefined;
}

export class WorkerPanel {
  /** The wallet looked at (base58). */
  private viewed?: string;
  private nextCursor: string | null = null;
  /** Older pages open: the first page is not read again under them. */
  private pagedOlder = false;
  /** The first page's settlements as drawn. */
  private shownKey?: string;

  constructor(private readonly ctx: WorkerContext) {
    $("#worker-more").addEventListener("click", () => void this.load(true).catch(report));
    setInterval(() => {
      if (!this.pagedOlder) void this.load(false).catch(report);
    }, REFRESH_MS);
  }

  /** Looks at `input`; false (and the reason in sight, nothing of another wallet) if no address. */
  view(input: string): boolean {
    const address = input.trim();
    if (!isSolanaAddress(address)) {
      this.viewed = undefined;
      $("#worker-error").textContent = addressErrorText(input);
      $("#worker-view").hidden = true;
      this.clear();
      return false;
    }
    $("#worker-error").textContent = "";
    if (address !== this.viewed) {
      this.viewed = address;
      this.pagedOlder = false;
      this.shownKey = undefined;
      this.clear();
    }
    $("#worker-view").hidden = false;
    const wallet = $<HTMLAnchorElement>("#worker-wallet");
    wallet.textContent = address;
    wallet.href = explorerAddressUrl(address, this.ctx.cluster());
    const csv = $<HTMLAnchorElement>("#worker-csv");
    csv.href = `/api/workers/${address}/earnings.csv`;
    csv.download = `ashao-worker-earnings-${address}.csv`;
    void this.load(false).catch(report);
    return true;
  }

  private clear(): void {
    for (const id of WORKER_FIGURES) $(id).textContent = "loading…";
    $("#worker-view").setAttribute("aria-busy", "true");
    $("#worker-rows").replaceChildren();
    $("#no-earnings").hidden = true;
    $("#worker-more").hidden = true;
  }

  /** Reads the worker: the first page of settlements, or (`more`) the page after those shown. */
  private async load(more: boolean): Promise<void> {
    const viewed = this.viewed;
    if (!viewed) return;
    const cursor = more && this.nextCursor ? `&cursor=${this.nextCursor}` : "";
    const { body } = await getJson<WorkerAnswer>(`/api/workers/${viewed}?limit=${PAGE}${cursor}`);
    if (!body || this.viewed !== viewed) return;
    this.render(body);
    // The rows are drawn again only when they change: an exact figure opened stays open.
    const key = body.settlements.map((s) => s.signature).join();
    if (!more && key === this.shownKey) return;
    if (!more) this.shownKey = key;
    const rows = body.settlements.map((s) => {
      const base = cell("");
      const boost = cell("");
      const paid = cell("");
      showAmount(base, s.base, "USDC");
      showAmount(boost, s.boost, "USDC");
      boost.append(` (+${bpsText(s.boostBps)})`);
      showAmount(paid, s.paid, "USDC");
      return row([
        cell(timeText(s.at)),
        base,
        boost,
        paid,
        cell(s.batchId, `batch ${s.batchId} of billing authority ${s.billing}`),
        transactionCell(s.signature, s.explorerUrl),
      ]);
    });
    showPage(
      { rows: "#worker-rows", none: "#no-earnings", more: "#worker-more" },
      rows,
      more,
      body.nextCursor,
    );
    this.pagedOlder = more;
    this.nextCursor = body.nextCursor;
    $("#worker-view").setAttribute("aria-busy", "false");
  }

  /** The boost now and why, and the earnings in all. */
  private render(a: WorkerAnswer): void {
    const tiers = this.ctx.treasury()?.policy.params.boostTiers ?? [];
    const b = a.boost;
    $("#worker-boost").textContent = workerTierText(b.boostBps, b.tier, b.countedStake, tiers);
    showAmount($("#worker-counted"), b.countedStake, "$ASHAO");
    $("#worker-warming").textContent = warmingText(
      b.warming,
      b.warmupEndsAt,
      b.boostBps,
      b.boostBpsOnceWarm,
    );
    showAmount($("#worker-unstaking"), b.unstaking, "$ASHAO");
    $("#worker-next-tier").textContent = a.hasPosition
      ? nextTierText(b.boostBpsOnceWarm, b.nextTier, b.stakeToNextTier, tiers.length)
      : `no stake position: ${nextTierText(0, b.nextTier, b.stakeToNextTier, tiers.length)}`;
    $("#worker-settlements").textContent = String(a.earnings.settlements);
    showAmount($("#worker-paid"), a.earnings.paid, "USDC");
    showAmount($("#worker-boost-paid"), a.earnings.boost, "USDC");
  }
}
