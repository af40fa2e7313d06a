/// <reference lib="dom" />
/**
 * "My position": a wallet's stake (connected through the wallet standard, or any address pasted
 * in to look at), its cooldown on the chain's clock, what it can claim, its boost and what the
 * next tier needs, its history with a CSV download; and, for the connected wallet, stake,
 * unstake, withdraw, claim and close. The amounts (and the cooldown) are checked on fresh
 * figures before the wallet is asked to sign, each refusal named as the program names it; then
 * the transaction is signed, sent with the SDK, and a refusal by the program shown by its name.
 */
import { Connection, PublicKey, type TransactionInstruction } from "@solana/web3.js";

import {
  ASHAO_DECIMALS,
  claimInstructions,
  closePositionInstructions,
  type Cluster,
  explorerAddressUrl,
  formatUnits,
  ownerAshaoAddress,
  parseUnits,
  requestUnstakeInstructions,
  sendAndConfirm,
  stakeInstructions,
  toTreasuryError,
  type TreasuryAccounts,
  treasuryProgram,
  type TreasuryProgram,
  withdrawInstructions,
} from "../../sdk/src";
import { getJson, report, type StakerAnswer, type StakerHistoryAnswer } from "./api";
import { $, amountElement, cell, element, link, row, showAmount } from "./dom";
import {
  amountText,
  bpsText,
  countdownText,
  exactAmountText,
  shortAddress,
  timeText,
} from "./format";
import { type ConnectedWallet, connectWallet, onWalletsChanged, stakingWallets } from "./wallet";

const HISTORY_PAGE = 20;

const ACTION_TEXT: Record<StakerHistoryAnswer["entries"][number]["action"], string> = {
  stake: "Stake",
  unstakeRequest: "Unstake request",
  withdrawal: "Withdrawal",
  claim: "Claim",
  close: "Close",
};

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
  /**
   * The RPC node a connected wallet's transactions go through; none when the API publishes no
   * RPC URL for a custom cluster (the panel is then view only).
   */
  connection?: Connection;
  accounts: TreasuryAccounts;
  programId: PublicKey;
  cluster: Cluster;
  /** The chain's clock now (unix seconds), as the page keeps it. */
  chainNow: () => number;
}

export class PositionPanel {
  private wallet?: ConnectedWallet;
  private program?: TreasuryProgram;
  private viewed?: PublicKey;
  private summary?: StakerAnswer;
  /** The connected wallet's $ASHAO balance (base units). */
  private balance = 0n;
  private historyKey = "";
  private nextCursor: string | null = null;
  private busy = false;

  constructor(private readonly ctx: PositionContext) {
    this.wire();
    const fromUrl = new URLSearchParams(location.search).get("address");
    if (fromUrl) {
      $<HTMLInputElement>("#watch-address").value = fromUrl;
      this.view(fromUrl);
    }
  }

  /** The RPC node (only reached once a wallet connected, which needs one). */
  private get connection(): Connection {
    if (!this.ctx.connection) throw new Error("no RPC URL is published for this cluster");
    return this.ctx.connection;
  }

  private get mine(): boolean {
    return Boolean(this.wallet && this.viewed?.equals(this.wallet.publicKey));
  }

  private setStatus(text: string, kind: "info" | "error" = "info"): void {
    const status = $("#stake-status");
    status.textContent = text;
    status.dataset.kind = kind;
  }

  /** Looks at `address` (pasted, from the URL, or the connected wallet's). */
  private view(address: string): void {
    let key: PublicKey;
    try {
      if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(address.trim())) throw new Error();
      key = new PublicKey(address.trim());
    } catch {
      this.setStatus(`"${address}" is not a Solana address`, "error");
      return;
    }
    this.viewed = key;
    this.summary = undefined;
    this.historyKey = "";
    $("#position-empty").hidden = true;
    $("#position-view").hidden = false;
    const wallet = $<HTMLAnchorElement>("#position-wallet");
    wallet.textContent = key.toBase58();
    wallet.href = explorerAddressUrl(key.toBase58(), this.ctx.cluster);
    const csv = $<HTMLAnchorElement>("#history-csv");
    csv.href = `/api/stakers/${key.toBase58()}/history.csv`;
    csv.download = `ashao-history-${key.toBase58()}.csv`;
    $("#actions").hidden = !this.mine;
    $("#wallet-line").textContent = this.mine ? `(${this.wallet!.name}, connected)` : "(view only)";
    if (!this.mine) this.setStatus("");
    void this.refresh().catch(report);
  }

  /** Reads the viewed position (and the wallet's balance when it is the connected one). */
  async refresh(): Promise<void> {
    const viewed = this.viewed;
    if (!viewed) return;
    const { body } = await getJson<StakerAnswer>(`/api/stakers/${viewed.toBase58()}`);
    if (!body || !this.viewed?.equals(viewed)) return;
    this.summary = body;
    if (this.mine) {
      this.balance = await this.connection
        .getTokenAccountBalance(ownerAshaoAddress(viewed, this.ctx.accounts))
        .then((b) => BigInt(b.value.amount))
        .catch(() => 0n);
      $("#wallet-line").textContent =
        `(${this.wallet!.name}, connected) holds ${amountText({ raw: this.balance, decimals: ASHAO_DECIMALS }, "$ASHAO")}`;
    }
    this.render();
    // The history changes only with the position: read it again when the position moves.
    const key = [body.exists, body.staked.raw, body.unstaking.raw, body.totalClaimed.raw].join();
    if (key !== this.historyKey) {
      this.historyKey = key;
      await this.loadHistory(false);
    }
  }

  private render(): void {
    const s = this.summary;
    if (!s) return;
    showAmount($("#position-staked"), s.staked, "$ASHAO");
    showAmount($("#position-unstaking"), s.unstaking, "$ASHAO");
    showAmount($("#position-pending"), s.pendingRewards, "USDC");
    showAmount($("#position-claimed"), s.totalClaimed, "USDC");
    // Stake counts for the boost one cooldown after it was staked.
    $("#position-boost").textContent =
      bpsText(s.boostBps) +
      (s.boostWarmupEndsAt
        ? ` (+${bpsText(s.boostBpsOnceWarm)} once ${amountText(s.boostWarming, "$ASHAO")} warm up, ${timeText(s.boostWarmupEndsAt)})`
        : "");
    $("#position-next-tier").textContent =
      s.nextTier && s.stakeToNextTier
        ? `+${bpsText(s.nextTier.boostBps)} with ${amountText(s.stakeToNextTier, "$ASHAO")} more staked ` +
          `(${amountText({ raw: s.nextTier.minStake, decimals: ASHAO_DECIMALS }, "$ASHAO")} in all)`
        : s.boostBps > 0
          ? "the top tier"
          : "no tiers";
    this.renderCooldown();
  }

  /** Each unstake request and when it matures, counting down on the chain's clock. */
  renderCooldown(): void {
    const s = this.summary;
    if (!s) return;
    const now = this.ctx.chainNow();
    const requests = s.unstakeRequests;
    if (requests.length === 0) {
      $("#position-cooldown").textContent = "nothing unstaking";
      return;
    }
    $("#position-cooldown").replaceChildren(
      ...requests.map((r) => {
        const line = element("span", "");
        line.className = "request";
        line.append(
          amountElement("span", r.amount, "$ASHAO"),
          document.createTextNode(
            now >= r.availableAtUnix
              ? ": withdrawable now"
              : `: withdrawable ${countdownText(r.availableAtUnix, now)} (${timeText(r.availableAt)})`,
          ),
        );
        return line;
      }),
    );
  }

  private async loadHistory(more: boolean): Promise<void> {
    const viewed = this.viewed;
    if (!viewed) return;
    const cursor = more && this.nextCursor ? `&cursor=${this.nextCursor}` : "";
    const { body } = await getJson<StakerHistoryAnswer>(
      `/api/stakers/${viewed.toBase58()}/history?limit=${HISTORY_PAGE}${cursor}`,
    );
    if (!body || !this.viewed?.equals(viewed)) return;
    this.nextCursor = body.nextCursor;
    const rows = body.entries.map((e) =>
      row([
        cell(timeText(e.at)),
        cell(ACTION_TEXT[e.action]),
        e.amount && e.token
          ? cell(amountText(e.amount, e.token), exactAmountText(e.amount, e.token))
          : cell("—"),
        cell(
          link(
            shortAddress(e.signature),
            e.explorerUrl,
            `transaction ${e.signature} on the explorer`,
          ),
        ),
      ]),
    );
    if (more) $("#history-rows").append(...rows);
    else $("#history-rows").replaceChildren(...rows);
    $("#no-history").hidden = $("#history-rows").children.length > 0;
    $("#history-more").hidden = body.nextCursor === null;
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
  private check(action: string, amount: bigint | undefined): void {
    const s = this.summary!;
    const ashao = (raw: bigint | string) => amountText({ raw, decimals: ASHAO_DECIMALS }, "$ASHAO");
    switch (action) {
      case "stake":
        // A pause is the program's to refuse (by name); the page shows it in its banner.
        if (amount! > this.balance) {
          throw new Refusal(
            "InsufficientBalance",
            `the wallet holds ${ashao(this.balance)}, less than ${ashao(amount!)}`,
          );
        }
        return;
      case "request unstake":
        if (amount! > BigInt(s.staked.raw)) {
          throw new Refusal(
            "InsufficientStake",
            `${ashao(s.staked.raw)} is staked, less than ${ashao(amount!)}`,
          );
        }
        if (s.unstakeRequestsLeft === 0) {
          throw new Refusal(
            "UnstakeTicketsFull",
            `${s.unstakeRequests.length} unstake requests are already cooling down: withdraw the matured ones or wait until one matures`,
          );
        }
        return;
      case "withdraw":
        if (BigInt(s.unstaking.raw) === 0n)
          throw new Refusal("NothingToWithdraw", "nothing is unstaking: request an unstake first");
        if (!s.unstakeRequests.some((r) => this.ctx.chainNow() >= r.availableAtUnix)) {
          const next = Math.min(...s.unstakeRequests.map((r) => r.availableAtUnix));
          throw new Refusal(
            "CooldownNotElapsed",
            `no request has matured yet; the first matures ${countdownText(next, this.ctx.chainNow())} (${timeText(new Date(next * 1000).toISOString())})`,
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

  /** Checks, signs with the connected wallet, sends, and reports the outcome. */
  private async act(
    action: string,
    build: (
      program: TreasuryProgram,
      owner: PublicKey,
      amount: bigint | undefined,
    ) => Promise<TransactionInstruction[]>,
    takesAmount: boolean,
  ): Promise<void> {
    const { wallet, program } = this;
    if (!wallet || !program || !this.mine || this.busy) return;
    this.busy = true;
    // One transaction at a time: a double click must not send twice.
    const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>("#actions button"));
    buttons.forEach((b) => (b.disabled = true));
    try {
      const amount = takesAmount ? this.amount() : undefined;
      await this.refresh();
      this.check(action, amount);
      this.setStatus(`${action}: waiting for ${wallet.name}…`);
      const signature = await sendAndConfirm(
        this.connection,
        await build(program, wallet.publicKey, amount),
        { wallet },
      );
      this.setStatus(`${action} confirmed: ${signature}`);
    } catch (err) {
      if (err instanceof Refusal) {
        this.setStatus(
          `${action} refused before signing: ${err.errorName}: ${err.message}`,
          "error",
        );
      } else {
        const error = toTreasuryError(err);
        this.setStatus(`${action} failed: ${error.name}: ${error.message}`, "error");
      }
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      this.busy = false;
    }
    await this.refresh().catch(report);
  }

  private renderWallets(): void {
    const wallets = stakingWallets();
    const box = $("#wallets");
    box.replaceChildren();
    if (!this.ctx.connection) {
      box.append(
        element(
          "p",
          "Staking from this page is off: the operator publishes no RPC URL for this custom cluster. The position and history above are read from the API.",
          undefined,
        ),
      );
      return;
    }
    if (wallets.length === 0) {
      box.append(
        element("p", "No wallet found: install Phantom, Backpack or Solflare to stake.", undefined),
      );
      return;
    }
    for (const wallet of wallets) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `Connect ${wallet.name}`;
      button.addEventListener("click", () => {
        connectWallet(wallet)
          .then((connected) => {
            this.wallet = connected;
            this.program = treasuryProgram(this.connection, connected, {
              programId: this.ctx.programId,
            });
            $<HTMLInputElement>("#watch-address").value = connected.publicKey.toBase58();
            this.view(connected.publicKey.toBase58());
            this.setStatus(`connected ${connected.name}`);
          })
          .catch((err: unknown) => this.setStatus(`connect failed: ${String(err)}`, "error"));
      });
      box.append(button);
    }
  }

  private wire(): void {
    $("#watch-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const address = $<HTMLInputElement>("#watch-address").value;
      this.view(address);
      if (this.viewed) history.replaceState(null, "", `?address=${this.viewed.toBase58()}`);
    });
    const accounts = this.ctx.accounts;
    const on = (id: string, handler: () => void) => $(id).addEventListener("click", handler);
    on(
      "#stake",
      () => void this.act("stake", (p, o, a) => stakeInstructions(p, o, a!, accounts), true),
    );
    on(
      "#unstake",
      () =>
        void this.act("request unstake", (p, o, a) => requestUnstakeInstructions(p, o, a!), true),
    );
    on(
      "#withdraw",
      () => void this.act("withdraw", (p, o) => withdrawInstructions(p, o, accounts), false),
    );
    on("#claim", () => void this.act("claim", (p, o) => claimInstructions(p, o, accounts), false));
    on("#close", () => void this.act("close", (p, o) => closePositionInstructions(p, o), false));
    on("#stake-max", () => {
      $<HTMLInputElement>("#stake-amount").value = formatUnits(this.balance, ASHAO_DECIMALS);
    });
    on("#history-more", () => void this.loadHistory(true).catch(report));
    this.renderWallets();
    onWalletsChanged(() => this.renderWallets());
  }
}
