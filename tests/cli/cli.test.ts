/**
 * The operator CLI as a process (`npx ashao …`, its bin) against the local economy: `status`
 * equals the chain; `deposit` pays revenue from a keypair's USDC and refuses what would fail by
 * name; `admin` queues a change, is refused applying it before its eta, applies it after, signs
 * risk-reducing changes at once and is refused risk-adding ones by the program's error name,
 * prints an unsigned transaction a multisig member can sign and send as is, hands the authority
 * over and pauses; `position` shows a staker's figures and history (and CSV). Exit codes of the
 * shared table (0 done, 2 usage, 3 network, 4 refused) and one-line errors throughout.
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { Wallet } from "@anchor-lang/core";
import { Keypair, LAMPORTS_PER_SOL, VersionedTransaction } from "@solana/web3.js";
import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { tokenBalance } from "../../app/localnet/tokens";
import { advanceClock } from "../../app/localnet/validator";
import {
  claim,
  fetchStakePosition,
  fetchTreasuryOrThrow,
  ownerUsdcAddress,
  pendingRewards,
  queueConfigChangeIx,
  requestUnstake,
  sendSigned,
  stake,
  STAKER_HISTORY_CSV_HEADER,
} from "../../app/sdk/src";
import { ashao as ashaoBin, buildCli, fundedPayer, run, writeKeyFile } from "../utils/cli";
import { payRevenue, fundedWallet } from "../utils/economy";
import { airdrop } from "../utils/validator";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

describe("operator CLI (ashao status, deposit, admin, position)", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let dir: string;
  let authorityFile: string;
  let payer: Keypair;
  let payerFile: string;
  let stranger: Keypair;
  let strangerFile: string;

  // A home of its own: no Solana CLI config or default keypair but the test's.
  const home = mkdtempSync(join(tmpdir(), "ashao-home-"));
  const ashao = (...args: string[]) =>
    ashaoBin(args, { ASHAO_RPC_URL: economy.validator.rpcUrl, HOME: home });
  /** The command's `--output json` answer, after checking it succeeded. */
  async function json<T>(...args: string[]): Promise<T> {
    const result = await ashao(...args, "--output", "json");
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).to.equal(0);
    return JSON.parse(result.stdout) as T;
  }
  const keyFile = (name: string, keypair: Keypair) => writeKeyFile(dir, name, keypair);
  const state = () => fetchTreasuryOrThrow(economy.program, "confirmed");

  before(async () => {
    buildCli();
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    dir = mkdtempSync(join(tmpdir(), "ashao-cli-"));
    authorityFile = keyFile("authority", economy.authority);
    ({ keypair: payer, file: payerFile } = await fundedPayer(economy, dir, 1_000n * USDC));
    stranger = Keypair.generate();
    await airdrop(economy.validator.connection, stranger, LAMPORTS_PER_SOL);
    strangerFile = keyFile("stranger", stranger);
  });

  after(async () => {
    await economy?.stop();
  });

  it("npx ashao runs the bin from the repository; every subcommand has --help and help <command>, with the exit codes", async () => {
    const top = await run("npx", ["ashao", "--help"]);
    expect(top.code, top.stderr).to.equal(0);
    for (const command of ["status", "deposit", "admin", "position", "crank", "localnet"]) {
      expect(top.stdout).to.match(new RegExp(`^  ${command} `, "m"));
      for (const help of [await ashao(command, "--help"), await ashao("help", command)]) {
        expect(help.code, command).to.equal(0);
        expect(help.stdout, command).to.match(new RegExp(`^Usage: ashao ${command}`));
        expect(help.stdout, command).to.include(
          "Exit codes (every command, the API and the crank):",
        );
      }
    }
    const version = await ashao("--version");
    expect([version.code, version.stdout]).to.deep.equal([0, "ashao 0.1.0\n"]);
  });

  it("status: the chain's figures, supply, solvency, policy and upgrade authority", async () => {
    await payRevenue(economy, 301n * USDC);
    const answer = await json<{
      totalRevenue: { raw: string };
      buybackBucket: { raw: string };
      rewardsOwed: { raw: string };
      supply: { total: { raw: string }; burned: { raw: string }; excluded: { address: string }[] };
      solvency: { solvent: boolean; buyback: { vault: string; holds: { raw: string } } };
      policy: {
        authority: string;
        upgradeAuthority: string;
        programId: string;
        split: { buybackBps: number; stakersBps: number };
        queuedChange: null;
        pendingAuthority: null;
        params: { maxBuybackUsdc: string };
      };
    }>("status");
    const s = await state();
    expect(answer.totalRevenue.raw).to.equal(s.totalRevenue.toString());
    expect(answer.buybackBucket.raw).to.equal(s.buybackBucket.toString());
    expect(answer.rewardsOwed.raw).to.equal(
      (s.streamRemaining + s.totalRewardsReleased - s.totalRewardsClaimed).toString(),
    );
    expect(answer.solvency.solvent).to.equal(true);
    expect(answer.solvency.buyback.vault).to.equal(s.buybackVault.toBase58());
    expect(answer.solvency.buyback.holds.raw).to.equal(
      (await tokenBalance(economy.validator.connection, s.buybackVault)).toString(),
    );
    expect(answer.supply.excluded[0].address).to.equal(s.stakeVault.toBase58());
    expect(answer.supply.burned.raw).to.equal("0");
    expect(answer.policy.authority).to.equal(economy.authority.publicKey.toBase58());
    expect(answer.policy.upgradeAuthority).to.equal(
      economy.validator.upgradeAuthority.publicKey.toBase58(),
    );
    expect(answer.policy.programId).to.equal(economy.program.programId.toBase58());
    expect(answer.policy.split).to.include({ buybackBps: 5_000, stakersBps: 5_000 });
    expect(answer.policy.queuedChange).to.equal(null);

    const text = await ashao("status");
    expect(text.code).to.equal(0);
    for (const heading of ["Figures", "Supply", "Solvency: every vault holds what it owes"]) {
      expect(text.stdout).to.match(new RegExp(`^${heading.replace("$", "\\$")}`, "m"));
    }
    expect(text.stdout).to.match(/^ {2}Total revenue +301 USDC$/m);
    expect(text.stdout).to.match(/^Pending admin changes\n {2}none$/m);
    expect(text.stdout).to.include(s.buybackVault.toBase58());
  });

  it("deposit: revenue from a keypair's USDC, split 50/50; refusals by name before signing", async () => {
    const source = ownerUsdcAddress(payer.publicKey, economy.accounts);
    const before = await state();
    const paid = await json<{ signature: string; toBuyback: string; toStakers: string }>(
      "deposit",
      "--amount",
      "100.000001",
      "--keypair",
      payerFile,
    );
    expect(paid.signature).to.match(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    expect([paid.toBuyback, paid.toStakers]).to.deep.equal(["50000001", "50000000"]);
    const after = await state();
    expect(after.totalRevenue - before.totalRevenue).to.equal(100n * USDC + 1n);
    expect(await tokenBalance(economy.validator.connection, source)).to.equal(900n * USDC - 1n);

    const tooMuch = await ashao("deposit", "--amount", "5000", "--keypair", payerFile);
    expect(tooMuch.code).to.equal(4);
    expect(tooMuch.stderr.trim().split("\n")).to.have.length(1);
    expect(tooMuch.stderr).to.match(
      /^error: InsufficientBalance: .* holds 899\.999999 USDC, less than 5,000 USDC/,
    );

    for (const args of [
      ["--amount", "0", "--keypair", payerFile],
      ["--amount", "1.0000001", "--keypair", payerFile],
      ["--keypair", payerFile],
    ]) {
      const refused = await ashao("deposit", ...args);
      expect(refused.code, args.join(" ")).to.equal(2);
      expect(refused.stderr, args.join(" ")).to.match(/^error: .*\(ashao deposit --help\)\n$/);
    }
    expect((await state()).totalRevenue).to.equal(after.totalRevenue);
  });

  it("admin: queues a change, is refused applying it before its eta, and anyone applies it after", async () => {
    const queued = await json<{ eta: string; expiresAt: string; changes: unknown[] }>(
      "admin",
      "queue-change",
      "--max-buyback-usdc",
      "500",
      "--add-crank",
      stranger.publicKey.toBase58(),
      "--keypair",
      authorityFile,
    );
    const s = await state();
    expect(s.queuedChange?.change).to.deep.equal({
      maxBuybackUsdc: 500n * USDC,
      cranks: [economy.crank.publicKey, stranger.publicKey],
    });
    expect(queued.eta).to.equal(new Date(Number(s.queuedChange!.eta) * 1000).toISOString());
    expect(queued.changes).to.deep.equal([
      { field: "maxBuybackUsdc", current: "250000000", after: "500000000" },
      {
        field: "cranks",
        current: [economy.crank.publicKey.toBase58()],
        after: [economy.crank.publicKey.toBase58(), stranger.publicKey.toBase58()],
      },
    ]);

    const status = await ashao("status");
    // The timelock: the one-hour cooldown plus the day's reaction window.
    expect(status.stdout).to.match(/Queued change: applies in (1 d 1 h|1 d 59 m)/);
    expect(status.stdout).to.match(/Largest buyback +250 USDC +500 USDC/);

    const early = await ashao("admin", "apply-change", "--keypair", strangerFile);
    expect(early.code).to.equal(4);
    expect(early.stderr).to.match(
      /^error: TimelockNotElapsed: the queued change applies in (1 d 1 h|1 d 59 m)/,
    );
    expect((await state()).maxBuybackUsdc).to.equal(250n * USDC);

    const again = await ashao(
      "admin",
      "queue-change",
      "--max-slippage-bps",
      "50",
      "--keypair",
      authorityFile,
    );
    expect(again.code).to.equal(4);
    expect(again.stderr).to.match(/^error: ConfigChangeAlreadyQueued: /);

    await advanceClock(economy.validator.connection, s.timelockSecs + 1);
    const applied = await json<{ signature: string }>(
      "admin",
      "apply-change",
      "--keypair",
      strangerFile,
    );
    expect(applied.signature).to.be.a("string");
    const after = await state();
    expect(after.queuedChange).to.equal(null);
    expect(after.maxBuybackUsdc).to.equal(500n * USDC);
    expect(after.cranks.map((c) => c.toBase58())).to.include(stranger.publicKey.toBase58());
    const shown = await ashao("status");
    expect(shown.stdout).to.match(/^ {2}Last queued change: applied /m);
    const report = await json<{ policy: { lastQueuedChange: { outcome: string } } }>("status");
    expect(report.policy.lastQueuedChange.outcome).to.equal("applied");
  });

  it("admin update-config: a risk-reducing change applies at once, a risk-adding one is refused by the program", async () => {
    const lower = await json<{ changes: unknown[] }>(
      "admin",
      "update-config",
      "--max-slippage-bps",
      "50",
      "--remove-crank",
      stranger.publicKey.toBase58(),
      "--keypair",
      authorityFile,
    );
    expect(lower.changes).to.have.length(2);
    const s = await state();
    expect(s.maxSlippageBps).to.equal(50);
    expect(s.cranks).to.deep.equal([economy.crank.publicKey]);

    const riskier = await ashao(
      "admin",
      "update-config",
      "--max-slippage-bps",
      "300",
      "--keypair",
      authorityFile,
    );
    expect(riskier.code).to.equal(4);
    // The signature is printed before sending; the node's preflight refused it by name.
    const [sending, refused, end] = riskier.stderr.split("\n");
    expect(sending).to.match(/^sending update_config: signature \w+$/);
    expect(refused).to.equal(
      "error: ChangeNeedsTimelock: This change adds risk and must wait out the timelock; use queue_config_change",
    );
    expect(end).to.equal("");
    expect((await state()).maxSlippageBps).to.equal(50);

    const noop = await ashao(
      "admin",
      "update-config",
      "--max-slippage-bps",
      "50",
      "--keypair",
      authorityFile,
    );
    expect(noop.code).to.equal(4);
    expect(noop.stderr).to.match(/^error: NoConfigChange: /);

    const notAuthority = await ashao("admin", "pause", "--keypair", strangerFile);
    expect(notAuthority.code).to.equal(4);
    expect(notAuthority.stderr).to.match(/^error: Unauthorized: /);
    expect((await state()).paused).to.equal(false);

    for (const args of [
      ["update-config", "--keypair", authorityFile],
      ["pause", "--max-slippage-bps", "10", "--keypair", authorityFile],
      ["pause", "--print", "--keypair", authorityFile],
      ["queue-change", "--stream-period", "soon", "--print"],
      ["queue-change", "--price-guard", "chainlink", "--print"],
      ["propose-authority", "nope", "--print"],
    ]) {
      const refused = await ashao("admin", ...args);
      expect(refused.code, args.join(" ")).to.equal(2);
      expect(refused.stderr, args.join(" ")).to.match(
        new RegExp(`^error: .*\\(ashao admin ${args[0]} --help\\)\n$`),
      );
    }
  });

  it("admin --print: an unsigned transaction in base58 and base64 that the authority can sign and send as is", async () => {
    const printed = await json<{
      base58: string;
      base64: string;
      signer: string;
      simulation: { ok: boolean };
      wouldBeRefused: null;
      inspectorUrl: string;
    }>("admin", "queue-change", "--stream-period", "2h", "--print");
    expect(printed.signer).to.equal(economy.authority.publicKey.toBase58());
    expect(printed.simulation.ok).to.equal(true);
    expect(printed.wouldBeRefused).to.equal(null);
    expect(printed.inspectorUrl).to.match(
      /^https:\/\/explorer\.solana\.com\/tx\/inspector\?message=/,
    );
    const fromBase64 = Buffer.from(printed.base64, "base64");
    const tx = VersionedTransaction.deserialize(fromBase64);
    expect(Buffer.from(tx.serialize()).toString("base64")).to.equal(printed.base64);
    expect(tx.signatures).to.have.length(1);
    expect(tx.signatures[0].every((b) => b === 0)).to.equal(true);
    // The instruction is exactly the SDK's.
    const expected = await queueConfigChangeIx(economy.program, economy.accounts, {
      authority: economy.authority.publicKey,
      change: { streamPeriodSecs: 7_200 },
    });
    const [ix] = tx.message.compiledInstructions;
    const keys = tx.message.staticAccountKeys;
    expect(keys[ix.programIdIndex].equals(economy.program.programId)).to.equal(true);
    expect(Buffer.from(ix.data).equals(expected.data)).to.equal(true);
    expect(ix.accountKeyIndexes.map((i) => keys[i].toBase58())).to.deep.equal(
      expected.keys.map((k) => k.pubkey.toBase58()),
    );

    // A multisig member signs the printed bytes (the blockhash is recent) and sends them.
    tx.sign([economy.authority]);
    const latest = await economy.validator.connection.getLatestBlockhash("confirmed");
    const outcome = await sendSigned(economy.validator.connection, tx, latest);
    expect(outcome.status).to.equal("confirmed");
    expect((await state()).queuedChange?.change).to.deep.equal({ streamPeriodSecs: 7_200 });

    // Printing what would be refused now still prints it, with the reason and exit code 4.
    const early = await ashao("admin", "apply-change", "--print", "--output", "json");
    expect(early.code).to.equal(4);
    const body = JSON.parse(early.stdout) as { wouldBeRefused: { error: string }; base58: string };
    expect(body.wouldBeRefused.error).to.equal("TimelockNotElapsed");
    expect(body.base58).to.match(/^[1-9A-HJ-NP-Za-km-z]+$/);

    const cancelled = await ashao("admin", "cancel-change", "--keypair", authorityFile);
    expect(cancelled.code, cancelled.stderr).to.equal(0);
    expect(cancelled.stdout).to.match(/^sent cancel_config_change: cancel the queued change$/m);
    expect((await state()).queuedChange).to.equal(null);
  });

  it("admin: proposes an authority, refuses its early accept, cancels; pause stops a deposit by name", async () => {
    const next = Keypair.generate();
    await airdrop(economy.validator.connection, next, LAMPORTS_PER_SOL);
    const nextFile = keyFile("next", next);
    const proposed = await json<{ acceptAfter: string }>(
      "admin",
      "propose-authority",
      next.publicKey.toBase58(),
      "--keypair",
      authorityFile,
    );
    const s = await state();
    expect(s.pendingAuthority?.equals(next.publicKey)).to.equal(true);
    expect(proposed.acceptAfter).to.equal(
      new Date(Number(s.pendingAuthorityEta) * 1000).toISOString(),
    );
    const early = await ashao("admin", "accept-authority", "--keypair", nextFile);
    expect(early.code).to.equal(4);
    expect(early.stderr).to.match(
      /^error: TimelockNotElapsed: the pending authority may accept in /,
    );
    const wrong = await ashao("admin", "accept-authority", "--keypair", strangerFile);
    expect(wrong.stderr).to.match(/^error: NotPendingAuthority: /);

    expect((await ashao("admin", "cancel-authority", "--keypair", authorityFile)).code).to.equal(0);
    expect((await state()).pendingAuthority).to.equal(null);

    expect((await ashao("admin", "pause", "--keypair", authorityFile)).code).to.equal(0);
    expect((await state()).paused).to.equal(true);
    const paused = await ashao(
      "deposit",
      "--amount",
      "1",
      "--keypair",
      payerFile,
      "--output",
      "json",
    );
    expect(paused.code).to.equal(4);
    expect(JSON.parse(paused.stdout)).to.deep.equal({
      error: "Paused",
      message: "the treasury is paused: deposits wait until it is unpaused",
    });
    expect((await ashao("admin", "unpause", "--keypair", authorityFile)).code).to.equal(0);
    expect((await state()).paused).to.equal(false);
  });

  it("position: a staker's figures equal the SDK's, with the history newest first and as CSV", async () => {
    const staker = await fundedWallet(economy, 3_000n * ASHAO);
    const wallet = new Wallet(staker);
    const signatures = [await stake(economy.program, wallet, 2_500n * ASHAO)];
    await payRevenue(economy, 40n * USDC);
    await advanceClock(economy.validator.connection, 600);
    signatures.push(await claim(economy.program, wallet));
    signatures.push(await requestUnstake(economy.program, wallet, 500n * ASHAO));

    const answer = await json<{
      staked: { raw: string };
      unstaking: { raw: string };
      pendingRewards: { raw: string };
      totalClaimed: { raw: string };
      unstakeRequests: {
        amount: { raw: string };
        availableAt: string;
        availableAtUnix: number;
        matured: boolean;
      }[];
      withdrawable: { raw: string };
      withdrawableNow: boolean;
      boostBps: number;
      nextTier: { minStake: string; boostBps: number };
      stakeToNextTier: { raw: string };
      asOfChainTime: number;
      history: {
        entries: { action: string; signature: string; amount: { raw: string } }[];
        nextBefore: null;
      };
    }>("position", staker.publicKey.toBase58());
    const s = await state();
    const position = (await fetchStakePosition(economy.program, staker.publicKey))!;
    expect(answer.staked.raw).to.equal((2_000n * ASHAO).toString());
    expect(answer.unstaking.raw).to.equal((500n * ASHAO).toString());
    expect(answer.pendingRewards.raw).to.equal(
      pendingRewards(s, position, answer.asOfChainTime).toString(),
    );
    expect(answer.totalClaimed.raw).to.equal(position.totalClaimed.toString());
    expect(position.totalClaimed > 0n).to.equal(true);
    const [ticket] = position.unstakeTickets;
    expect(answer.unstakeRequests).to.deep.equal([
      {
        amount: { raw: (500n * ASHAO).toString(), ui: 500, decimals: 9 },
        availableAt: new Date(Number(ticket.availableAt) * 1000).toISOString(),
        availableAtUnix: Number(ticket.availableAt),
        matured: false,
      },
    ]);
    expect(answer.withdrawable.raw).to.equal("0");
    expect(answer.withdrawableNow).to.equal(false);
    // Staked 600 s ago: the first tier (5%) once the hour's warm-up ends, nothing yet.
    expect(answer.boostBps).to.equal(0);
    expect(answer.nextTier).to.deep.equal({
      minStake: (10_000n * ASHAO).toString(),
      boostBps: 1_500,
    });
    expect(answer.stakeToNextTier.raw).to.equal((8_000n * ASHAO).toString());
    expect(answer.history.entries.map((e) => [e.action, e.signature])).to.deep.equal([
      ["unstakeRequest", signatures[2]],
      ["claim", signatures[1]],
      ["stake", signatures[0]],
    ]);
    expect(answer.history.entries[1].amount.raw).to.equal(position.totalClaimed.toString());

    const text = await ashao("position", staker.publicKey.toBase58());
    expect(text.stdout).to.match(/^ {2}Staked +2,000 \$ASHAO \(2000000000000 base units\)$/m);
    expect(text.stdout).to.match(
      /^ {2}Unstaking +500 \$ASHAO in 1 request; none withdrawable yet$/m,
    );
    expect(text.stdout).to.match(
      /^ {4}request 1 +500 \$ASHAO \(500000000000 base units\), matures in (59 m( \d+ s)?|1 h) \(/m,
    );
    expect(text.stdout).to.match(
      /^ {2}Worker boost +\+0%; next: \+15% with 8,000 \$ASHAO more staked; \+5% once 2,000 \$ASHAO warm up in (\d+ m( \d+ s)?|1 h)$/m,
    );

    const paged = await json<{ history: { entries: { signature: string }[]; nextBefore: string } }>(
      "position",
      staker.publicKey.toBase58(),
      "--limit",
      "2",
    );
    expect(paged.history.entries.map((e) => e.signature)).to.deep.equal(
      signatures.slice(1).reverse(),
    );
    const older = await json<{ history: { entries: { signature: string }[] } }>(
      "position",
      staker.publicKey.toBase58(),
      "--limit",
      "2",
      "--before",
      paged.history.nextBefore,
    );
    expect(older.history.entries.map((e) => e.signature)).to.deep.equal([signatures[0]]);

    const csv = await ashao("position", staker.publicKey.toBase58(), "--csv");
    expect(csv.code).to.equal(0);
    const lines = csv.stdout.split("\r\n");
    expect(lines[0]).to.equal(STAKER_HISTORY_CSV_HEADER.join(","));
    expect(lines[3].split(",").slice(1, 5)).to.deep.equal([
      "stake",
      "2500",
      "$ASHAO",
      "2500000000000",
    ]);
    expect(lines.at(-1)).to.equal("");
  });

  it("fails in one line: exit 2 on a bad address", async () => {
    const bad = await ashao("position", "not-a-wallet");
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal(
      "error: WALLET must be a base58 address (got not-a-wallet) (ashao position --help)\n",
    );
  });

  it("api names the node it could not reach, without its key, and exits 3", async () => {
    const unreachable = await ashaoBin([
      "api",
      "--rpc-url",
      "http://127.0.0.1:9/?api-key=secret",
      "--port",
      "0",
      "--database",
      "sqlite::memory:",
    ]);
    expect(unreachable.code).to.equal(3);
    expect(unreachable.stderr).to.equal(
      "error: could not start the API: the RPC node at http://127.0.0.1:9/?api-key=… could not be reached (bad port)\n",
    );
  });

  it("api refuses a consistency-check interval outside 1-3600 s with exit 2, before reaching the RPC", async () => {
    for (const secs of ["0", "3601", "1.5", "soon"]) {
      const refused = await ashaoBin([
        "api",
        "--rpc-url",
        "http://127.0.0.1:9",
        "--check-every",
        secs,
      ]);
      expect(refused.code, secs).to.equal(2);
      expect(refused.stderr, secs).to.equal(
        `error: option '--check-every <SECS>' argument '${secs}' is invalid. must be 1-3600 seconds (ashao api --help)\n`,
      );
    }
  });
});
