/**
 * The local economy's $ASHAO/USD oracle: real Pyth `PriceUpdateV2` bytes, written through the
 * validator's `localnet_setAccount` into an account owned by the Pyth receiver program (which is
 * not deployed locally), at the address Pyth's push oracle would use for the feed (shard 0). The
 * price is the test AMM pool's spot price and the publish time the chain's clock, so the
 * treasury's price guard judges buybacks against the venue they trade on.
 */
import { createHash } from "crypto";

import { Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";

import type { PriceUpdater } from "../crank/src/price";
import { type LocalVenue, tokenAmount } from "../jupiter-local/src";
import {
  ASHAO_DECIMALS,
  clockUnixTimestamp,
  encodePriceUpdateV2,
  type PriceGuard,
  PRICE_UPDATE_V2_SPACE,
  type PriceUpdateV2,
  PYTH_RECEIVER_PROGRAM_ID,
  pythPriceFeedAccount,
  USDC_DECIMALS,
} from "../sdk/src";
import { setAccount } from "./validator";

/** The local feed's name; its id is the name's sha256, as no Pyth feed has it. */
export const LOCAL_ASHAO_USD_FEED_NAME = "ASHAO/USD localnet";
export const LOCAL_ASHAO_USD_FEED_ID = createHash("sha256")
  .update(LOCAL_ASHAO_USD_FEED_NAME)
  .digest();
/** Pyth's usual exponent for a US dollar price. */
export const LOCAL_PRICE_EXPONENT = -8;
/** The confidence interval published, in basis points of the price. */
export const LOCAL_CONFIDENCE_BPS = 10n;

/** The guard the local treasury is initialised with: this feed, 60 s, 100 bps. */
export const LOCAL_PRICE_GUARD: Extract<PriceGuard, { kind: "pythPull" }> = {
  kind: "pythPull",
  feedId: LOCAL_ASHAO_USD_FEED_ID,
  maxAgeSecs: 60,
  maxConfidenceBps: 100,
};

/**
 * `price` (at `exponent`) of one whole $ASHAO in US dollars from the pool's reserves, floored:
 * `reserveUsdc / 10^usdcDecimals ÷ (reserveAshao / 10^ashaoDecimals) = price × 10^exponent`.
 */
export function spotPrice(
  reserveUsdc: bigint,
  reserveAshao: bigint,
  exponent = LOCAL_PRICE_EXPONENT,
  decimals = { usdc: USDC_DECIMALS, ashao: ASHAO_DECIMALS },
): bigint {
  const k = decimals.ashao - decimals.usdc - exponent;
  const numerator = reserveUsdc * 10n ** BigInt(Math.max(k, 0));
  const denominator = reserveAshao * 10n ** BigInt(Math.max(-k, 0));
  return numerator / denominator;
}

/** Writes `update` at `address`, owned by `owner` (the Pyth receiver unless forging one). */
export async function writePriceUpdate(
  connection: Connection,
  address: PublicKey,
  update: PriceUpdateV2,
  owner: PublicKey = PYTH_RECEIVER_PROGRAM_ID,
): Promise<void> {
  const lamports = await connection.getMinimumBalanceForRentExemption(PRICE_UPDATE_V2_SPACE);
  await setAccount(connection, address, { lamports, data: encodePriceUpdateV2(update), owner });
}

export interface LocalPriceFeedOptions {
  connection: Connection;
  /** The pool whose spot price is published. */
  venue: LocalVenue;
  usdcMint: PublicKey;
  /** Named as the update's write authority (on mainnet, whoever posted it). */
  writeAuthority: PublicKey;
  feedId?: Buffer;
  /** Default: Pyth's push-oracle account for the feed, shard 0. */
  address?: PublicKey;
  /** Where a failed publish while following slots is reported. */
  onError?: (err: unknown) => void;
}

/** Publishes the pool's price as the feed; the crank's `PriceUpdater` on localnet. */
export class LocalPriceFeed implements PriceUpdater {
  readonly feedId: Buffer;
  readonly address: PublicKey;
  private lastPublishTime?: bigint;
  private following?: { id: number };
  private inFlight?: Promise<void>;

  constructor(private readonly options: LocalPriceFeedOptions) {
    this.feedId = options.feedId ?? LOCAL_ASHAO_USD_FEED_ID;
    this.address = options.address ?? pythPriceFeedAccount(this.feedId);
  }

  /** The update the feed would publish now: the pool's spot price at the chain's clock. */
  async current(): Promise<PriceUpdateV2> {
    const { connection, venue, usdcMint } = this.options;
    // One round trip, so the price and its time belong to the same slot.
    const [clock, vaultA, vaultB] = await connection.getMultipleAccountsInfo(
      [SYSVAR_CLOCK_PUBKEY, venue.vaultA, venue.vaultB],
      "confirmed",
    );
    if (!clock || !vaultA || !vaultB) throw new Error("the clock or the pool's vaults are missing");
    const [usdcVault, ashaoVault] = venue.mintA.equals(usdcMint)
      ? [vaultA, vaultB]
      : [vaultB, vaultA];
    const price = spotPrice(tokenAmount(usdcVault.data), tokenAmount(ashaoVault.data));
    const conf = (price * LOCAL_CONFIDENCE_BPS) / 10_000n;
    const publishTime = clockUnixTimestamp(clock.data);
    return {
      writeAuthority: this.options.writeAuthority,
      verification: { kind: "full" },
      feedId: this.feedId,
      price,
      conf,
      exponent: LOCAL_PRICE_EXPONENT,
      publishTime,
      prevPublishTime: this.lastPublishTime ?? publishTime,
      emaPrice: price,
      emaConf: conf,
      postedSlot: clock.data.readBigUInt64LE(0),
    };
  }

  /** Writes the current update to the feed's account. */
  async publish(): Promise<PriceUpdateV2> {
    const update = await this.current();
    await writePriceUpdate(this.options.connection, this.address, update);
    this.lastPublishTime = update.publishTime;
    return update;
  }

  /** `PriceUpdater`: the crank found the price too old to buy with. */
  async refresh(feedId: Buffer, account: PublicKey): Promise<void> {
    if (!feedId.equals(this.feedId) || !account.equals(this.address)) {
      throw new Error(
        `the local publisher writes feed ${this.feedId.toString("hex")} at ${this.address.toBase58()}`,
      );
    }
    await this.publish();
  }

  /**
   * Keeps the feed fresh for any reader: publishes again once `everySlots` slots have passed
   * since the last update (10 s at the validator's 400 ms slots), which a clock move does at
   * once, as it skips the slots it covers. Failures go to the `onError` option.
   */
  startFollowing(everySlots = 25): void {
    if (this.following) return;
    const { connection } = this.options;
    let nextSlot = 0;
    const id = connection.onSlotChange(({ slot }) => {
      if (this.inFlight || slot < nextSlot) return;
      this.inFlight = this.publish()
        .then(
          (update) => {
            nextSlot = Number(update.postedSlot) + everySlots;
          },
          (err: unknown) => this.options.onError?.(err),
        )
        .finally(() => {
          this.inFlight = undefined;
        });
    });
    this.following = { id };
  }

  /** Stops following slots (the account then ages like an abandoned feed). */
  async stopFollowing(): Promise<void> {
    const following = this.following;
    this.following = undefined;
    if (following) await this.options.connection.removeSlotChangeListener(following.id);
    await this.inFlight;
  }
}
