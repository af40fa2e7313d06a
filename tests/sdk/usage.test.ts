/**
 * The SDK's usage settlement helpers: the payment rule mirrors the program's (the figures of the
 * program's own unit tests), the ledger window answers as `UsageLedger::status`, usage files are
 * read strictly and split into batches of distinct workers the same way every time.
 */
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  BasesExceedGrossError,
  batchIdStatus,
  boostStake,
  MAX_SETTLEMENT_WORKERS,
  nextBatchId,
  parseUsageFile,
  settleBatch,
  splitUsageRows,
  UsageFileError,
  type UsageLedgerState,
  type UsageRow,
} from "../../app/sdk/src";

const share = (base: bigint, boostBps: number) => ({ base, boostBps });

describe("SDK usage settlement", () => {
  it("pays base plus boost and the rest is revenue, as the program does", () => {
    const { payments, totals } = settleBatch(10_000n, [
      share(1_000n, 500),
      share(2_000n, 0),
      share(3_333n, 1_500),
    ]);
    expect(payments.map((p) => [p.boost, p.paid])).to.deep.equal([
      [50n, 1_050n],
      [0n, 2_000n],
      [499n, 3_832n],
    ]);
    expect(totals).to.deep.equal({
      gross: 10_000n,
      base: 6_333n,
      boostPaid: 549n,
      paidToWorkers: 6_882n,
      revenue: 3_118n,
      boostCapped: false,
    });
  });

  it("scales boosts over the remainder down in proportion, the floors' units to revenue", () => {
    const capped = settleBatch(1_100n, [share(600n, 5_000), share(400n, 2_500)]);
    expect(capped.payments.map((p) => p.boost)).to.deep.equal([75n, 25n]);
    expect(capped.totals.boostCapped).to.equal(true);
    expect(capped.totals.revenue).to.equal(0n);
    const floors = settleBatch(310n, [share(100n, 1_000), share(100n, 1_000), share(100n, 1_000)]);
    expect(floors.payments.map((p) => p.boost)).to.deep.equal([3n, 3n, 3n]);
    expect(floors.totals.revenue).to.equal(1n);
  });

  it("refuses bases above the gross by the program's name", () => {
    expect(() => settleBatch(999n, [share(1_000n, 0)])).to.throw(BasesExceedGrossError);
  });

  it("counts only warmed-up staked principal for the boost", () => {
    const position = { staked: 1_000n, boostWarmupAmount: 400n, boostWarmupEndsAt: 100n };
    expect(boostStake(position, 99n)).to.equal(600n);
    expect(boostStake(position, 100n)).to.equal(1_000n);
  });

  it("answers batch ids as the ledger's window does", () => {
    const words = Array.from({ length: 64 }, () => 0n);
    words[0] = 1n << 36n; // id 100 settled, window from 64
    const ledger: UsageLedgerState = {
      address: PublicKey.unique(),
      billing: PublicKey.unique(),
      batchCount: 1n,
      lastBatchId: 100n,
      lastSettledAt: 0n,
      totalGross: 0n,
      totalPaidToWorkers: 0n,
      windowStart: 64n,
      settled: words,
    };
    expect(batchIdStatus(ledger, 100n)).to.equal("settled");
    expect(batchIdStatus(ledger, 101n)).to.equal("open");
    expect(batchIdStatus(ledger, 63n)).to.equal("tooOld");
    expect(batchIdStatus(ledger, 64n + 8_192n)).to.equal("tooFarAhead");
    expect(batchIdStatus(null, 5n)).to.equal("open");
    expect(nextBatchId(ledger)).to.equal(101n);
    expect(nextBatchId(null)).to.equal(0n);
  });

  const a = PublicKey.unique().toBase58();
  const b = PublicKey.unique().toBase58();

  it("reads CSV (any column order) and JSON usage files in USDC", () => {
    const csv = parseUsageFile(`gross,worker,base\r\n2.5,${a},1.25\n\n3,${b},0\n`, "csv");
    expect(csv.map((r) => [r.line, r.worker.toBase58(), r.base, r.gross])).to.deep.equal([
      [2, a, 1_250_000n, 2_500_000n],
      [4, b, 0n, 3_000_000n],
    ]);
    const json = parseUsageFile(JSON.stringify([{ worker: a, base: "1", gross: 2 }]), "json");
    expect(json[0].base).to.equal(1_000_000n);
    expect(json[0].gross).to.equal(2_000_000n);
  });

  it("refuses bad rows naming their line", () => {
    const bad: [string, "csv" | "json", RegExp][] = [
      [`worker,base\n${a},1`, "csv", /line 1: the header names no gross column/],
      [`worker,base,gross\nnope,1,2`, "csv", /line 2: worker must be a base58 address/],
      [`worker,base,gross\n${a},1.0000001,2`, "csv", /line 2: base must be an amount/],
      [`worker,base,gross\n${a},3,2`, "csv", /line 2: base 3000000 is above the row's gross/],
      [`worker,base,gross\n${a},0,0`, "csv", /line 2: gross must be above zero/],
      [`{"worker":1}`, "json", /an array of rows/],
      [`[1]`, "json", /line 1: a row is an object/],
    ];
    for (const [text, format, message] of bad) {
      expect(() => parseUsageFile(text, format), text).to.throw(UsageFileError, message);
    }
  });

  it("splits rows into batches of distinct workers, the same way every time", () => {
    const workers = Array.from({ length: 12 }, () => PublicKey.unique());
    const row = (i: number, worker: PublicKey): UsageRow => ({
      line: i + 2,
      worker,
      base: 1n,
      gross: 2n,
    });
    // A repeated worker starts a new batch; nine workers fill one.
    const rows = [
      row(0, workers[0]),
      row(1, workers[1]),
      row(2, workers[0]),
      ...workers.slice(2).map((w, i) => row(i + 3, w)),
    ];
    const batches = splitUsageRows(rows);
    expect(batches.map((x) => x.rows.length)).to.deep.equal([2, MAX_SETTLEMENT_WORKERS, 2]);
    expect(batches.map((x) => x.gross)).to.deep.equal([4n, 18n, 4n]);
    expect(batches.map((x) => x.index)).to.deep.equal([0, 1, 2]);
    expect(splitUsageRows(rows)).to.deep.equal(batches);
  });
});
