/**
 * The CLI as operators who live in solana-cli expect it, run as a process against the local
 * economy: `-u` with URLs and monikers, the Solana CLI config file (`-C`, or the default one in
 * the home folder) for the RPC URL, the keypair and the commitment, `-k`, `--output
 * json|json-compact`; every bad input one line with its exit code and nothing echoed from a key
 * file; a key file others can read is warned about; singular and plural; and durable nonces: a
 * `--print`ed transaction signed and sent after its blockhash would have expired still lands.
 */
import { spawn } from "child_process";
import { once } from "events";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import {
  Keypair,
  NONCE_ACCOUNT_LENGTH,
  SystemProgram,
  Transaction,
  VersionedTransaction,
} from "@solana/web3.js";
import { expect } from "chai";
import pino from "pino";

import { runCrankCycle } from "../../app/crank/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock, freePort } from "../../app/localnet/validator";
import { fetchTreasuryOrThrow, sendAndConfirm, sendSigned } from "../../app/sdk/src";
import {
  ashao as ashaoBin,
  BIN,
  buildCli,
  fundedPayer,
  type Run,
  writeKeyFile,
} from "../utils/cli";
import { payRevenue } from "../utils/economy";

const USDC = 1_000_000n;

describe("operator CLI: solana-cli's conventions, one-line errors, durable nonces", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let home: string;
  let authorityFile: string;
  let payer: Keypair;
  let payerFile: string;

  /** `ashao …` with a home of its own and no RPC URL in the environment. */
  const ashao = (...args: string[]) => ashaoBin(args, { HOME: home, ASHAO_RPC_URL: "" });
  const onLocal = (...args: string[]) => ashao("-u", economy.validator.rpcUrl, ...args);
  const keyFile = (name: string, keypair: Keypair, mode?: number) =>
    writeKeyFile(home, name, keypair, mode);
  /** The one line a refused command prints, and its exit code. */
  const refusal = (result: Run) => ({ code: result.code, stderr: result.stderr });

  before(async () => {
    buildCli();
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    home = mkdtempSync(join(tmpdir(), "ashao-home-"));
    authorityFile = keyFile("authority", economy.authority);
    ({ keypair: payer, file: payerFile } = await fundedPayer(economy, home, 100n * USDC));
  });

  after(async () => {
    await economy?.stop();
  });

  it("each bad input is one line with its exit code: usage 2, refused 4, network 3", async () => {
    const notJson = join(home, "not-a-key.json");
    writeFileSync(notJson, "seed phrase: correct horse battery staple", { mode: 0o600 });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const cases: [string[], number, string][] = [
      [
        ["deposit", "--amount", "-5", "-k", payerFile],
        2,
        "error: --amount must be a positive amount of USDC with at most 6 decimals (got -5) (ashao deposit --help)\n",
      ],
      [
        ["deposit", "--amount", "18446744073709.551616", "-k", payerFile],
        2,
        "error: --amount is above the most a token account can hold (18446744073709.551615 USDC) (got 18446744073709.551616) (ashao deposit --help)\n",
      ],
      [
        ["deposit", "--amount", "1"],
        4,
        `error: KeypairNotFound: no keypair file at ${home}/.config/solana/id.json (solana-keygen new -o ${home}/.config/solana/id.json makes one)\n`,
      ],
      [
        ["deposit", "--amount", "1", "-k", notJson],
        4,
        `error: KeypairInvalid: ${notJson} is not a keypair file: it is not JSON (expected a JSON array of 64 numbers)\n`,
      ],
      [
        ["status", "-u", closed],
        3,
        `error: RpcUnreachable: the RPC node at ${closed}/ could not be reached (ECONNREFUSED)\n`,
      ],
      [
        ["status", "-u", "nowhere"],
        2,
        "error: -u/--url takes a URL or one of mainnet-beta (m), devnet (d), testnet (t), localhost (l) (got nowhere) (ashao status --help)\n",
      ],
      [
        ["status", "--output", "yaml"],
        2,
        "error: option '--output <FORMAT>' argument 'yaml' is invalid. Allowed choices are json, json-compact. (ashao --help)\n",
      ],
      [["stauts"], 2, "error: unknown command 'stauts' (Did you mean status?) (ashao --help)\n"],
    ];
    for (const [args, code, line] of cases) {
      const result = await onLocal(...args);
      expect(refusal(result), args.join(" ")).to.deep.equal({ code, stderr: line });
      expect(result.stderr).to.not.include("horse");
    }
  });

  it("-u takes solana-cli's monikers: the node it could not reach is named", async () => {
    for (const [moniker, url] of [
      ["l", "http://localhost:8899/"],
      ["localhost", "http://localhost:8899/"],
      ["d", "https://api.devnet.solana.com/"],
      ["mainnet-beta", "https://api.mainnet-beta.solana.com/"],
    ]) {
      const result = await ashao("status", "-u", moniker, "--rpc-timeout", "2");
      expect(result.code, moniker).to.equal(3);
      expect(result.stderr, moniker).to.match(
        new RegExp(
          `^error: Rpc(Unreachable|Timeout): the RPC node at ${url.replace(/\./g, "\\.")} `,
        ),
      );
    }
  });

  it("the Solana CLI config gives the RPC URL, the keypair and the commitment: the default file, or -C", async () => {
    const configDir = join(home, ".config/solana/cli");
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, "config.yml"),
      [
        "---",
        `json_rpc_url: "${economy.validator.rpcUrl}"`,
        'websocket_url: ""',
        `keypair_path: ${payerFile}`,
        "address_labels:",
        '  "11111111111111111111111111111111": System Program',
        "commitment: confirmed",
        "",
      ].join("\n"),
    );
    // No -u and no ASHAO_RPC_URL: the config's node.
    const status = await ashao("status", "--output", "json-compact");
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout.trim().split("\n")).to.have.length(1);
    const figures = JSON.parse(status.stdout) as { policy: { authority: string } };
    expect(figures.policy.authority).to.equal(economy.authority.publicKey.toBase58());
    // No -k: the config's keypair pays.
    const before = (await fetchTreasuryOrThrow(economy.program)).totalRevenue;
    const paid = await ashao("deposit", "--amount", "2", "--output", "json");
    expect(paid.code, paid.stderr).to.equal(0);
    expect((await fetchTreasuryOrThrow(economy.program)).totalRevenue).to.equal(before + 2n * USDC);

    // -C names another file: its keypair (the authority) signs.
    const other = join(home, "authority.yml");
    writeFileSync(
      other,
      `json_rpc_url: ${economy.validator.rpcUrl}\nkeypair_path: ${authorityFile}\ncommitment: finalized\n`,
    );
    const paused = await ashao("-C", other, "admin", "pause");
    expect(paused.code, paused.stderr).to.equal(0);
    expect((await fetchTreasuryOrThrow(economy.program)).paused).to.equal(true);
    expect((await ashao("admin", "unpause", "-C", other)).code).to.equal(0);
    expect(refusal(await ashao("status", "-C", join(home, "missing.yml")))).to.deep.equal({
      code: 2,
      stderr: `error: --config: no config file at ${join(home, "missing.yml")} (ashao status --help)\n`,
    });
  });

  it("warns about a keypair file others can read, and not about one only its owner can", async () => {
    const shared = keyFile("shared", payer, 0o644);
    const warned = await onLocal("deposit", "--amount", "1", "-k", shared, "--key", "warned");
    expect(warned.code, warned.stderr).to.equal(0);
    expect(warned.stderr).to.include(
      `warning: keypair file ${shared} can be read by every user of this machine; chmod 600 ${shared}\n`,
    );
    const group = keyFile("group", payer, 0o640);
    const groupRun = await onLocal("deposit", "--amount", "1", "-k", group, "--key", "group");
    expect(groupRun.stderr).to.include(`warning: keypair file ${group} can be read by its group`);
    const own = await onLocal("deposit", "--amount", "1", "-k", payerFile, "--key", "own");
    expect(own.code).to.equal(0);
    expect(own.stderr).to.not.include("warning");
  });

  it("a reader that stops early (ashao api --help | head -1) ends it quietly with exit 0", async () => {
    const child = spawn(process.execPath, [BIN, "api", "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // `head -1`: one chunk read, then the pipe closed before the help is written out.
    child.stdout.once("data", () => child.stdout.destroy());
    const [code] = (await once(child, "close")) as [number | null];
    expect(stderr).to.equal("");
    expect(code).to.equal(0);
  });

  it("counts in words that agree: in 1 buyback, in 2 buybacks, by 0 stakers", async () => {
    await payRevenue(economy, 1_000n * USDC);
    const crank = () => economy.crankDeps(economy.crankConfig, pino({ level: "silent" }));
    expect((await runCrankCycle(crank(), economy.crankConfig)).status).to.equal("bought");
    const one = await onLocal("status");
    expect(one.stdout).to.match(/^ {2}USDC spent on buybacks +250 USDC in 1 buyback$/m);
    await advanceClock(economy.validator.connection, 60);
    await economy.priceFeed.publish();
    expect((await runCrankCycle(crank(), economy.crankConfig)).status).to.equal("bought");
    const two = await onLocal("status");
    expect(two.stdout).to.match(/^ {2}USDC spent on buybacks +500 USDC in 2 buybacks$/m);
    expect(two.stdout).to.match(/^ {2}Total staked +0 \$ASHAO by 0 stakers$/m);
  });

  it("--print with a durable nonce: signed and sent after its blockhash would have expired, it lands; signing with --nonce advances it", async () => {
    const { connection } = economy.validator;
    const nonce = Keypair.generate();
    const create = new Transaction().add(
      ...SystemProgram.createNonceAccount({
        fromPubkey: economy.authority.publicKey,
        noncePubkey: nonce.publicKey,
        authorizedPubkey: economy.authority.publicKey,
        lamports: await connection.getMinimumBalanceForRentExemption(NONCE_ACCOUNT_LENGTH),
      }).instructions,
    );
    await sendAndConfirm(connection, create.instructions, {
      keypairs: [economy.authority, nonce],
    });
    const stored = async () => (await connection.getNonce(nonce.publicKey, "confirmed"))?.nonce;
    const nonceValue = (await stored())!;

    const printed = await onLocal(
      "admin",
      "queue-change",
      "--stream-period",
      "3h",
      "--print",
      "--nonce",
      nonce.publicKey.toBase58(),
      "--output",
      "json",
    );
    expect(printed.code, printed.stderr).to.equal(0);
    const body = JSON.parse(printed.stdout) as {
      base64: string;
      recentBlockhash: string;
      nonce: { account: string; authority: string };
      simulation: { ok: boolean };
    };
    expect(body.recentBlockhash).to.equal(nonceValue);
    expect(body.nonce.authority).to.equal(economy.authority.publicKey.toBase58());
    expect(body.simulation.ok).to.equal(true);
    const tx = VersionedTransaction.deserialize(Buffer.from(body.base64, "base64"));

    // Hours of multisig later: far past any recent blockhash's life.
    await advanceClock(connection, 3_600);
    tx.sign([economy.authority]);
    const landed = await sendSigned(connection, tx, {
      nonceAccount: nonce.publicKey,
      nonce: nonceValue,
    });
    expect(landed.status).to.equal("confirmed");
    expect((await fetchTreasuryOrThrow(economy.program)).queuedChange?.change).to.deep.equal({
      streamPeriodSecs: 3 * 3_600,
    });
    expect(await stored()).to.not.equal(nonceValue);

    // Signing with -k and --nonce: the nonce carries it and advances again.
    const advanced = await stored();
    const cancelled = await onLocal(
      "admin",
      "cancel-change",
      "-k",
      authorityFile,
      "--nonce",
      nonce.publicKey.toBase58(),
    );
    expect(cancelled.code, cancelled.stderr).to.equal(0);
    expect(cancelled.stderr).to.match(/^sending cancel_config_change: signature \w+\n$/);
    expect((await fetchTreasuryOrThrow(economy.program)).queuedChange).to.equal(null);
    expect(await stored()).to.not.equal(advanced);

    const stranger = Keypair.generate().publicKey.toBase58();
    expect(
      refusal(
        await onLocal(
          "admin",
          "pause",
          "--print",
          "--nonce",
          nonce.publicKey.toBase58(),
          "--nonce-authority",
          stranger,
        ),
      ),
    ).to.deep.equal({
      code: 4,
      stderr: `error: NonceAuthorityMismatch: the nonce account's authority is ${economy.authority.publicKey.toBase58()}, not ${stranger} (--nonce-authority)\n`,
    });
  });
});
