/**
 * migrations/deploy.ts: only the upgrade authority initialises (another wallet is refused in one
 * line before anything is sent); run again with the same inputs it succeeds and sends nothing;
 * against a treasury that differs (other parameters, someone else's mints and authority) it
 * exits 1 naming each difference. The command line is run as a process, for its exit code and
 * output.
 */
import { execFile } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { deployTreasury, DeployRefused, readParamsFile } from "../../migrations/deploy";
import {
  feedIdFromHex,
  fetchTreasury,
  MIN_TIMELOCK_SECS,
  paramsFromJson,
  paramsToJson,
  treasuryConfigPda,
  type TreasuryParams,
  treasuryParamsOf,
  treasuryProgram,
  type TreasuryParamsJson,
} from "../../app/sdk/src";
import { createAshaoMint, createUsdcMint } from "../utils/tokens";
import { defaultParams, setupTreasury } from "../utils/treasury";
import { type TestValidator, useTestValidator } from "../utils/validator";

const REPO = join(__dirname, "../..");
const DAY = 86_400;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), "ashao-deploy-"));
let files = 0;

function writeJson(value: unknown): string {
  const path = join(dir, `${++files}.json`);
  // Owner-only, as a key file should be (others' read access draws a warning).
  writeFileSync(path, JSON.stringify(value, null, 2), { mode: 0o600 });
  return path;
}

const keypairFile = (keypair: Keypair) => writeJson(Array.from(keypair.secretKey));

/** `migrations/deploy.ts` as an operator runs it. */
function runDeploy(validator: TestValidator, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "migrations/deploy.ts"],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH, ASHAO_RPC_URL: validator.rpcUrl, ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

function productionParams(crank: PublicKey): TreasuryParams {
  return defaultParams({
    streamPeriodSecs: 7 * DAY,
    unstakeCooldownSecs: 2 * DAY,
    boostTiers: [{ minStake: 1_000_000_000_000n, boostBps: 500 }],
    maxBuybackUsdc: 5_000_000_000n,
    minBuybackIntervalSecs: 3_600,
    maxSlippageBps: 150,
    swapProgram: new PublicKey("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4"),
    cranks: [crank],
    priceGuard: {
      kind: "pythPull",
      feedId: feedIdFromHex("0x" + "7d".repeat(32)),
      maxAgeSecs: 30,
      maxConfidenceBps: 150,
    },
    timelockSecs: 3 * DAY,
  });
}

describe("migrations/deploy.ts", () => {
  const validator = useTestValidator();
  let upgradeAuthority: Keypair;
  let params: TreasuryParams;
  let paramsFile: string;
  let mintEnv: Record<string, string>;

  before(async () => {
    const { connection } = validator.current;
    upgradeAuthority = validator.current.upgradeAuthority;
    const funder = await validator.current.fundedKeypair(10 * LAMPORTS_PER_SOL);
    const usdc = await createUsdcMint(connection, funder);
    const ashao = await createAshaoMint(connection, funder);
    params = productionParams(Keypair.generate().publicKey);
    paramsFile = writeJson(paramsToJson(params));
    mintEnv = { ASHAO_USDC_MINT: usdc.mint.toBase58(), ASHAO_ASHAO_MINT: ashao.mint.toBase58() };
  });

  it("refuses a wallet that is not the upgrade authority in one line, sending nothing", async () => {
    const { connection } = validator.current;
    const stranger = await validator.current.fundedKeypair(LAMPORTS_PER_SOL);
    const run = await runDeploy(validator.current, {
      ...mintEnv,
      ASHAO_PARAMS: paramsFile,
      ANCHOR_WALLET: keypairFile(stranger),
    });
    expect(run.code, run.stderr).to.equal(1);
    expect(lines(run.stderr)).to.deep.equal([
      `error: the wallet ${stranger.publicKey.toBase58()} is not the upgrade authority of program ` +
        `${treasuryProgram(connection).programId.toBase58()} (${upgradeAuthority.publicKey.toBase58()} is): ` +
        "only it may initialise",
    ]);
    expect(await fetchTreasury(treasuryProgram(connection))).to.equal(null);
    expect(await connection.getAccountInfo(treasuryConfigPda().address)).to.equal(null);
    // Not even a fee: nothing was sent.
    expect(await connection.getBalance(stranger.publicKey)).to.equal(LAMPORTS_PER_SOL);
  });

  it("a refusal by the program is printed by its error name (the example's all-zero feed id)", async () => {
    const run = await runDeploy(validator.current, {
      ...mintEnv,
      ASHAO_PARAMS: join(REPO, "migrations/params.example.json"),
      ANCHOR_WALLET: keypairFile(upgradeAuthority),
    });
    expect(run.code).to.equal(1);
    expect(lines(run.stderr)).to.have.length(1);
    expect(run.stderr).to.match(/^error: initialize failed: InvalidPriceGuard: /);
    expect(await fetchTreasury(treasuryProgram(validator.current.connection))).to.equal(null);
  });

  it("initialises with the upgrade authority's keypair: every parameter, the guard and the timelock", async () => {
    const run = await runDeploy(validator.current, {
      ...mintEnv,
      ASHAO_PARAMS: paramsFile,
      ANCHOR_WALLET: keypairFile(upgradeAuthority),
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^treasury initialised at \w+: \w+$/m);
    const state = (await fetchTreasury(treasuryProgram(validator.current.connection)))!;
    expect(state.authority.equals(upgradeAuthority.publicKey)).to.equal(true);
    expect(state.usdcMint.toBase58()).to.equal(mintEnv.ASHAO_USDC_MINT);
    expect(state.ashaoMint.toBase58()).to.equal(mintEnv.ASHAO_ASHAO_MINT);
    expect(paramsToJson(treasuryParamsOf(state))).to.deep.equal(paramsToJson(params));
    expect(state.priceGuard).to.deep.equal(params.priceGuard);
    expect(state.timelockSecs).to.equal(3 * DAY);
  });

  it("run again with the same inputs: success, nothing sent", async () => {
    const { connection } = validator.current;
    const config = treasuryConfigPda().address;
    const before = (await connection.getAccountInfo(config))!.data;
    const balance = await connection.getBalance(upgradeAuthority.publicKey);
    const run = await runDeploy(validator.current, {
      ...mintEnv,
      ASHAO_PARAMS: paramsFile,
      ANCHOR_WALLET: keypairFile(upgradeAuthority),
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(lines(run.stdout)).to.deep.equal([
      `treasury at ${config.toBase58()} already initialised as asked; nothing sent`,
    ]);
    expect((await connection.getAccountInfo(config))!.data.equals(before)).to.equal(true);
    expect(await connection.getBalance(upgradeAuthority.publicKey)).to.equal(balance);

    // The cranks are a set: listing them in another order is the same treasury.
    const outcome = await deployTreasury(connection, new Wallet(upgradeAuthority), {
      usdcMint: new PublicKey(mintEnv.ASHAO_USDC_MINT),
      ashaoMint: new PublicKey(mintEnv.ASHAO_ASHAO_MINT),
      params: { ...params, cranks: [...params.cranks].reverse() },
    });
    expect(outcome.status).to.equal("unchanged");
  });

  it("run again with a differing params file: exit 1, one line per difference, nothing sent", async () => {
    const { connection } = validator.current;
    const config = treasuryConfigPda().address;
    const before = (await connection.getAccountInfo(config))!.data;
    const json = paramsToJson(params);
    const guard = json.priceGuard;
    if (guard.kind !== "pythPull") throw new Error("the test's params have a Pyth guard");
    const otherCrank = Keypair.generate().publicKey.toBase58();
    const differing: TreasuryParamsJson = {
      ...json,
      maxBuybackUsdc: "6000000000",
      cranks: [otherCrank],
      priceGuard: { ...guard, maxAgeSecs: 60 },
      timelockSecs: 14 * DAY,
    };
    const run = await runDeploy(validator.current, {
      ...mintEnv,
      ASHAO_PARAMS: writeJson(differing),
      ANCHOR_WALLET: keypairFile(upgradeAuthority),
    });
    expect(run.code).to.equal(1);
    expect(lines(run.stderr)).to.deep.equal([
      `error: the treasury at ${config.toBase58()} is already initialised and differs from the inputs in 4 place(s):`,
      `  maxBuybackUsdc: on chain "5000000000", params file "6000000000"`,
      `  cranks: on chain ${JSON.stringify(json.cranks)}, params file ["${otherCrank}"]`,
      `  priceGuard: on chain ${JSON.stringify(json.priceGuard)}, params file ${JSON.stringify(differing.priceGuard)}`,
      `  timelockSecs: on chain ${3 * DAY}, params file ${14 * DAY}`,
    ]);
    expect((await connection.getAccountInfo(config))!.data.equals(before)).to.equal(true);
  });

  it("names the authority it expected after a handover (ASHAO_AUTHORITY)", async () => {
    const multisig = Keypair.generate().publicKey;
    const run = await runDeploy(validator.current, {
      ...mintEnv,
      ASHAO_PARAMS: paramsFile,
      ANCHOR_WALLET: keypairFile(upgradeAuthority),
      ASHAO_AUTHORITY: multisig.toBase58(),
    });
    expect(run.code).to.equal(1);
    expect(lines(run.stderr).slice(1)).to.deep.equal([
      `  authority: on chain ${upgradeAuthority.publicKey.toBase58()}, expected ${multisig.toBase58()} (ASHAO_AUTHORITY)`,
    ]);
  });

  it("refuses an unreadable params file by the field at fault, with exit 2", async () => {
    const withoutGuard: Partial<TreasuryParamsJson> = paramsToJson(params);
    delete withoutGuard.priceGuard;
    const cases: [unknown, string][] = [
      [withoutGuard, "priceGuard must be present"],
      [
        { ...paramsToJson(params), maxBuybackUsdc: 5_000 },
        "maxBuybackUsdc must be a decimal string",
      ],
      [
        {
          ...paramsToJson(params),
          priceGuard: { kind: "pythPull", feedId: "0x1234", maxAgeSecs: 30, maxConfidenceBps: 1 },
        },
        "priceGuard.feedId must be 32 bytes of hex",
      ],
      [{ ...paramsToJson(params), timelock: 86_400 }, "params.timelock must be absent"],
    ];
    for (const [content, message] of cases) {
      const path = writeJson(content);
      const run = await runDeploy(validator.current, {
        ...mintEnv,
        ASHAO_PARAMS: path,
        ANCHOR_WALLET: keypairFile(upgradeAuthority),
      });
      expect(run.code, run.stderr).to.equal(2);
      expect(lines(run.stderr)).to.have.length(1);
      expect(run.stderr).to.include(`error: params file ${path}: ${message}`);
    }
  });

  it("migrations/params.example.json is in the format (the API's policy.params)", () => {
    const example = join(REPO, "migrations/params.example.json");
    const parsed = readParamsFile(example);
    expect(paramsToJson(parsed)).to.deep.equal(JSON.parse(readFileSync(example, "utf8")));
    expect(paramsFromJson(paramsToJson(params))).to.deep.equal(params);
  });
});

describe("migrations/deploy.ts against someone else's treasury", () => {
  const validator = useTestValidator();

  it("exits 1 naming the authority, both mints and each parameter that differ; sends nothing", async () => {
    const { connection } = validator.current;
    // Someone initialised first, with their mints and the default parameters.
    const theirs = await setupTreasury(validator.current);
    const config = theirs.accounts.config;
    const before = (await connection.getAccountInfo(config))!.data;

    const wallet = await validator.current.fundedKeypair(LAMPORTS_PER_SOL);
    const usdc = await createUsdcMint(connection, wallet);
    const ashao = await createAshaoMint(connection, wallet);
    const ours = { ...defaultParams(), maxSlippageBps: 50, timelockSecs: 2 * DAY };
    const run = await runDeploy(validator.current, {
      ASHAO_USDC_MINT: usdc.mint.toBase58(),
      ASHAO_ASHAO_MINT: ashao.mint.toBase58(),
      ASHAO_PARAMS: writeJson(paramsToJson(ours)),
      ANCHOR_WALLET: keypairFile(wallet),
    });
    expect(run.code).to.equal(1);
    expect(lines(run.stderr)).to.deep.equal([
      `error: the treasury at ${config.toBase58()} is already initialised and differs from the inputs in 5 place(s):`,
      `  authority: on chain ${theirs.authority.publicKey.toBase58()}, expected ${wallet.publicKey.toBase58()} (the wallet; set ASHAO_AUTHORITY after a handover)`,
      `  usdcMint: on chain ${theirs.usdc.mint.toBase58()}, expected ${usdc.mint.toBase58()} (ASHAO_USDC_MINT)`,
      `  ashaoMint: on chain ${theirs.ashao.mint.toBase58()}, expected ${ashao.mint.toBase58()} (ASHAO_ASHAO_MINT)`,
      "  maxSlippageBps: on chain 100, params file 50",
      `  timelockSecs: on chain ${MIN_TIMELOCK_SECS}, params file ${2 * DAY}`,
    ]);
    expect((await connection.getAccountInfo(config))!.data.equals(before)).to.equal(true);

    // In process, the same refusal carries the reasons.
    const refusal = await deployTreasury(connection, new Wallet(wallet), {
      usdcMint: usdc.mint,
      ashaoMint: ashao.mint,
      params: ours,
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).to.be.instanceOf(DeployRefused);
    expect((refusal as DeployRefused).reasons).to.have.length(5);
  });
});
