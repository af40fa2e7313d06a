/// <reference lib="dom" />
/**
 * The dashboard: the stakers' yield, a position (a connected wallet's, to act on, or any pasted
 * address's) and its history, the treasury's figures, every buyback with explorer links, the
 * supply, solvency and policy, and the history as charts over a chosen range. Served by the API
 * server; it polls the API (with ETags) and sends transactions to the RPC node the API names.
 */
import { clusterApiUrl, Connection, PublicKey } from "@solana/web3.js";

import { type Cluster, explorerAddressUrl, treasuryAccountsFor } from "../../sdk/src";
import {
  type ApiConfig,
  type BuybacksAnswer,
  getJson,
  type HistoryAnswer,
  report,
  type TreasuryAnswer,
} from "./api";
import { HistoryCharts } from "./charts";
import { $, amountElement, cell, element, link, row, showAmount } from "./dom";
import {
  amountText,
  countdownText,
  deviationText,
  exactAmountText,
  FIGURE_UNITS,
  figureTexts,
  formatDuration,
  lastQueuedChangeText,
  PARAM_LABELS,
  paramText,
  priceGuardText,
  priceText,
  shortAddress,
  timeText,
  yieldTexts,
} from "./format";
import { PositionPanel } from "./position";

const FIGURES_EVERY_MS = 2_000;
const HISTORY_EVERY_MS = 10_000;
const COUNTDOWN_EVERY_MS = 1_000;
const BUYBACK_PAGE = 10;

let treasuryEtag: string | undefined;
/** The chain's clock as last read, and when: countdowns run from it between answers. */
let chainClock = { unix: 0, receivedAt: 0 };
let treasury: TreasuryAnswer | undefined;
let buybacksShown: number | undefined;
let buybacksCursor: string | null = null;
let range = "24h";
let cluster: Cluster = { name: "mainnet-beta" };

const chainNow = () => chainClock.unix + (Date.now() - chainClock.receivedAt) / 1000;

/** An address linked to the explorer, shortened on narrow screens by CSS wrapping only. */
const addressLink = (address: string) =>
  link(address, explorerAddressUrl(address, cluster), `${address} on the explorer`);

function renderYield(t: TreasuryAnswer): void {
  const y = t.yield;
  for (const [id, window, days] of [
    ["#yield-7d", y.trailing7d, 7],
    ["#yield-30d", y.trailing30d, 30],
  ] as const) {
    const texts = yieldTexts(window, days);
    const card = $(id);
    card.querySelector<HTMLElement>('[data-yield="apr"]')!.textContent = texts.apr;
    card.querySelector<HTMLElement>('[data-yield="per-ashao"]')!.textContent = texts.perAshao;
    card.querySelector<HTMLElement>('[data-yield="released"]')!.textContent = texts.released;
  }
  $("#yield-method").textContent =
    `How: ${y.method}.` +
    (y.price
      ? ` Price used: ${priceText(y.price.usdcPerAshao, "USDC")} per $ASHAO (${y.price.source === "oracle" ? "oracle" : "last buyback"}, ${timeText(y.price.at)}).`
      : "");
}

function renderFigures(t: TreasuryAnswer): void {
  for (const [key, text] of Object.entries(figureTexts(t))) {
    const target = document.querySelector<HTMLElement>(`[data-figure="${key}"]`);
    if (!target) continue;
    target.textContent = text;
    const unit = FIGURE_UNITS[key];
    if (unit)
      target.title = exactAmountText(
        t[key as keyof typeof t] as { raw: string; decimals: number },
        unit,
      );
  }
}

function renderSupply(t: TreasuryAnswer): void {
  const s = t.supply;
  showAmount($("#supply-burned"), s.burned, "$ASHAO");
  $("#supply-burned-share").textContent =
    `${s.burnedPercent}% of ${amountText(s.initial, "$ASHAO")}`;
  $("#supply-burned-share").title = exactAmountText(s.initial, "$ASHAO");
  showAmount($("#supply-total"), s.total, "$ASHAO");
  showAmount($("#supply-circulating"), s.circulating, "$ASHAO");
  $("#supply-excluded").replaceChildren(
    ...s.excluded.map((e) => {
      const li = document.createElement("li");
      li.append(
        `${e.name}: `,
        amountElement("span", e.amount, "$ASHAO"),
        " at ",
        addressLink(e.address),
      );
      return li;
    }),
  );
  const mint = $<HTMLAnchorElement>("#supply-mint");
  mint.textContent = s.mint;
  mint.href = explorerAddressUrl(s.mint, cluster);
}

function renderSolvency(t: TreasuryAnswer): void {
  const s = t.solvency;
  const status = $("#solvency-status");
  status.textContent = s.solvent
    ? "Solvent: each vault holds at least what it owes"
    : "A vault holds less than it owes";
  status.dataset.ok = String(s.solvent);
  const vault = (name: string, v: TreasuryAnswer["solvency"]["buyback"], owes: string) => {
    // Short here (the full address is on hover, and in the line below the table).
    const first = cell(`${name} `);
    first.append(link(shortAddress(v.vault), explorerAddressUrl(v.vault, cluster), v.vault));
    return row([
      first,
      cell(amountElement("span", v.holds, "USDC")),
      cell(amountElement("span", v.owes, "USDC"), owes),
      cell(amountElement("span", v.surplus, "USDC")),
    ]);
  };
  const buyback = vault("Buyback vault", s.buyback, "the unspent buyback bucket");
  const rewards = vault(
    "Rewards vault",
    s.rewards,
    `still streaming ${amountText(s.rewards.streaming, "USDC")} + released, unclaimed ${amountText(s.rewards.releasedUnclaimed, "USDC")}`,
  );
  $("#solvency-rows").replaceChildren(buyback, rewards);
  $("#solvency-identities").replaceChildren(
    ...s.identities.map((i) => element("li", `${i.holds ? "✓" : "✗"} ${i.text}`)),
  );
  $("#solvency-line").textContent = s.line;
}

function renderPolicy(t: TreasuryAnswer): void {
  const p = t.policy;
  $("#policy-split").textContent =
    `${p.split.buybackBps / 100}% buybacks / ${p.split.stakersBps / 100}% stakers, fixed in the program`;
  $("#policy-authority").replaceChildren(addressLink(p.authority));
  $("#policy-program").replaceChildren(addressLink(p.programId));
  $("#policy-upgrade").replaceChildren(
    p.upgradeAuthority
      ? addressLink(p.upgradeAuthority)
      : element("span", "none: the program is immutable"),
  );
  $("#policy-guard").textContent = priceGuardText(p.priceGuard);
  $("#policy-timelock").textContent = formatDuration(p.timelockSecs);
  $("#policy-cap").textContent = paramText("maxBuybackUsdc", p.params.maxBuybackUsdc);
  $("#policy-interval").textContent = formatDuration(p.params.minBuybackIntervalSecs);
  $("#policy-cranks").replaceChildren(
    ...(p.params.cranks.length === 0
      ? [element("span", "none")]
      : p.params.cranks.flatMap((c, i) => [
          ...(i > 0 ? [document.createTextNode(", ")] : []),
          link(shortAddress(c), explorerAddressUrl(c, cluster), `crank ${c} on the explorer`),
        ])),
  );
  $("#policy-params").replaceChildren(
    ...Object.entries(PARAM_LABELS).map(([field, label]) => {
      const div = document.createElement("div");
      const name = field as keyof typeof PARAM_LABELS;
      div.append(element("dt", label), element("dd", paramText(name, p.params[name])));
      return div;
    }),
  );

  const pending = p.pendingAuthority;
  $("#pending-authority").hidden = pending === null;
  if (pending) {
    $("#pending-authority-address").replaceChildren(element("code", pending.address));
    $("#pending-authority-at").textContent = timeText(pending.acceptAfter.at);
    $("#pending-authority-expires").textContent = timeText(pending.expiresAt.at);
  }
  const last = p.lastQueuedChange;
  $("#last-queued-change").hidden = last === null;
  if (last) $("#last-queued-change-text").textContent = lastQueuedChangeText(last);
  const queued = p.queuedChange;
  $("#queued-change").hidden = queued === null;
  $("#no-queued-change").hidden = queued !== null;
  if (queued) {
    $("#queued-rows").replaceChildren(
      ...queued.changes.map((c) => {
        const th = element("th", PARAM_LABELS[c.field as keyof typeof PARAM_LABELS]);
        th.setAttribute("scope", "row");
        return row([
          th,
          cell(paramText(c.field as never, c.current as never)),
          cell(paramText(c.field as never, c.queued as never)),
        ]);
      }),
    );
    $("#queued-eta").textContent = timeText(queued.eta.at);
    $("#queued-expires").textContent = timeText(queued.expiresAt.at);
  }
}

/** The countdowns to a queued change's eta and a pending authority's, on the chain's clock. */
function renderCountdowns(): void {
  const policy = treasury?.policy;
  if (!policy) return;
  const now = chainNow();
  const queued = policy.queuedChange;
  if (queued) {
    $("#queued-status").textContent =
      now < queued.eta.unix
        ? `applies ${countdownText(queued.eta.unix, now)}`
        : now <= queued.expiresAt.unix
          ? `anyone may apply it now (for ${formatDuration(queued.expiresAt.unix - now)} more)`
          : "expired: it can no longer be applied; the next queued change replaces it";
  }
  const pending = policy.pendingAuthority;
  if (pending) {
    $("#pending-authority-status").textContent =
      now < pending.acceptAfter.unix
        ? `may accept ${countdownText(pending.acceptAfter.unix, now)}`
        : now <= pending.expiresAt.unix
          ? `may accept now (for ${formatDuration(pending.expiresAt.unix - now)} more)`
          : "expired: the authority must propose again";
  }
}

async function refreshTreasury(): Promise<void> {
  const { body, etag, headers } = await getJson<TreasuryAnswer>("/api/treasury", treasuryEtag);
  treasuryEtag = etag;
  const chainTime = Number(headers.get("x-chain-time") ?? body?.chainTime);
  if (Number.isFinite(chainTime)) chainClock = { unix: chainTime, receivedAt: Date.now() };
  if (!body) return;
  treasury = body;
  // The buyback table changes only with the count: read it when the count moves.
  if (body.buybackCount !== buybacksShown) {
    await loadBuybacks(false);
    buybacksShown = body.buybackCount;
  }
  renderFigures(body);
  renderYield(body);
  renderSupply(body);
  renderSolvency(body);
  renderPolicy(body);
  renderCountdowns();
  $("#age").textContent = `read ${Math.round(body.ageMs / 100) / 10} s ago`;
  $("#paused").hidden = !body.paused;
}

async function loadBuybacks(more: boolean): Promise<void> {
  const cursor = more && buybacksCursor ? `&cursor=${buybacksCursor}` : "";
  const { body } = await getJson<BuybacksAnswer>(`/api/buybacks?limit=${BUYBACK_PAGE}${cursor}`);
  if (!body) return;
  buybacksCursor = body.nextCursor;
  const rows = body.buybacks.map((b) =>
    row([
      cell(timeText(b.at), b.at),
      cell(amountElement("span", b.usdcSpent, "USDC")),
      cell(amountElement("span", b.ashaoBurned, "$ASHAO")),
      cell(priceText(b.effectivePrice, "USDC"), exactAmountText(b.effectivePrice, "USDC")),
      b.oraclePrice
        ? cell(priceText(b.oraclePrice, "USDC"), exactAmountText(b.oraclePrice, "USDC"))
        : cell("—"),
      cell(deviationText(b.deviationBps)),
      cell(
        link(
          shortAddress(b.signature),
          b.explorerUrl,
          `buyback transaction ${b.signature} on the explorer`,
        ),
      ),
    ]),
  );
  if (more) $("#buyback-rows").append(...rows);
  else $("#buyback-rows").replaceChildren(...rows);
  $("#no-buybacks").hidden = $("#buyback-rows").children.length > 0;
  $("#buybacks-more").hidden = body.nextCursor === null;
}

let charts: HistoryCharts | undefined;
async function refreshHistory(): Promise<void> {
  const { body } = await getJson<HistoryAnswer>(`/api/treasury/history?range=${range}`);
  if (!body) return;
  charts ??= new HistoryCharts($("#charts"));
  charts.render(body.points, body.interval, range);
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

async function main(): Promise<void> {
  const config = await apiConfig();
  cluster =
    config.cluster.name === "custom"
      ? { name: "custom", rpcUrl: config.cluster.rpcUrl ?? config.rpcUrl ?? undefined }
      : { name: config.cluster.name as "mainnet-beta" | "devnet" | "testnet" };
  // The RPC URL the operator publishes; else a public cluster's own public endpoint
  // (api.<cluster>.solana.com); a custom cluster has none.
  const rpcUrl =
    config.rpcUrl ?? (cluster.name === "custom" ? undefined : clusterApiUrl(cluster.name));
  $("#cluster").textContent =
    cluster.name === "custom"
      ? `custom cluster${cluster.rpcUrl ? ` at ${cluster.rpcUrl}` : ""}`
      : `Solana ${cluster.name}`;
  const connection =
    rpcUrl === undefined
      ? undefined
      : new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: config.wsUrl ?? undefined });
  const programId = new PublicKey(config.programId);
  const position = new PositionPanel({
    connection,
    programId,
    cluster,
    accounts: treasuryAccountsFor(programId, {
      usdcMint: new PublicKey(config.usdcMint),
      ashaoMint: new PublicKey(config.ashaoMint),
      ashaoTokenProgram: new PublicKey(config.ashaoTokenProgram),
    }),
    chainNow,
  });
  wireRange();
  $("#buybacks-more").addEventListener("click", () => void loadBuybacks(true).catch(report));
  const loop = (every: number, task: () => Promise<void>) => {
    const run = () =>
      task()
        .catch(report)
        .finally(() => setTimeout(run, every));
    run();
  };
  loop(FIGURES_EVERY_MS, refreshTreasury);
  loop(HISTORY_EVERY_MS, refreshHistory);
  loop(FIGURES_EVERY_MS, () => position.refresh());
  setInterval(() => {
    renderCountdowns();
    position.renderCooldown();
  }, COUNTDOWN_EVERY_MS);
}

void main();
