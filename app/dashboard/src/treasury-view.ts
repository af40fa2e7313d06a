/// <reference lib="dom" />
/**
 * The treasury's sections drawn from `/api/treasury` and its lists: the yield, the figures, the
 * supply (exact), solvency, the policy (who holds which key, said plainly when one key holds
 * both; the cooldown; when the next buyback may run; a queued change and an authority transfer
 * with countdowns), every buyback and the admin log.
 */
import type { ParamName } from "../../sdk/src/policy";
import { type Cluster, explorerAddressUrl } from "../../sdk/src/explorer";
import type { AdminLogAnswer, BuybacksAnswer, TreasuryAnswer } from "./api";
import { $, amountElement, cell, element, link, row, showExact, transactionCell } from "./dom";
import {
  amountText,
  countdownText,
  currentRateText,
  deviationText,
  EXACT_FIGURES,
  exactAmountText,
  exactText,
  FIGURE_UNITS,
  figureTexts,
  formatDuration,
  keyWarning,
  lastQueuedChangeText,
  PARAM_LABELS,
  paramText,
  priceGuardText,
  priceText,
  shortAddress,
  timeText,
  yieldTexts,
} from "./format";

export interface ViewContext {
  cluster: Cluster;
  /** The chain's clock now (unix seconds). */
  chainNow: number;
}

/** An address linked to the explorer. */
const addressLink = (addr: string, cluster: Cluster) =>
  link(addr, explorerAddressUrl(addr, cluster), `${addr} on the explorer`);

export function renderYield(t: TreasuryAnswer, chainNow: number): void {
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
  $("#yield-current").textContent = currentRateText(y.current, chainNow);
  $("#yield-method").textContent =
    `How: ${y.method}.` +
    (y.price
      ? ` Price used: ${priceText(y.price.usdcPerAshao, "USDC")} per $ASHAO (${y.price.source === "oracle" ? "oracle" : "last buyback"}, ${timeText(y.price.at)}).`
      : "");
}

export function renderFigures(t: TreasuryAnswer): void {
  for (const [key, text] of Object.entries(figureTexts(t))) {
    const target = document.querySelector<HTMLElement>(`[data-figure="${key}"]`);
    if (!target) continue;
    const unit = FIGURE_UNITS[key];
    if (!unit) {
      target.textContent = text;
      continue;
    }
    const value = t[key as keyof typeof t] as { raw: string; decimals: number };
    // A figure already written out in full needs only its base units beside it.
    showExact(
      target,
      text,
      EXACT_FIGURES.has(key) ? `${value.raw} base units` : exactAmountText(value, unit),
    );
  }
}

export function renderSupply(t: TreasuryAnswer, cluster: Cluster): void {
  const s = t.supply;
  const exact = (target: string, amount: { raw: string; decimals: number }, text?: string) =>
    showExact($(target), text ?? exactText(amount, "$ASHAO"), `${amount.raw} base units`);
  exact("#supply-burned", s.burned);
  exact(
    "#supply-burned-share",
    s.initial,
    `${s.burnedPercent}% of ${exactText(s.initial, "$ASHAO")}`,
  );
  exact("#supply-total", s.total);
  exact("#supply-circulating", s.circulating);
  $("#supply-excluded").replaceChildren(
    ...s.excluded.map((e) => {
      const li = document.createElement("li");
      li.append(
        `${e.name}: `,
        amountElement("span", e.amount, "$ASHAO"),
        " at ",
        addressLink(e.address, cluster),
      );
      return li;
    }),
  );
  const mint = $<HTMLAnchorElement>("#supply-mint");
  mint.textContent = s.mint;
  mint.href = explorerAddressUrl(s.mint, cluster);
}

export function renderSolvency(t: TreasuryAnswer, cluster: Cluster): void {
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

const HOLDER_TEXT = {
  singleKey: " (a single key)",
  programAddress: " (a program-derived address, such as a multisig vault)",
} as const;

export function renderPolicy(t: TreasuryAnswer, cluster: Cluster): void {
  const p = t.policy;
  const upgradeable = p.upgradeAuthority !== null;
  $("#policy-split").textContent =
    `${p.split.buybackBps / 100}% buybacks / ${p.split.stakersBps / 100}% stakers, fixed in the ` +
    (upgradeable
      ? "program's code: no parameter changes it; an upgrade of the program could"
      : "program, which is immutable");
  const warning = keyWarning(p);
  $("#single-key").hidden = warning === null;
  $("#single-key-text").textContent = warning ?? "";
  $("#policy-authority").replaceChildren(
    addressLink(p.authority, cluster),
    element("span", HOLDER_TEXT[p.authorityHolder]),
  );
  $("#policy-program").replaceChildren(addressLink(p.programId, cluster));
  $("#policy-upgrade").replaceChildren(
    ...(p.upgradeAuthority
      ? [
          addressLink(p.upgradeAuthority, cluster),
          element(
            "span",
            p.upgradeAuthority === p.authority
              ? " (the same key as the authority)"
              : HOLDER_TEXT[p.upgradeAuthorityHolder ?? "singleKey"],
          ),
        ]
      : [element("span", "none: the program is immutable")]),
  );
  $("#policy-guard").textContent = priceGuardText(p.priceGuard);
  $("#policy-timelock").textContent = formatDuration(p.timelockSecs);
  $("#policy-cooldown").textContent =
    `${formatDuration(p.params.unstakeCooldownSecs)} from an unstake request to its withdrawal`;
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
      const name = field as ParamName;
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
        const th = element("th", PARAM_LABELS[c.field as ParamName]);
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

/** When the next buyback may run, on the chain's clock. */
export function nextBuybackText(t: TreasuryAnswer, now: number): string {
  const p = t.policy;
  if (p.priceGuard.kind === "none") return "none: buybacks are off (no price guard)";
  if (t.paused) return "not while the treasury is paused";
  const bucket = BigInt(t.buybackBucket.raw);
  const cap = BigInt(p.params.maxBuybackUsdc);
  const size = amountText(
    { raw: bucket < cap ? bucket : cap, decimals: t.buybackBucket.decimals },
    "USDC",
  );
  const from = t.lastBuybackAt
    ? Date.parse(t.lastBuybackAt) / 1000 + p.params.minBuybackIntervalSecs
    : now;
  const what =
    bucket === 0n ? "once revenue fills the bucket (empty now)" : `for up to ${size} of the bucket`;
  return from <= now
    ? `may run now, ${what}`
    : `may run ${countdownText(from, now)} (${timeText(new Date(from * 1000).toISOString())}), ${what}`;
}

/** The countdowns on the chain's clock: a queued change, an authority transfer, the next buyback. */
export function renderCountdowns(t: TreasuryAnswer, now: number): void {
  const policy = t.policy;
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
  const next = nextBuybackText(t, now);
  $("#policy-next-buyback").textContent = next;
  $("#next-buyback").textContent = `Next buyback: ${next}.`;
}

export function buybackRows(answer: BuybacksAnswer): HTMLTableRowElement[] {
  return answer.buybacks.map((b) => {
    const price = (amount: { raw: string; decimals: number }) => {
      const td = cell("");
      showExact(td, priceText(amount, "USDC"), exactAmountText(amount, "USDC"));
      return td;
    };
    return row([
      cell(timeText(b.at), b.at),
      cell(amountElement("span", b.usdcSpent, "USDC")),
      cell(amountElement("span", b.ashaoBurned, "$ASHAO")),
      price(b.effectivePrice),
      b.oraclePrice ? price(b.oraclePrice) : cell("—"),
      cell(deviationText(b.deviationBps)),
      transactionCell(b.signature, b.explorerUrl, "buyback transaction"),
    ]);
  });
}

const NO_KEY = "11111111111111111111111111111111";

const ADMIN_ACTIONS: Record<AdminLogAnswer["actions"][number]["event"], string> = {
  treasuryInitialized: "Initialised",
  configUpdated: "Parameters updated",
  configChangeQueued: "Change queued",
  configChangeApplied: "Queued change applied",
  configChangeCancelled: "Queued change cancelled",
  authorityProposed: "Authority transfer proposed",
  authorityTransferred: "Authority transferred",
  pauseSet: "Pause set",
};

/** What an admin action did, in a line. */
function adminDetails(action: AdminLogAnswer["actions"][number]): string {
  const d = action.data;
  const change = () =>
    Object.entries((d.change ?? {}) as Record<string, unknown>)
      .map(
        ([field, value]) =>
          `${PARAM_LABELS[field as ParamName] ?? field}: ${paramText(field as never, value as never)}`,
      )
      .join("; ");
  const at = (unix: unknown) => timeText(new Date(Number(unix) * 1000).toISOString());
  switch (action.event) {
    case "treasuryInitialized":
      return `by ${shortAddress(String(d.authority))}`;
    case "configUpdated":
      return `by ${shortAddress(String(d.authority))}`;
    case "configChangeQueued":
      return `${change()}; from ${at(d.eta)}`;
    case "configChangeApplied":
      return `${change()}; by ${shortAddress(String(d.appliedBy))}`;
    case "configChangeCancelled":
      return change();
    case "authorityProposed":
      return d.pendingAuthority === NO_KEY
        ? "no transfer pending any more"
        : `to ${shortAddress(String(d.pendingAuthority))}, who may accept from ${at(d.acceptAfter)}`;
    case "authorityTransferred":
      return `from ${shortAddress(String(d.previousAuthority))} to ${shortAddress(String(d.newAuthority))}`;
    case "pauseSet":
      return d.paused === true || d.paused === "true" ? "paused" : "unpaused";
  }
}

/** A queued change leaves the queue cancelled, dropped by an emergency change, or expired. */
const LEFT_QUEUE: Record<string, string> = {
  cancelled: "Queued change cancelled",
  superseded: "Queued change dropped (an emergency change set its parameter)",
  expired: "Queued change expired",
};

/** What an admin action was, in a few words. */
function adminAction(a: AdminLogAnswer["actions"][number]): string {
  if (a.event === "authorityProposed" && a.data.pendingAuthority === NO_KEY) {
    return "Authority transfer cancelled";
  }
  if (a.event === "configChangeCancelled") {
    return LEFT_QUEUE[String(a.data.outcome)] ?? ADMIN_ACTIONS[a.event];
  }
  return ADMIN_ACTIONS[a.event];
}

export function adminLogRows(answer: AdminLogAnswer): HTMLTableRowElement[] {
  return answer.actions.map((a) =>
    row([
      cell(timeText(a.at), a.at),
      cell(adminAction(a)),
      cell(adminDetails(a)),
      transactionCell(a.signature, a.explorerUrl),
    ]),
  );
}
