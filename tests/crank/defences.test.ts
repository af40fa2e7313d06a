/**
 * The crank against answers it must not trust, on the local economy: a swap API serving
 * instructions that would drain the crank's wallet (a System transfer, an SPL transfer or
 * approval of its tokens, an unknown program, another swap program) is refused before anything
 * is signed; a swap API that accepts and never answers fails the cycle within its timeout; a
 * node that returns no transaction for a landed buyback does not make the crank record zeros;
 * and `.env.example` is an env file the crank loads (`--env-file`, as `node --env-file`).
 */
import { createServer, type Server } from "http";
import type { AddressInfo } from "net";
import { join } from "path";

import {
  createApproveInstruction,
  createTransferInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { Keypair, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";

import { CRANK_SETTINGS, type CrankConfig, runCrankCycle } from "../../app/crank/src";
import {
  createJupiterLocalServer,
  type JupiterLocalServer,
  type SwapInstructionsAnswer,
  toJupiterInstruction,
} from "../../app/jupiter-local/src";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { findTreasuryEvents } from "../../app/sdk/src";
import {
  buybackSnapshot,
  capturedCrank,
  crankCommand,
  crankEnv,
  failureOf,
  passInterval,
} from "../utils/crank";
import { payRevenue } from "../utils/economy";
import { RpcFaultProxy } from "../utils/rpc-fault-proxy";

const USDC = 1_000_000n;
const REPO = join(__dirname, "../..");

describe("crank: untrusted answers (malicious swap API, hanging swap API, missing transaction)", () => {
  let economy: LocalEconomy;
  let base: CrankConfig;

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    base = { ...economy.crankConfig, maxAttempts: 1 };
    await payRevenue(economy, 2_000n * USDC);
  });

  after(async () => {
    await economy?.stop();
  });

  /** What the crank holds and has signed: none of it may change when a cycle is refused. */
  async function crankWallet() {
    const { connection } = economy.validator;
    const crank = economy.crank.publicKey;
    return {
      lamports: await connection.getBalance(crank, "confirmed"),
      signatures: (await connection.getSignaturesForAddress(crank, {}, "confirmed")).length,
      treasury: await buybackSnapshot(economy),
    };
  }

  describe("a malicious swap API: refused before signing, by name, exit code 4", () => {
    const attacker = Keypair.generate().publicKey;
    let venue: JupiterLocalServer;
    let tamper: (answer: SwapInstructionsAnswer) => SwapInstructionsAnswer;

    before(async () => {
      venue = await createJupiterLocalServer({
        connection: economy.validator.connection,
        pools: [economy.venue],
        adversary: (answer) => tamper(answer),
      });
    });

    after(async () => venue?.close());

    const crankAta = (mint: typeof attacker) =>
      getAssociatedTokenAddressSync(mint, economy.crank.publicKey);
    const cases: [string, (answer: SwapInstructionsAnswer) => SwapInstructionsAnswer, RegExp][] = [
      [
        "a System transfer of the crank's SOL in setup",
        (answer) => ({
          ...answer,
          setupInstructions: [
            ...answer.setupInstructions,
            toJupiterInstruction(
              SystemProgram.transfer({
                fromPubkey: economy.crank.publicKey,
                toPubkey: attacker,
                lamports: 10_000_000_000,
              }),
            ),
          ],
        }),
        /setup instruction 3 is a System Program instruction/,
      ],
      [
        "an SPL transfer of the crank's USDC in cleanup",
        (answer) => ({
          ...answer,
          cleanupInstruction: toJupiterInstruction(
            createTransferInstruction(
              crankAta(economy.usdc.mint),
              getAssociatedTokenAddressSync(economy.usdc.mint, attacker),
              economy.crank.publicKey,
              1n,
            ),
          ),
        }),
        /cleanup instruction 1 is token Transfer/,
      ],
      [
        "an approval of the crank's $ASHAO to the attacker",
        (answer) => ({
          ...answer,
          otherInstructions: [
            toJupiterInstruction(
              createApproveInstruction(
                crankAta(economy.ashao.mint),
                attacker,
                economy.crank.publicKey,
                BigInt("18446744073709551615"),
                [],
                economy.ashao.tokenProgram,
              ),
            ),
          ],
        }),
        /setup instruction 1 is token Approve/,
      ],
      [
        "an unknown program the crank signs for",
        (answer) => ({
          ...answer,
          setupInstructions: [
            ...answer.setupInstructions,
            toJupiterInstruction(
              new TransactionInstruction({
                programId: attacker,
                keys: [{ pubkey: economy.crank.publicKey, isSigner: true, isWritable: true }],
                data: Buffer.from([1]),
              }),
            ),
          ],
        }),
        new RegExp(`program ${attacker.toBase58()}, which is not on the crank's allow-list`),
      ],
      [
        "a swap through another program",
        (answer) => ({
          ...answer,
          swapInstruction: { ...answer.swapInstruction, programId: attacker.toBase58() },
        }),
        /swap instruction calls .*, not the treasury's swap program/,
      ],
    ];

    for (const [name, rewrite, reason] of cases) {
      it(name, async () => {
        tamper = rewrite;
        await passInterval(economy);
        const before = await crankWallet();
        const config = { ...base, jupiterBaseUrl: venue.url };
        const { deps } = capturedCrank(economy, config);
        const failure = await failureOf(runCrankCycle(deps, config));
        expect(failure.reason).to.equal("instruction-not-allowed");
        expect(failure.message).to.match(reason);
        expect(failure.message).to.match(/: nothing signed$/);
        expect(deps.metrics.current.failed).to.deep.equal({ "instruction-not-allowed": 1 });

        const { env } = crankEnv(economy);
        expect(await crankCommand(["once", "--jupiter-url", venue.url], env)).to.equal(4);
        expect(await crankWallet()).to.deep.equal(before);
      });
    }

    it("the same venue answering honestly: the cycle buys", async () => {
      tamper = (answer) => answer;
      await passInterval(economy);
      const config = { ...base, jupiterBaseUrl: venue.url };
      const result = await runCrankCycle(capturedCrank(economy, config).deps, config);
      expect(result.status).to.equal("bought");
    });
  });

  describe("a swap API that accepts and never answers", () => {
    let hanging: Server;
    let url: string;

    before(async () => {
      // Takes each request and never answers it.
      hanging = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    });

    after(async () => {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    });

    it("fails the cycle within --jupiter-timeout: venue-timeout, counted, exit code 3", async () => {
      await passInterval(economy);
      const before = await crankWallet();
      const config = { ...base, jupiterBaseUrl: url, jupiterTimeoutMs: 1_000 };
      const { deps } = capturedCrank(economy, config);
      const started = Date.now();
      const failure = await failureOf(runCrankCycle(deps, config));
      const ms = Date.now() - started;
      expect(failure.reason).to.equal("venue-timeout");
      expect(failure.message).to.match(
        /quote: Jupiter at http:\/\/127\.0\.0\.1:\d+\/ did not answer within 1 s/,
      );
      expect(ms).to.be.below(3_000);
      expect(deps.metrics.current.timeouts).to.deep.equal({ "venue-timeout": 1 });
      expect(await deps.metrics.registry.metrics()).to.include(
        'ashao_crank_timeouts_total{endpoint="venue"} 1',
      );

      const { env } = crankEnv(economy);
      const commandStarted = Date.now();
      const code = await crankCommand(
        ["once", "--jupiter-url", url, "--jupiter-timeout", "1", "--max-attempts", "1"],
        env,
      );
      expect(code).to.equal(3);
      expect(Date.now() - commandStarted).to.be.below(3_000);
      expect(await crankWallet()).to.deep.equal(before);
    });
  });

  it("a node that returns no transaction for a landed buyback: the figures come from the treasury, never zeros", async () => {
    const proxy = new RpcFaultProxy(economy.validator.rpcUrl);
    await proxy.start();
    try {
      await passInterval(economy);
      const before = await buybackSnapshot(economy);
      const config = { ...base, rpcUrl: proxy.url };
      const { deps, lines } = capturedCrank(economy, config);
      proxy.failNext("getTransaction", "null-result");
      const result = await runCrankCycle(deps, config);
      expect(result.status).to.equal("bought");
      if (result.status !== "bought") return;
      const tx = await economy.validator.connection.getTransaction(result.signature!, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      const [event] = findTreasuryEvents(
        economy.program,
        tx!.meta!.logMessages!,
        "buybackExecuted",
      );
      expect(result.figuresFrom).to.equal("accounts");
      expect(result.usdcSpent).to.equal(event.data.usdcSpent);
      expect(result.ashaoBurned).to.equal(event.data.ashaoBurned);
      expect(event.data.ashaoBurned > 0n).to.equal(true);
      expect(deps.metrics.current).to.deep.include({
        bought: 1,
        usdcSpent: event.data.usdcSpent.toString(),
        ashaoBurned: event.data.ashaoBurned.toString(),
      });
      expect(lines.map((l) => l.msg)).to.include(
        "the node returned no transaction: figures read from the treasury's totals",
      );
      const after = await buybackSnapshot(economy);
      expect(after.buybacks).to.equal(before.buybacks + 1n);
    } finally {
      await proxy.stop();
    }
  });

  it(".env.example loads as an env file (--env-file): every variable is a setting, and the crank runs on it", async () => {
    const { parseEnv } = await import("util");
    const { readFileSync } = await import("fs");
    const example = parseEnv(readFileSync(join(REPO, ".env.example"), "utf8"));
    const known = new Set<string>([
      ...Object.values(CRANK_SETTINGS),
      "ASHAO_RPC_URL",
      "ASHAO_WS_URL",
      "ASHAO_PROGRAM_ID",
      "ASHAO_CRANK_KEYPAIR",
      "ASHAO_RPC_TIMEOUT_SECS",
    ]);
    expect(Object.keys(example).filter((k) => !known.has(k))).to.deep.equal([]);
    expect([...known].filter((k) => !(k in example))).to.deep.equal([]);

    // The environment wins over the file (node --env-file's rule): the local cluster, venue and
    // key; everything else from .env.example.
    await passInterval(economy);
    const { env, keypairFile } = crankEnv(economy);
    const code = await crankCommand(
      ["once", "--dry-run", "--env-file", join(REPO, ".env.example")],
      {
        ASHAO_RPC_URL: env.ASHAO_RPC_URL,
        ASHAO_CRANK_KEYPAIR: keypairFile,
        JUPITER_BASE_URL: env.JUPITER_BASE_URL,
      },
    );
    expect(code).to.equal(0);
    const missing = await crankCommand(["once", "--env-file", join(REPO, "no.env")], env);
    expect(missing).to.equal(2);
  });
});
