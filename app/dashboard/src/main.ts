/// <reference lib="dom" />
/**
 * The dashboard: the stakers' yield, a position (a connected wallet's, to act on, or any pasted
 * address's) and its history, the treasury's figures, every buyback with explorer links, the
 * supply, solvency, policy and admin log, and the history as charts over a chosen range. Served
 * by the API server; it polls the API (with ETags), says how old what it shows is, and says so
 * plainly when the API stops answering; and any worker's boost and settled earnings. The Solana
 * client it signs with is loaded only when a wallet connects, the chart library once the charts
 * come near the screen, the Workers section's code once it does or a worker is asked for.
 */
import type { Cluster } from "../../sdk/src/explorer";
import {
  type AdminLogAnswer,
  type ApiConfig,
  type BuybacksAnswer,
  getJson,
  type HistoryAnswer,
  report,
  type TreasuryAnswer,
} from "./api";
import type { HistoryCharts } from "./charts";
import { $, watchOverflow } from "./dom";
import { spanText, timeText } from "./format";
import { PositionPanel } from "./position";
import type { WorkerPanel } from "./workers";
import {
  adminLogRows,
  buybackRows,
  renderCountdowns,
  renderFigures,
  renderPolicy,
  renderSolvency,
  renderSupply,
  renderYield,
} from "./treasury-view";

const FIGURES_EVERY_MS = 2_000;
const HISTORY_EVERY_MS = 10_000;
const CLOCK_EVERY_MS = 1_000;
/** Five polls without an answer: the page says its figures are stale. */
const STALE_AFTER_MS = 10_000;
const BUYBACK_PAGE = 10;
const ADMIN_PAGE = 10;
/** A chart's range at most this many buckets (as the API's own ranges). */
const CHART_POINTS = 300;
const RANGE_SECS: Record<string, number | null> = {
  "24h": 86_400,
  "7d": 7 * 86_400,
  "30d": 30 * 86_400,
  all: null,
};
const INTERVALS: [string, number][] = [
  ["1m", 60],
  ["5m", 300],
  ["15m", 900],
  ["1h", 3_600],
  ["6h", 21_600],
  ["1d", 86_400],
];

const openedAt = Date.now();
let treasuryEtag: string | undefined;
/** The chain's clock as last read, and when: countdowns run from it between answers. */
let chainClock = { unix: 0, receivedAt: 0 };
/** The last answer of /api/treasury (200 or 304): when it came and how old its figures were. */
let lastAnswer: { receivedAt: number; ageMs: number } | undefined;
let treasury: TreasuryAnswer | undefined;
let buybacksShown: number | undefined;
let buybacksCursor: string | null = null;
let adminLogKey: string | undefined;
let adminLogCursor: string | null = null;
let adminLogPagedOlder = false;
let range = "24h";
let cluster: Cluster = { name: "mainnet-beta" };

const chainNow = () => chainClock.unix + (Date.now() - chainClock.receivedAt) / 1000;

/** A section's figures have arrived (for assistive technology: it is no longer loading). */
const loaded = (id: string) => $(id).setAttribute("aria-busy", "false");

async function refreshTreasury(): Promise<void> {
  const { body, etag, headers } = await getJson<TreasuryAnswer>("/api/treasury", treasuryEtag);
  treasuryEtag = etag;
  lastAnswer = { receivedAt: Date.now(), ageMs: body?.ageMs ?? lastAnswer?.ageMs ?? 0 };
  const chainTime = Number(headers.get("x-chain-time") ?? body?.chainTime);
  if (Number.isFinite(chainTime)) chainClock = { unix: chainTime, receivedAt: Date.now() };
  renderClock();
  if (!body) return;
  treasury = body;
  renderFigures(body);
  renderYield(body, chainNow());
  renderSupply(body, cluster);
  renderSolvency(body, cluster);
  renderPolicy(body, cluster);
  renderCountdowns(body, chainNow());
  position.render();
  $('[data-figure="slot"]').textContent = String(body.slot);
  $("#paused").hidden = !body.paused;
  for (const id of ["#yield", "#figures", "#supply", "#solvency"]) loaded(id);
  // The lists change only with what they list: read them when that moves.
  if (body.buybackCount !== buybacksShown) {
    // The list comes from the indexer, which may not have stored the newest buyback yet.
    buybacksShown = await loadBuybacks(false);
  }
  const policyKey = JSON.stringify([body.policy, body.paused]);
  if (policyKey !== adminLogKey) {
    await loadAdminLog(false);
    adminLogKey = policyKey;
    loaded("#policy");
  }
}

/** How old the figures are, growing between answers; a banner once the API stops answering. */
function renderClock(): void {
  const now = Date.now();
  const status = $(".status-line");
  const stale = $("#stale");
  const silentFor = now - (lastAnswer?.receivedAt ?? openedAt);
  if (lastAnswer) {
    const ageSecs = (lastAnswer.ageMs + now - lastAnswer.receivedAt) / 1000;
    $("#age").textContent =
      ageSecs < 10 ? `read ${ageSecs.toFixed(1)} s ago` : `read ${spanSecs(ageSecs)} ago`;
  }
  if (silentFor < STALE_AFTER_MS) {
    stale.hidden = true;
    status.dataset.stale = "false";
    return;
  }
  if (stale.hidden) {
    // Said once when it happens (an alert); the ages below it keep growing without a word.
    $("#stale-alert").textContent = lastAnswer
      ? "The API has stopped answering: the figures on this page are not live."
      : "The API is not answering: no figures yet.";
    stale.hidden = false;
  }
  status.dataset.stale = "true";
  $("#stale-age").textContent = lastAnswer
    ? `Last answer ${spanSecs(silentFor / 1000)} ago; the figures below were read ` +
      `${spanSecs((lastAnswer.ageMs + silentFor) / 1000)} ago. Retrying every ${FIGURES_EVERY_MS / 1000} s.`
    : `Waiting ${spanSecs(silentFor / 1000)} so far; retrying every ${FIGURES_EVERY_MS / 1000} s.`;
}

/** Seconds as people read an age: `25 s`, `3 min 5 s`, `2 h 4 min`. */
function spanSecs(secs: number): string {
  const s = Math.floor(secs);
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return spanText(s);
}

/** Reads a page of buybacks; the newest one's count (how many the list now shows in all). */
async function loadBuybacks(more: boolean): Promise<number | undefined> {
  const cursor = more && buybacksCursor ? `&cursor=${buybacksCursor}` : "";
  const { body } = await getJson<BuybacksAnswer>(`/api/buybacks?limit=${BUYBACK_PAGE}${cursor}`);
  if (!body) return buybacksShown;
  buybacksCursor = body.nextCursor;
  const rows = buybackRows(body);
  if (more) $("#buyback-rows").append(...rows);
  else $("#buyback-rows").replaceChildren(...rows);
  $("#buybacks-loading").hidden = true;
  $("#no-buybacks").hidden = $("#buyback-rows").children.length > 0;
  $("#buybacks-more").hidden = body.nextCursor === null;
  loaded("#buybacks");
  return body.buybacks[0]?.buybackCount ?? 0;
}

async function loadAdminLog(more: boolean): Promise<void> {
  const cursor = more && adminLogCursor ? `&cursor=${adminLogCursor}` : "";
  const { body } = await getJson<AdminLogAnswer>(
    `/api/treasury/admin-log?limit=${ADMIN_PAGE}${cursor}`,
  );
  if (!body) return;
  adminLogCursor = body.nextCursor;
  const rows = adminLogRows(body);
  if (more) $("#admin-log-rows").append(...rows);
  else $("#admin-log-rows").replaceChildren(...rows);
  adminLogPagedOlder = more;
  $("#admin-log-more").hidden = body.nextCursor === null;
}

/**
 * The history to chart for the chosen range: a young treasury's whole life rather than a range
 * it has no data for, in buckets that fit it.
 */
function historyPath(t: TreasuryAnswer): { path: string; note: string } {
  const span = RANGE_SECS[range];
  // The 30-day window covers the treasury's life until it is 30 days old.
  const age = t.yield.trailing30d.coveredSecs;
  const young = age < t.yield.trailing30d.windowSecs && (span === null || age < span);
  if (!young) return { path: `/api/treasury/history?range=${range}`, note: "" };
  const to = Math.floor(t.chainTime);
  const from = to - Math.max(age, 60);
  const [interval] = INTERVALS.find(([, secs]) => (to - from) / secs <= CHART_POINTS) ?? ["1d"];
  return {
    path: `/api/treasury/history?from=${from}&to=${to}&interval=${interval}`,
    note:
      `The treasury is ${spanText(age)} old: the charts show all of its history ` +
      `(since ${timeText(new Date(from * 1000).toISOString())}), by ${interval}.`,
  };
}

/** The charts, made once (two refreshes may ask at once while the library loads). */
let charts: Promise<HistoryCharts> | undefined;
/**
 * Whether the charts' section is on screen or near it. They are drawn, and the chart library
 * loaded, only from then on: below the first screen, they would only hold up its first answers.
 */
let historyInSight = false;
const historyWatch = new IntersectionObserver(
  (entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    historyInSight = true;
    historyWatch.disconnect();
    void refreshHistory().catch(report);
  },
  { rootMargin: "400px 0px" },
);
historyWatch.observe($("#history"));

async function refreshHistory(): Promise<void> {
  if (!treasury || !historyInSight) return;
  const { path, note } = historyPath(treasury);
  const asked = range;
  const { body } = await getJson<HistoryAnswer>(path);
  if (!body || asked !== range) return;
  charts ??= import("./charts").then((m) => new m.HistoryCharts($("#charts")));
  (await charts).render(body, range);
  $("#range-note").textContent = note;
  loaded("#history");
}

/**
 * The Workers section's code, loaded once the section comes near the screen or a worker is
 * asked for (from its form or `?worker=` in the URL): below the first screen, it would only
 * hold up the first answers.
 */
let workers: Promise<WorkerPanel> | undefined;
const workerPanel = () =>
  (workers ??= import("./workers").then(
    (m) => new m.WorkerPanel({ cluster: () => cluster, treasury: () => treasury }),
  ));
const workersWatch = new IntersectionObserver(
  (entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    workersWatch.disconnect();
    void workerPanel().catch(report);
  },
  { rootMargin: "400px 0px" },
);
workersWatch.observe($("#workers"));

function wireWorkers(): void {
  const input = $<HTMLInputElement>("#worker-address");
  $("#worker-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void workerPanel()
      .then((panel) => {
        // The worker looked at is in the URL (beside a position's `?address=`), to share.
        const params = new URLSearchParams(location.search);
        if (panel.view(input.value)) params.set("worker", input.value.trim());
        else params.delete("worker");
        const query = params.toString();
        history.replaceState(null, "", query === "" ? location.pathname : `?${query}`);
      })
      .catch(report);
  });
  const fromUrl = new URLSearchParams(location.search).get("worker");
  if (fromUrl !== null) {
    input.value = fromUrl;
    void workerPanel()
      .then((panel) => panel.view(fromUrl))
      .catch(report);
  }
}

function wireRange(): void {
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>("#range button"));
  for (const button of buttons) {
    button.addEventListener("click", () => {
      range = button.dataset.range!;
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      void refreshHistory().catch(report);
    });
  }
}

/** The API's config, retried while the server is still loading its snapshot (503). */
async function apiConfig(): Promise<ApiConfig> {
  for (;;) {
    const config = await getJson<ApiConfig>("/api/config")
      .then((answer) => answer.body)
      .catch(report);
    if (config) return config;
    await new Promise((resolve) => setTimeout(resolve, FIGURES_EVERY_MS));
  }
}

const config = apiConfig();
const position = new PositionPanel({
  config: () => config,
  cluster: () => cluster,
  treasury: () => treasury,
  chainNow,
});

function loop(every: number, task: () => Promise<void>): void {
  const run = () =>
    task()
      .catch(report)
      .finally(() => setTimeout(run, every));
  run();
}

wireRange();
wireWorkers();
watchOverflow();
$("#buybacks-more").addEventListener("click", () => void loadBuybacks(true).catch(report));
$("#admin-log-more").addEventListener("click", () => void loadAdminLog(true).catch(report));
loop(FIGURES_EVERY_MS, refreshTreasury);
loop(FIGURES_EVERY_MS, () => position.refresh());
// The history waits for the treasury's first answer (its age decides the range's buckets).
// The admin log is read again with it too: the indexer may store an action after the snapshot
// shows its effect.
loop(HISTORY_EVERY_MS, async () => {
  while (!treasury) await new Promise((resolve) => setTimeout(resolve, 200));
  await refreshHistory();
  if (!adminLogPagedOlder) await loadAdminLog(false);
});
setInterval(() => {
  renderClock();
  if (treasury) renderCountdowns(treasury, chainNow());
  position.renderCooldown();
}, CLOCK_EVERY_MS);
void config.then((c) => {
  cluster =
    c.cluster.name === "custom"
      ? { name: "custom", rpcUrl: c.cluster.rpcUrl ?? c.rpcUrl ?? undefined }
      : { name: c.cluster.name as "mainnet-beta" | "devnet" | "testnet" };
  $("#cluster").textContent =
    cluster.name === "custom" ? "a local or private cluster" : `Solana ${cluster.name}`;
  // Links drawn before the cluster was known point at it now.
  if (treasury) {
    renderSupply(treasury, cluster);
    renderSolvency(treasury, cluster);
    renderPolicy(treasury, cluster);
  }
});
