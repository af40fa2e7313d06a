/// <reference lib="dom" />
/**
 * The dashboard: live treasury figures, their history as charts, and a staking panel for
 * wallet-standard wallets built on the SDK. Served by the API server; it polls the API with
 * ETags and sends transactions to the RPC node the API names.
 */
import { Connection, PublicKey, TransactionInstruction } from "@solana/web3.js";

import {
  ASHAO_DECIMALS,
  claimInstructions,
  ownerAshaoAddress,
  parseUnits,
  requestUnstakeInstructions,
  sendAndConfirm,
  stakeInstructions,
  toTreasuryError,
  treasuryAccountsFor,
  type TreasuryAccounts,
  treasuryProgram,
  type TreasuryProgram,
  withdrawInstructions,
} from "../../sdk/src";
import {
  type ApiConfig,
  type BuybacksAnswer,
  getJson,
  type HistoryAnswer,
  type StakerAnswer,
  type TreasuryAnswer,
} from "./api";
import { lineChart } from "./charts";
import {
  countdownText,
  deviationText,
  figureTexts,
  formatAmount,
  formatDuration,
  PARAM_LABELS,
  paramText,
  priceGuardText,
  shortAddress,
  timeText,
} from "./format";
import { type ConnectedWallet, connectWallet, onWalletsChanged, stakingWallets } from "./wallet";

const FIGURES_EVERY_MS = 2_000;
const HISTORY_EVERY_MS = 10_000;
const COUNTDOWN_EVERY_MS = 1_000;
const BUYBACK_ROWS = 10;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

interface Session {
  config: ApiConfig;
  connection: Connection;
  accounts: TreasuryAccounts;
  wallet?: ConnectedWallet;
  program?: TreasuryProgram;
}

let treasuryEtag: string | undefined;
/** The chain's clock as last read, and when: countdowns run from it between answers. */
let chainClock = { unix: 0, receivedAt: 0 };
let policy: TreasuryAnswer["policy"] | undefined;
let buybacksShown: number | undefined;

const chainNow = () => chainClock.unix + (Date.now() - chainClock.receivedAt) / 1000;

/** A cell (or any element) holding `text`; a full key goes in its title. */
function element(tag: string, text: string, title?: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = text;
  if (title) el.title = title;
  return el;
}

function row(cells: HTMLElement[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

function renderPolicy(p: TreasuryAnswer["policy"]): void {
  $("#policy-authority").replaceChildren(element("code", p.authority));
  $("#policy-guard").textContent = priceGuardText(p.priceGuard);
  $("#policy-timelock").textContent = formatDuration(p.timelockSecs);
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
  }

  const queued = p.queuedChange;
  $("#queued-change").hidden = queued === null;
  $("#no-queued-change").hidden = queued !== null;
  if (queued) {
    $("#queued-rows").replaceChildren(
      ...queued.changes.map((c) =>
        row([
          element("th", PARAM_LABELS[c.field]),
          element("td", paramText(c.field, c.current)),
          element("td", paramText(c.field, c.queued)),
        ]),
      ),
    );
    $("#queued-eta").textContent = timeText(queued.eta.at);
    $("#queued-expires").textContent = timeText(queued.expiresAt.at);
  }
  renderCountdowns();
}

/** The countdowns to the queued change's eta and the pending authority's, on the chain's clock. */
function renderCountdowns(): void {
  if (!policy) return;
  const now = chainNow();
  const queued = policy.queuedChange;
  if (queued) {
    $("#queued-status").textContent =
      now < queued.eta.unix
        ? `applies ${countdownText(queued.eta.unix, now)}`
        : now <= queued.expiresAt.unix
          ? `anyone may apply it now (for ${formatDuration(queued.expiresAt.unix - now)} more)`
          : "expired: it can no longer be applied";
  }
  const pending = policy.pendingAuthority;
  if (pending) {
    $("#pending-authority-status").textContent =
      now < pending.acceptAfter.unix
        ? `may accept ${countdownText(pending.acceptAfter.unix, now)}`
        : "may accept now";
  }
}

async function refreshFigures(): Promise<void> {
  const { body, etag, headers } = await getJson<TreasuryAnswer>("/api/treasury", treasuryEtag);
  treasuryEtag = etag;
  const chainTime = Number(headers.get("x-chain-time") ?? body?.chainTime);
  if (Number.isFinite(chainTime)) chainClock = { unix: chainTime, receivedAt: Date.now() };
  if (!body) return;
  policy = body.policy;
  renderPolicy(body.policy);
  // The buyback table changes only with the count: read it when the count moves.
  if (body.buybackCount !== buybacksShown) {
    await refreshBuybacks();
    buybacksShown = body.buybackCount;
  }
  for (const [key, text] of Object.entries(figureTexts(body))) {
    const element = document.querySelector(`[data-figure="${key}"]`);
    if (element) element.textContent = text;
  }
  $("#age").textContent = `read ${Math.round(body.ageMs / 100) / 10} s ago`;
  $("#paused").hidden = !body.paused;
  $("#non-circulating").innerHTML = body.nonCirculating
    .map(
      (a) => `<li>${a.name}: <code>${a.address}</code> — ${formatAmount(a.amount, "$ASHAO")}</li>`,
    )
    .join("");
}

async function refreshHistory(): Promise<void> {
  // The last hour of the chain's clock (history is bucketed by it), once the page has read it.
  const now = Math.floor(chainClock.receivedAt > 0 ? chainNow() : Date.now() / 1000);
  const { body } = await getJson<HistoryAnswer>(
    `/api/treasury/history?interval=1m&from=${now - 3_600}`,
  );
  if (!body) return;
  const labels = body.points.map((p) => p.t.slice(11, 16));
  const series = (f: (p: HistoryAnswer["points"][number]) => string, scale: number) =>
    body.points.map((p) => Number(f(p)) / scale);
  $("#charts").innerHTML = [
    lineChart("Cumulative $ASHAO burned", labels, [
      { label: "$ASHAO burned", color: "#c0392b", values: series((p) => p.cumulativeBurned, 1e9) },
    ]),
    lineChart("Revenue split per minute (USDC)", labels, [
      { label: "to buyback", color: "#8e44ad", values: series((p) => p.toBuyback, 1e6) },
      { label: "to stakers", color: "#27ae60", values: series((p) => p.toStakers, 1e6) },
    ]),
    lineChart("Cumulative rewards paid (USDC)", labels, [
      {
        label: "rewards paid",
        color: "#2980b9",
        values: series((p) => p.cumulativeRewardsPaid, 1e6),
      },
    ]),
    lineChart("Total staked ($ASHAO)", labels, [
      { label: "staked", color: "#d35400", values: series((p) => p.totalStaked, 1e9) },
    ]),
  ].join("");
}

async function refreshBuybacks(): Promise<void> {
  const { body } = await getJson<BuybacksAnswer>(`/api/treasury/buybacks?limit=${BUYBACK_ROWS}`);
  if (!body) return;
  $("#no-buybacks").hidden = body.buybacks.length > 0;
  $("#buyback-rows").replaceChildren(
    ...body.buybacks.map((b) =>
      row([
        element("td", timeText(b.at), b.signature),
        element("td", formatAmount(b.usdcSpent, "USDC")),
        element("td", formatAmount(b.ashaoBurned, "$ASHAO")),
        element("td", formatAmount(b.effectivePrice, "USDC")),
        element("td", b.oraclePrice ? formatAmount(b.oraclePrice, "USDC") : "—"),
        element("td", deviationText(b.deviationBps)),
        element("td", shortAddress(b.crank), b.crank),
      ]),
    ),
  );
}

function setStatus(text: string, kind: "info" | "error" = "info") {
  const status = $("#stake-status");
  status.textContent = text;
  status.dataset.kind = kind;
}

async function refreshStaker(session: Session): Promise<void> {
  if (!session.wallet) return;
  const owner = session.wallet.publicKey;
  const { body } = await getJson<StakerAnswer>(`/api/stakers/${owner.toBase58()}`);
  if (!body) return;
  $("#position-staked").textContent = formatAmount(body.staked, "$ASHAO");
  $("#position-unstaking").textContent = formatAmount(body.unstaking, "$ASHAO");
  $("#position-pending").textContent = formatAmount(body.pendingRewards, "USDC");
  $("#position-boost").textContent = `${body.boostBps / 100}%`;
  $("#position-cooldown").textContent = body.cooldownEndsAt
    ? body.withdrawableNow
      ? "withdrawable now"
      : `until ${new Date(body.cooldownEndsAt).toLocaleString()}`
    : "—";
  $("#position-slot").textContent = String(body.slot);
  const balance = await session.connection
    .getTokenAccountBalance(ownerAshaoAddress(owner, session.accounts))
    .then((b) => b.value.uiAmountString ?? "0")
    .catch(() => "0");
  $("#wallet-balance").textContent = `${balance} $ASHAO`;
}

/** Sends what `build` returns, signed by the connected wallet, and reports the outcome. */
async function act(
  session: Session,
  name: string,
  build: (program: TreasuryProgram, owner: PublicKey) => Promise<TransactionInstruction[]>,
): Promise<void> {
  const { wallet, program } = session;
  if (!wallet || !program) return setStatus("connect a wallet first", "error");
  setStatus(`${name}: waiting for ${wallet.name}…`);
  // One transaction at a time: a double click must not send twice.
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>("#position button"));
  buttons.forEach((b) => (b.disabled = true));
  try {
    const signature = await sendAndConfirm(
      session.connection,
      await build(program, wallet.publicKey),
      { wallet },
    );
    setStatus(`${name} confirmed: ${signature}`);
  } catch (err) {
    const error = toTreasuryError(err);
    setStatus(`${name} failed: ${error.name}: ${error.message}`, "error");
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
  await refreshStaker(session);
}

function amountInput(): bigint {
  const text = $<HTMLInputElement>("#stake-amount").value;
  const amount = parseUnits(text, ASHAO_DECIMALS);
  if (amount === 0n) throw new RangeError("enter an amount above zero");
  return amount;
}

function renderWallets(session: Session) {
  const wallets = stakingWallets();
  $("#wallets").innerHTML = "";
  if (wallets.length === 0) {
    $("#wallets").textContent =
      "No wallet-standard wallet found. Install Phantom, Backpack or Solflare.";
    return;
  }
  for (const wallet of wallets) {
    const button = document.createElement("button");
    button.textContent = `Connect ${wallet.name}`;
    button.addEventListener("click", () => {
      connectWallet(wallet)
        .then(async (connected) => {
          session.wallet = connected;
          session.program = treasuryProgram(session.connection, connected, {
            programId: new PublicKey(session.config.programId),
          });
          $("#wallet-address").textContent = connected.publicKey.toBase58();
          $("#position").hidden = false;
          setStatus(`connected ${connected.name}`);
          await refreshStaker(session);
        })
        .catch((err: unknown) => setStatus(`connect failed: ${String(err)}`, "error"));
    });
    $("#wallets").appendChild(button);
  }
}

function wireStakingPanel(session: Session) {
  const withAmount =
    (
      name: string,
      build: (p: TreasuryProgram, o: PublicKey, a: bigint) => Promise<TransactionInstruction[]>,
    ) =>
    () => {
      let amount: bigint;
      try {
        amount = amountInput();
      } catch (err) {
        return setStatus((err as Error).message, "error");
      }
      void act(session, name, (p, o) => build(p, o, amount));
    };
  $("#stake").addEventListener(
    "click",
    withAmount("stake", (p, o, a) => stakeInstructions(p, o, a, session.accounts)),
  );
  $("#unstake").addEventListener(
    "click",
    withAmount("request unstake", (p, o, a) => requestUnstakeInstructions(p, o, a)),
  );
  $("#withdraw").addEventListener(
    "click",
    () => void act(session, "withdraw", (p, o) => withdrawInstructions(p, o, session.accounts)),
  );
  $("#claim").addEventListener(
    "click",
    () => void act(session, "claim", (p, o) => claimInstructions(p, o, session.accounts)),
  );
  renderWallets(session);
  onWalletsChanged(() => renderWallets(session));
}

/** The API's config, retried while the server is still loading its snapshot (503). */
async function apiConfig(): Promise<ApiConfig> {
  for (;;) {
    const config = await getJson<ApiConfig>("/api/config")
      .then((answer) => answer.body)
      .catch((err: unknown) => console.warn(err));
    if (config) return config;
    await new Promise((resolve) => setTimeout(resolve, FIGURES_EVERY_MS));
  }
}

async function main(): Promise<void> {
  const config = await apiConfig();
  const connection = new Connection(config.rpcUrl, {
    commitment: "confirmed",
    wsEndpoint: config.wsUrl ?? undefined,
  });
  const session: Session = {
    config,
    connection,
    accounts: treasuryAccountsFor(new PublicKey(config.programId), {
      usdcMint: new PublicKey(config.usdcMint),
      ashaoMint: new PublicKey(config.ashaoMint),
      ashaoTokenProgram: new PublicKey(config.ashaoTokenProgram),
    }),
  };
  wireStakingPanel(session);
  const loop = (every: number, task: () => Promise<void>) => {
    const run = () =>
      task()
        .catch((err: unknown) => console.warn(err))
        .finally(() => setTimeout(run, every));
    run();
  };
  loop(FIGURES_EVERY_MS, refreshFigures);
  loop(HISTORY_EVERY_MS, refreshHistory);
  setInterval(renderCountdowns, COUNTDOWN_EVERY_MS);
  loop(FIGURES_EVERY_MS, () => refreshStaker(session));
}

void main();
