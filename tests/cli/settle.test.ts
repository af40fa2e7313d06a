/**
 * `ashao settle` as a process against a local validator: a dry run prints each worker's boost
 * and signs nothing; a file settles with each worker paid base × (1 + boost) and the treasury
 * the rest; a rerun pays nothing twice; a run killed in the middle of a file resumes by batch
 * ids and pays every row exactly once; a stranger and a bad file are refused by name and code.
 */
import { spawn } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  fetchUsageLedger,
  ownerUsdcAddress,
  stakeIx,
  MIN_UNSTAKE_COOLDOWN_SECS,
} from "../../app/sdk/src";
import { advanceClock } from "../../app/localnet/validator";
import { EXIT } from "../../app/util/exit-codes";
import { ashao as ashaoBin, BIN, buildCli, writeKeyFile } from "../utils/cli";
import { fundedTokenAccount, tokenBalance } from "../utils/tokens";
import {
  defaultParams,
  newStaker,
  send,
  setupTreasury,
  type Staker,
  type TreasuryFixture,
} from "../utils/treasury";
import { airdrop, useTestValidator } from "../utils/validator";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

interface SettleJson {
  firstBatchId: string;
  batches: {
    batchId: string;
    status: string;
    signature: string | null;
    workers: { worker: string; base: string; boostBps: number; boost: string; paid: string }[];
  }[];
  totals: {
    batches: number;
    alreadySettled: number;
    gross: string;
    boostPaid: string;
    revenue: string;
  };
}

describe("ashao settle (usage paid through settle_usage)", function () {
  this.timeout(240_000);
  const validator = useTestValidator();
  let t: TreasuryFixture;
  let billing: Keypair;
  let billingFile: string;
  let dir: string;
  let alice: Staker;
  let bob: Staker;
  const home = mkdtempSync(join(tmpdir(), "ashao-home-"));
  const env = () => ({
    ASHAO_RPC_URL: validator.current.rpcUrl,
    HOME: home,
    XDG_STATE_HOME: join(home, "state"),
  });
  const ashao = (...args: string[]) => ashaoBin(args, env());
  const usdcOf = (owner: PublicKey) =>
    tokenBalance(validator.current.connection, ownerUsdcAddress(owner, t.accounts));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const csv = (rows: [PublicKey, string, string][]) =>
    `worker,base,gross\n${rows.map(([w, base, gross]) => `${w.toBase58()},${base},${gross}`).join("\n")}\n`;

  before(async () => {
    buildCli();
    billing = Keypair.generate();
    t = await setupTreasury(
      validator.current,
      defaultParams({ billingAuthorities: [billing.publicKey] }),
    );
    dir = mkdtempSync(join(tmpdir(), "ashao-settle-"));
    await airdrop(validator.current.connection, billing, 10 * LAMPORTS_PER_SOL);
    await fundedTokenAccount(
      validator.current.connection,
      t.authority,
      t.usdc,
      billing.publicKey,
      1_000_000n * USDC,
    );
    billingFile = writeKeyFile(dir, "billing", billing);
    // Alice at the top tier (15%), Bob at the first (5%), both warmed up.
    alice = await newStaker(t, 10n * ASHAO);
    bob = await newStaker(t, 1n * ASHAO);
    for (const who of [alice, bob]) {
      await send(
        t.validator,
        await stakeIx(t.program, t.accounts, {
          owner: who.keypair.publicKey,
          ownerAshao: who.ashaoAccount,
          amount: who === alice ? 10n * ASHAO : 1n * ASHAO,
        }),
        who.keypair,
      );
    }
    await advanceClock(validator.current.connection, MIN_UNSTAKE_COOLDOWN_SECS);
  });

  it("--dry-run prints each worker's boost and the totals, and signs nothing", async () => {
    const carol = Keypair.generate().publicKey;
    const path = file(
      "dry.csv",
      csv([
        [alice.keypair.publicKey, "10", "20"],
        [bob.keypair.publicKey, "10", "20"],
        [carol, "10", "20"],
      ]),
    );
    const before = await usdcOf(billing.publicKey);
    const result = await ashao("settle", "--file", path, "--dry-run", "-k", billingFile);
    expect(result.code, result.stderr).to.equal(EXIT.ok);
    expect(result.stdout).to.match(/would settle 1 batch from id 0/);
    expect(result.stdout).to.match(
      /gross 60 USDC: workers 32 USDC \(boosts 2 USDC\), treasury 28 USDC/,
    );
    expect(result.stdout).to.contain("1.5 USDC (15%)");
    expect(result.stdout).to.contain("0.5 USDC (5%)");
    expect(await usdcOf(billing.publicKey)).to.equal(before);
    expect(await fetchUsageLedger(t.program, billing.publicKey)).to.equal(null);
  });

  it("settles a file: each worker base × (1 + boost), the rest to the treasury; a rerun pays nothing", async () => {
    const workers = Array.from({ length: 12 }, () => Keypair.generate().publicKey);
    const rows: [PublicKey, string, string][] = [
      [alice.keypair.publicKey, "100", "200"],
      [bob.keypair.publicKey, "100", "200"],
      ...workers.map((w): [PublicKey, string, string] => [w, "1.5", "3"]),
    ];
    const path = file("usage.csv", csv(rows));
    const billingBefore = await usdcOf(billing.publicKey);
    const revenueBefore = (await t.state()).totalRevenue;
    const result = await ashao("settle", "--file", path, "-k", billingFile, "--output", "json");
    expect(result.code, result.stderr).to.equal(EXIT.ok);
    expect(result.stderr).to.match(/batch 2\/2 \(id 1\): 5 workers/);
    const out = JSON.parse(result.stdout) as SettleJson;
    expect(out.batches.map((b) => [b.batchId, b.status])).to.deep.equal([
      ["0", "settled"],
      ["1", "settled"],
    ]);
    const first = out.batches[0].workers;
    expect(first[0]).to.deep.include({ base: "100000000", boostBps: 1_500, boost: "15000000" });
    expect(first[1]).to.deep.include({ boostBps: 500, boost: "5000000", paid: "105000000" });
    expect(await usdcOf(alice.keypair.publicKey)).to.equal(115n * USDC);
    expect(await usdcOf(workers[11])).to.equal(1_500_000n);
    const gross = 400n * USDC + 36n * USDC;
    const paid = 115n * USDC + 105n * USDC + 18n * USDC;
    expect(await usdcOf(billing.publicKey)).to.equal(billingBefore - gross);
    const state = await t.state();
    expect(state.totalRevenue - revenueBefore).to.equal(gross - paid);
    expect(state.totalBoostPaid).to.equal(20n * USDC);
    expect(out.totals).to.deep.include({ gross: gross.toString(), boostPaid: "20000000" });

    const again = await ashao("settle", "--file", path, "-k", billingFile, "--output", "json");
    expect(again.code, again.stderr).to.equal(EXIT.ok);
    const rerun = JSON.parse(again.stdout) as SettleJson;
    expect(rerun.totals).to.deep.include({ batches: 2, alreadySettled: 2, gross: "0" });
    expect(await usdcOf(billing.publicKey)).to.equal(billingBefore - gross);
  });

  it("resumes a file killed in the middle by batch ids: every row paid exactly once", async () => {
    const workers = Array.from({ length: 40 }, () => Keypair.generate().publicKey);
    const path = file("big.csv", csv(workers.map((w, i) => [w, `${i + 1}`, `${2 * (i + 1)}`])));
    const billingBefore = await usdcOf(billing.publicKey);
    // Killed once the first batch is reported settled.
    const killed = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, "settle", "--file", path, "-k", billingFile], {
        env: { ...process.env, ...env() },
      });
      child.stderr.on("data", (chunk: Buffer) => {
        if (/batch 1\/5 \(id \d+\): 9 workers/.test(chunk.toString())) child.kill("SIGKILL");
      });
      child.on("exit", (code) => resolve(code));
    });
    expect(killed).to.equal(null);
    const partway = await fetchUsageLedger(t.program, billing.publicKey);
    const resumed = await ashao("settle", "--file", path, "-k", billingFile, "--output", "json");
    expect(resumed.code, resumed.stderr).to.equal(EXIT.ok);
    const out = JSON.parse(resumed.stdout) as SettleJson;
    expect(out.totals.batches).to.equal(5);
    expect(out.totals.alreadySettled).to.be.greaterThanOrEqual(1);
    expect(out.batches.map((b) => b.batchId)).to.deep.equal(["2", "3", "4", "5", "6"]);
    const ledger = await fetchUsageLedger(t.program, billing.publicKey);
    expect(ledger!.batchCount).to.equal(7n);
    expect(ledger!.batchCount - partway!.batchCount).to.equal(
      BigInt(5 - out.totals.alreadySettled),
    );
    for (const [i, w] of workers.entries()) {
      expect(await usdcOf(w), `worker ${i}`).to.equal(BigInt(i + 1) * USDC);
    }
    const gross = BigInt((40 * 41) / 2) * 2n * USDC;
    expect(await usdcOf(billing.publicKey)).to.equal(billingBefore - gross);
  });

  it("refuses a stranger (4, BillingNotAllowed) and a bad file (2, the line), signing nothing", async () => {
    const stranger = Keypair.generate();
    await airdrop(validator.current.connection, stranger, LAMPORTS_PER_SOL);
    const strangerFile = writeKeyFile(dir, "stranger", stranger);
    const path = file("one.csv", csv([[stranger.publicKey, "1", "2"]]));
    const refused = await ashao("settle", "--file", path, "-k", strangerFile);
    expect(refused.code).to.equal(EXIT.refused);
    expect(refused.stderr).to.match(/error: BillingNotAllowed: .* is not a billing authority/);
    const bad = file("bad.csv", "worker,base,gross\nnot-an-address,1,2\n");
    const usage = await ashao("settle", "--file", bad, "-k", billingFile);
    expect(usage.code).to.equal(EXIT.usage);
    expect(usage.stderr).to.match(/line 2: worker must be a base58 address/);
  });
});
