/**
 * The dashboard's own formatting, which its pages and browser tests share: an address check
 * that agrees with `PublicKey` (the page does not load the Solana client to view an address),
 * ages, shares of the pool, what a new unstake request does under tickets, and the charts' UTC
 * labels.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  bucketText,
  isSolanaAddress,
  maturityText,
  requestSlotsText,
  shareText,
  spanText,
  ticketsFullText,
  timeAxisLabels,
  unstakeWarningText,
} from "../../app/dashboard/src/format";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

const acceptedByPublicKey = (text: string) => {
  try {
    new PublicKey(text);
    return /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text);
  } catch {
    return false;
  }
};

describe("dashboard formatting", () => {
  it("takes an address exactly when PublicKey does: 32 bytes of base58", () => {
    const samples: string[] = ["11111111111111111111111111111111", "1".repeat(31), "1".repeat(33)];
    for (let i = 0; i < 200; i++) {
      const key = Keypair.generate().publicKey.toBase58();
      samples.push(key, key.slice(1), `${key}1`, `1${key}`, `${key.slice(0, -1)}z`);
      // Random base58 text of an address's lengths, most of it not 32 bytes.
      const length = 32 + (i % 13);
      samples.push(
        Array.from({ length }, (_, j) => BASE58[(i * 31 + j * 17) % BASE58.length]).join(""),
      );
    }
    samples.push("not-an-address", "", " ".repeat(40), `${"0".repeat(32)}`, "O".repeat(32));
    for (const sample of samples) {
      expect(isSolanaAddress(sample), sample).to.equal(acceptedByPublicKey(sample));
    }
    expect(isSolanaAddress(Keypair.generate().publicKey.toBase58())).to.equal(true);
  });

  it("says an age in two units", () => {
    expect(spanText(30)).to.equal("under a minute");
    expect(spanText(3 * 60 + 59)).to.equal("3 min");
    expect(spanText(5 * 3_600 + 12 * 60)).to.equal("5 h 12 min");
    expect(spanText(86_400)).to.equal("1 day");
    expect(spanText(2 * 86_400 + 4 * 3_600 + 5)).to.equal("2 days 4 h");
  });

  it("gives a stake's share of all staked to four significant digits", () => {
    const ashao = 1_000_000_000n;
    expect(shareText(500n * ashao, 500n * ashao)).to.equal("100% of 500 $ASHAO");
    expect(shareText(1_765n * ashao, 10_000n * ashao)).to.equal("17.65% of 10,000 $ASHAO");
    expect(shareText(123n * ashao, 1_000_000n * ashao)).to.equal("0.0123% of 1M $ASHAO");
    expect(shareText(0n, 10n)).to.equal("0% (nothing staked)");
  });

  it("labels the time axis in UTC on a 24-hour clock, dates as day and month name", () => {
    const at = (h: number, m: number, s = 0, day = 7) => Date.UTC(2026, 11, day, h, m, s) / 1000;
    expect(
      timeAxisLabels([at(14, 0), at(18, 0), at(22, 0), at(2, 0, 0, 8)], 4 * 3_600),
    ).to.deep.equal(["14:00\n7 Dec", "18:00", "22:00", "02:00\n8 Dec"]);
    expect(timeAxisLabels([at(6, 48, 40), at(6, 48, 50)], 10)).to.deep.equal([
      "06:48:40\n7 Dec",
      "06:48:50",
    ]);
    expect(timeAxisLabels([at(0, 0, 0, 30), at(0, 0, 0, 31)], 86_400)).to.deep.equal([
      "30 Dec\n2026",
      "31 Dec",
    ]);
    // The last bucket ends now, not at its full length.
    expect(bucketText("2026-12-07T14:00:00.000Z", 3_600, "2026-12-07T14:25:00.000Z")).to.equal(
      "2026-12-07 14:00–14:25 UTC",
    );
  });

  it("says what a new unstake request adds beside the waiting ones, and when none fits", () => {
    const ashao = 1_000_000_000n;
    const now = Date.UTC(2026, 11, 7, 9, 0, 0) / 1000;
    expect(maturityText(now, now)).to.equal("withdrawable now");
    expect(maturityText(now + 600, now)).to.equal("withdrawable in 10 m (2026-12-07 09:10 UTC)");
    expect(requestSlotsText(1, 7)).to.equal(
      "room for 7 more requests (at most 8 at once, each until it is withdrawn)",
    );
    expect(requestSlotsText(7, 1)).to.match(/^room for 1 more request \(/);
    const waiting = [
      { amount: 5n * ashao, availableAtUnix: now - 1 },
      { amount: 3n * ashao, availableAtUnix: now + 1_800 },
      { amount: 2n * ashao, availableAtUnix: now + 3_000 },
    ];
    expect(
      unstakeWarningText({
        amount: 4n * ashao,
        requests: waiting,
        requestsLeft: 5,
        cooldownSecs: 3_600,
        chainNow: now,
      }),
    ).to.equal(
      "This request adds 4 $ASHAO, withdrawable after the 1 h cooldown, from 2026-12-07 10:00 UTC; " +
        "the 10 $ASHAO already unstaking in 3 requests keeps its dates (5 $ASHAO withdrawable now; " +
        "the next withdrawable in 30 m (2026-12-07 09:30 UTC)). " +
        "4 $ASHAO stops earning rewards and counting for the worker boost now. " +
        "After it, room for 4 more requests.",
    );
    // Every place taken and none matured: when the first does.
    expect(ticketsFullText(waiting.slice(1), now)).to.equal(
      "all 2 requests this position may hold are waiting: the first is withdrawable in 30 m (2026-12-07 09:30 UTC); withdraw it then to make room",
    );
  });
});
