/// <reference lib="dom" />
/**
 * "My position": a wallet's stake (connected through the wallet standard, or any address pasted
 * in to look at), its share of all staked, what it earns a day at the current rate, its value at
 * the oracle's price, its unstake requests each counting down to when it matures on the chain's
 * clock, what it can claim, its worker boost and what the next tier needs, its history with a
 * CSV download; and, for the connected wallet, stake, unstake, withdraw, claim and close. The
 * amounts (and the requests' dates) are checked on fresh figures before the wallet is asked to
 * sign, each refusal named as the program names it, and a new unstake request says first what
 * it adds, when it matures, that earlier requests keep their dates and how many more fit; then
 * the transaction is signed, sent with the SDK, and a refusal by the program shown by its name.
 */
import { type Cluster, explorerAddressUrl } from "../../sdk/src/explorer";
import { formatUnits, parseUnits } from "../../sdk/src/figures";
import { ASHAO_DECIMALS } from "../../sdk/src/units";
import {
  type ApiConfig,
  getJson,
  report,
  type StakerAnswer,
  type StakerHistoryAnswer,
  type TreasuryAnswer,
  walletRpcUrl,
} from "./api";
import { $, cell, element, row, showAmount, showExact, showPage, transactionCell } from "./dom";
import {
  addressErrorText,
  amountText,
  boostText,
  bpsText,
  earningPerDay,
  exactAmountText,
  isSolanaAddress,
  maturityText,
  nextTierText,
  priceText,
  requestSlotsText,
  shareText,
  ticketsFullText,
  timeText,
  unstakeWarningText,
  valueAt,
  type WaitingRequest,
} from "./format";
import type { ConnectedSigner, StakingAction } from "./signer";
import { stakingWallets, onWalletsChanged } from "./wallet";

const HISTORY_PAGE = 20;
const HISTORY_REREAD_MS = 10_000;

const ACTION_TEXT: Record<StakerHistoryAnswer["entries"][number]["action"], string> = {
  stake: "Stake",
  unstakeRequest: "Unstake request",
  withdrawal: "Withdrawal",
  claim: "Claim",
  close: "Close",
};

/** The figures a position shows, cleared while another wallet's load. */
const POSITION_FIGURES = [
  "#position-staked",
  "#position-share",
  "#position-rate",
  "#position-value",
  "#position-unstaking",
  "#position-requests",
  "#position-pending",
  "#position-claimed",
  "#position-boost",
  "#position-next-tier",
];

/** The requests a position has waiting, as the warnings count them. */
const waiting = (s: StakerAnswer): WaitingRequest[] =>
  s.unstakeRequests.map((r) => ({
    amount: BigInt(r.amount.raw),
    availableAtUnix: r.availableAtUnix,
  }));

/** A check before signing failed: the program's name for the refusal, and why. */
class Refusal extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PositionContext {
  /** The API's config (where transactions go), once it has answered. */
  config: () => Promise<ApiConfig>;
  cluster: () => Cluster;
  /** The treasury's latest answer (totals, the current rate, the price, the policy). */
  treasury: () => TreasuryAnswer | undefined;
  /** The chain's clock now (unix seconds), as the page keeps it. */
  chainNow: () => number;
}

export class PositionPanel {
  private signer?: ConnectedSigner;
  /** The wallet looked at (base58). */
  private viewed?: string;
  private summary?: StakerAnswer;
  /** The connected wallet's $ASHAO balance (base units). */
  private balance = 0n;
  private historyKey = "";
  /** When the first page of history was last read, and whether older pages were asked for. */
  private historyReadAt = 0;
  private pagedOlder = false;
  private nextCursor: string | null = null;
  private busy = false;
  /** No RPC node to send transactions to (a custom cluster publishing none). */
  private viewOnly = false;

  constructor(private readonly ctx: PositionContext) {
    this.wire();
    const fromUrl = new URLSearchParams(location.search).get("address");
    if (fromUrl !== null) {
      $<HTMLInputElement>("#watch-address").value = fromUrl;
      this.view(fromUrl);
    }
  }

  private get mine(): boolean {
    return this.signer !== undefined && this.viewed === this.signer.address;
  }

  private setStatus(text: string, kind: "info" | "error" = "info"): void {
    const status = $("#stake-status");
    status.textContent = text;
    status.dataset.kind = kind;
  }

  /** Looks at `input` (pasted, from the URL, or the connected wallet's); false if no address. */
  private view(input: string): boolean {
    const address = input.trim();
    if (!isSolanaAddress(address)) {
      // Nothing of the wallet looked at before stays on screen under the error.
      this.viewed = undefined;
      this.summary = undefined;
      $("#watch-error").textContent = addressErrorText(input);
      $("#position-view").hidden = true;
      $("#position-empty").hidden = false;
      this.clearFigures();
      return false;
    }
    $("#watch-error").textContent = "";
    if (address !== this.viewed) {
      this.viewed = address;
      this.summary = undefined;
      this.historyKey = "";
      this.pagedOlder = false;
      this.clearFigures();
    }
    $("#position-empty").hidden = true;
    $("#position-view").hidden = false;
    const wallet = $<HTMLAnchorElement>("#position-wallet");
    wallet.textContent = address;
    wallet.href = explorerAddressUrl(address, this.ctx.cluster());
    const csv = $<HTMLAnchorElement>("#history-csv");
    csv.href = `/api/stakers/${address}/history.csv`;
    csv.download = `ashao-history-${address}.csv`;
    $("#actions").hidden = !this.mine;
    $("#wallet-line").textContent = this.mine ? `(${this.signer!.name}, connected)` : "(view only)";
    if (!this.mine) this.setStatus("");
    void this.refresh().catch(report);
    return true;
  }

  private clearFigures(): void {
    for (const id of POSITION_FIGURES) $(id).textContent = "loading…";
    $("#position-rate-note").textContent = "";
    $("#position-value-note").textContent = "";
    $("#position-requests-note").textContent = "";
    $("#history-rows").replaceChildren();
    $("#no-history").hidden = true;
    $("#history-more").hidden = true;
    $("#unstake-warning").hidden = true;
  }

  /** Reads the viewed position (and the wallet's balance when it is the connected one). */
  async refresh(): Promise<void> {
    const viewed = this.viewed;
    if (!viewed) return;
    const { body } = await getJson<StakerAnswer>(`/api/stakers/${viewed}`);
    if (!body || this.viewed !== viewed) return;
    this.summary = body;
    if (this.mine) {
      this.balance = await this.signer!.ashaoBalance();
      $("#wallet-line").textContent =
        `(${this.signer!.name}, connected) holds ${amountText({ raw: this.balance, decimals: ASHAO_DECIMALS }, "$ASHAO")}`;
    }
    this.render();
    // The history changes with the position: read it again when the position moves, and now
    // and then (the indexer may store an action after the snapshot shows it), unless older
    // pages are open.
    const key = [body.exists, body.staked.raw, body.unstaking.raw, body.totalClaimed.raw].join();
    const due = !this.pagedOlder && Date.now() - this.historyReadAt > HISTORY_REREAD_MS;
    if (key !== this.historyKey || due) {
      this.historyKey = key;
      await this.loadHistory(false);
    }
  }

  /** Draws the position's figures from its last answer and the treasury's. */
  render(): void {
    const s = this.summary;
    if (!s) return;
    const treasury = this.ctx.treasury();
    const staked = BigInt(s.staked.raw);
    showAmount($("#position-staked"), s.staked, "$ASHAO");
    showAmount($("#position-unstaking"), s.unstaking, "$ASHAO");
    showAmount($("#position-pending"), s.pendingRewards, "USDC");
    showAmount($("#position-claimed"), s.totalClaimed, "USDC");
    if (treasury) {
      $("#position-share").textContent = shareText(staked, BigInt(treasury.totalStaked.raw));
      const perDay = earningPerDay(staked, treasury.yield.current);
      if (perDay === null || staked === 0n) {
        $("#position-rate").textContent = staked === 0n ? "nothing: nothing staked" : "—";
        $("#position-rate-note").textContent = "";
      } else {
        showAmount($("#position-rate"), perDay, "USDC", `≈ ${amountText(perDay, "USDC")} a day`);
        $("#position-rate-note").textContent =
          "at the stream's current rate, while this stake and the revenue hold";
      }
      const price = treasury.yield.price;
      const held = staked + BigInt(s.unstaking.raw);
      if (price) {
        const value = valueAt(held, price);
        showExact(
          $("#position-value"),
          `≈ ${amountText(value, "USDC")}`,
          exactAmountText(value, "USDC"),
        );
        $("#position-value-note").textContent =
          `staked and unstaking, at ${priceText(price.usdcPerAshao, "USDC")} per $ASHAO ` +
          `(${price.source === "oracle" ? "the oracle's price" : "the last buyback's price: no oracle yet"})`;
      } else {
        $("#position-value").textContent = "no price yet";
        $("#position-value-note").textContent = "";
      }
      const tiers = treasury.policy.params.boostTiers;
      // Stake counts for the boost one cooldown after it was staked: until then, what it earns
      // once warm, and the boost now.
      $("#position-boost").textContent =
        s.boostWarmupEndsAt && s.boostBpsOnceWarm !== s.boostBps
          ? `${boostText(s.boostBpsOnceWarm, tiers)}, once ${amountText(s.boostWarming, "$ASHAO")} ` +
            `staked warms up (${timeText(s.boostWarmupEndsAt)}); until then +${bpsText(s.boostBps)}`
          : boostText(s.boostBps, tiers);
      $("#position-next-tier").textContent = nextTierText(
        s.boostBpsOnceWarm,
        s.nextTier,
        s.stakeToNextTier,
        tiers.length,
      );
    }
    this.renderRequests(s);
  }

  /**
   * The unstake requests waiting, one line each (amount, then when it matures), kept in place
   * while their number holds so an exact figure opened stays open; and the slots left.
   */
  private renderRequests(s: StakerAnswer): void {
    const box = $("#position-requests");
    const requests = s.unstakeRequests;
    $("#position-requests-note").textContent = requestSlotsText(
      requests.length,
      s.unstakeRequestsLeft,
    );
    if (requests.length === 0) {
      box.textContent = "none waiting";
      return;
    }
    let lines = Array.from(box.querySelectorAll<HTMLElement>(".request"));
    if (lines.length !== requests.length) {
      lines = requests.map(() => {
        const line = element("span", "");
        line.className = "request";
        line.append(element("span", ""), element("span", ""));
        return line;
      });
      box.replaceChildren(...lines);
    }
    requests.forEach((r, i) =>
      showAmount(lines[i].firstElementChild as HTMLElement, r.amount, "$ASHAO"),
    );
    this.renderCooldown();
  }

  /** When each request matures, counting down on the chain's clock. */
  renderCooldown(): void {
    const requests = this.summary?.unstakeRequests;
    if (!requests) return;
    const lines = $("#position-requests").querySelectorAll<HTMLElement>(".request");
    if (lines.length !== requests.length) return;
    const now = this.ctx.chainNow();
    requests.forEach((r, i) => {
      lines[i].lastElementChild!.textContent = `: ${maturityText(r.availableAtUnix, now)}`;
    });
  }

  private async loadHistory(more: boolean): Promise<void> {
    const viewed = this.viewed;
    if (!viewed) return;
    const cursor = more && this.nextCursor ? `&cursor=${this.nextCursor}` : "";
    const { body } = await getJson<StakerHistoryAnswer>(
      `/api/stakers/${viewed}/history?limit=${HISTORY_PAGE}${cursor}`,
    );
    if (!body || this.viewed !== viewed) return;
    this.nextCursor = body.nextCursor;
    const rows = body.entries.map((e) => {
      const amount = cell("—");
      if (e.amount && e.token) showAmount(amount, e.amount, e.token);
      return row([
        cell(timeText(e.at)),
        cell(ACTION_TEXT[e.action]),
        amount,
        transactionCell(e.signature, e.explorerUrl),
      ]);
    });
    showPage(
      { rows: "#history-rows", none: "#no-history", more: "#history-more" },
      rows,
      more,
      body.nextCursor,
    );
    this.pagedOlder = more;
    if (!more) this.historyReadAt = Date.now();
  }

  // -------------------------------------------------------------------------- actions

  private amount(): bigint {
    const text = $<HTMLInputElement>("#stake-amount").value;
    let amount: bigint;
    try {
      amount = parseUnits(text, ASHAO_DECIMALS);
    } catch (err) {
      throw new Refusal("InvalidAmount", (err as Error).message);
    }
    if (amount === 0n) throw new Refusal("ZeroAmount", "enter an amount above zero");
    return amount;
  }

  /** The program's checks, made on fresh figures before the wallet is asked to sign. */
  private check(action: StakingAction, amount: bigint): void {
    const s = this.summary!;
    const ashao = (raw: bigint | string) => amountText({ raw, decimals: ASHAO_DECIMALS }, "$ASHAO");
    const now = this.ctx.chainNow();
    switch (action) {
      case "stake":
        // A pause is the program's to refuse (by name); the page shows it in its banner.
        if (amount > this.balance) {
          throw new Refusal(
            "InsufficientBalance",
            `the wallet holds ${ashao(this.balance)}, less than ${ashao(amount)}`,
          );
        }
        return;
      case "request unstake":
        if (amount > BigInt(s.staked.raw)) {
          throw new Refusal(
            "InsufficientStake",
            `${ashao(s.staked.raw)} is staked, less than ${ashao(amount)}`,
          );
        }
        if (s.unstakeRequestsLeft === 0) {
          throw new Refusal("UnstakeTicketsFull", ticketsFullText(waiting(s), now));
        }
        return;
      case "withdraw":
        if (BigInt(s.unstaking.raw) === 0n)
          throw new Refusal("NothingToWithdraw", "nothing is unstaking: request an unstake first");
        if (!s.unstakeRequests.some((r) => now >= r.availableAtUnix)) {
          const next = Math.min(...s.unstakeRequests.map((r) => r.availableAtUnix));
          throw new Refusal(
            "CooldownNotElapsed",
            `no request has matured yet; the first is ${maturityText(next, now)}`,
          );
        }
        return;
      case "claim":
        if (BigInt(s.pendingRewards.raw) === 0n)
          throw new Refusal("NothingToClaim", "no rewards are owed to this position yet");
        return;
      case "close":
        if (!s.exists) throw new Refusal("AccountNotInitialized", "there is no position to close");
        if (!s.closable) {
          throw new Refusal(
            "PositionNotEmpty",
            "withdraw everything and claim all rewards before closing",
          );
        }
        return;
    }
  }

  private refused(action: StakingAction, err: unknown): boolean {
    if (!(err instanceof Refusal)) return false;
    this.setStatus(`${action} refused before signing: ${err.errorName}: ${err.message}`, "error");
    return true;
  }

  /** One transaction at a time: a double click must not send twice. */
  private async exclusive(task: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>("#actions button"));
    buttons.forEach((b) => (b.disabled = true));
    try {
      await task();
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      this.busy = false;
    }
  }

  /** Checks on fresh figures, signs with the connected wallet, sends, reports the outcome. */
  private async act(action: StakingAction, takesAmount: boolean): Promise<void> {
    const signer = this.signer;
    if (!signer || !this.mine) return;
    $("#unstake-warning").hidden = true;
    await this.exclusive(async () => {
      try {
        const amount = takesAmount ? this.amount() : 0n;
        await this.refresh();
        this.check(action, amount);
        this.setStatus(`${action}: waiting for ${signer.name}…`);
        const signature = await signer.send(action, amount);
        this.setStatus(`${action} confirmed: ${signature}`);
      } catch (err) {
        if (this.refused(action, err)) return;
        const { failureOf } = await import("./signer");
        const failure = failureOf(err);
        this.setStatus(`${action} failed: ${failure.name}: ${failure.message}`, "error");
      }
    });
    await this.refresh().catch(report);
  }

  /** A new unstake request: says what it does to what is already unstaking, then asks to sign. */
  private async askUnstake(): Promise<void> {
    if (!this.signer || !this.mine) return;
    await this.exclusive(async () => {
      try {
        const amount = this.amount();
        await this.refresh();
        this.check("request unstake", amount);
        const s = this.summary!;
        const cooldownSecs = this.ctx.treasury()?.policy.params.unstakeCooldownSecs;
        if (cooldownSecs === undefined)
          throw new Refusal("NotReady", "the treasury is still loading");
        $("#unstake-warning-text").textContent = unstakeWarningText({
          amount,
          requests: waiting(s),
          requestsLeft: s.unstakeRequestsLeft,
          cooldownSecs,
          chainNow: this.ctx.chainNow(),
        });
        this.setStatus("");
      } catch (err) {
        if (!this.refused("request unstake", err)) throw err;
        return;
      }
      $("#unstake-warning").hidden = false;
    });
    if (!$("#unstake-warning").hidden) $("#unstake-confirm").focus();
  }

  private async connect(wallet: ReturnType<typeof stakingWallets>[number]): Promise<void> {
    const { connectSigner } = await import("./signer");
    const signer = await connectSigner(wallet, await this.ctx.config());
    this.signer = signer;
    $<HTMLInputElement>("#watch-address").value = signer.address;
    this.view(signer.address);
    this.setStatus(`connected ${signer.name}`);
  }

  private renderWallets(): void {
    const wallets = stakingWallets();
    const box = $("#wallets");
    box.replaceChildren();
    if (this.viewOnly) {
      box.append(
        element(
          "p",
          "Staking from this page is off: the operator publishes no RPC URL for this custom " +
            "cluster. Positions and their history are still read from the API.",
        ),
      );
      return;
    }
    if (wallets.length === 0) {
      box.append(element("p", "No wallet found: install Phantom, Backpack or Solflare to stake."));
      return;
    }
    for (const wallet of wallets) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `Connect ${wallet.name}`;
      button.addEventListener("click", () => {
        this.connect(wallet).catch((err: unknown) =>
          this.setStatus(
            `connect failed: ${err instanceof Error ? err.message : String(err)}`,
            "error",
          ),
        );
      });
      box.append(button);
    }
  }

  private wire(): void {
    $("#watch-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const shown = this.view($<HTMLInputElement>("#watch-address").value);
      history.replaceState(null, "", shown ? `?address=${this.viewed}` : location.pathname);
    });
    const on = (id: string, handler: () => void) => $(id).addEventListener("click", handler);
    on("#stake", () => void this.act("stake", true));
    on("#unstake", () => void this.askUnstake().catch(report));
    on("#unstake-confirm", () => void this.act("request unstake", true));
    on("#unstake-cancel", () => {
      $("#unstake-warning").hidden = true;
      $("#unstake").focus();
    });
    // The warning speaks of the amount it was shown for.
    $("#stake-amount").addEventListener("input", () => ($("#unstake-warning").hidden = true));
    on("#withdraw", () => void this.act("withdraw", false));
    on("#claim", () => void this.act("claim", false));
    on("#close", () => void this.act("close", false));
    on("#stake-max", () => {
      $<HTMLInputElement>("#stake-amount").value = formatUnits(this.balance, ASHAO_DECIMALS);
    });
    on("#history-more", () => void this.loadHistory(true).catch(report));
    this.renderWallets();
    onWalletsChanged(() => this.renderWallets());
    void this.ctx.config().then((config) => {
      this.viewOnly = walletRpcUrl(config) === undefined;
      if (this.viewOnly) this.renderWallets();
    });
  }
}
