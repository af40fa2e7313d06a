/**
 * The API as an operator runs it in public, against the local economy: its RPC URL (which on
 * mainnet carries the provider's key) never leaves it, in any answer, page or bundle; a client
 * that floods it is answered 429 while another is served; a CSV export of 100,000 rows holds
 * `/api/treasury` a page at a time, not for the whole export; a failing store answers a generic 500 with a
 * request id the log holds with the error; requests are logged at debug only; the OpenAPI
 * document passes Redocly's recommended rules. `ashao api` runs as a process for the flags.
 */
import { type ChildProcess, execFile, spawn } from "child_process";
import { randomBytes } from "crypto";
import { mkdtempSync, writeFileSync } from "fs";
import { request as httpRequest } from "http";
import { tmpdir } from "os";
import { join } from "path";
import { createInterface } from "readline";

import { Wallet } from "@anchor-lang/core";
import type { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import pino from "pino";

import { runCrankCycle } from "../../app/crank/src";
import { buildDashboard } from "../../app/dashboard/build";
import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { advanceClock } from "../../app/localnet/validator";
import { STAKER_EVENT_NAMES, stake } from "../../app/sdk/src";
import { type ApiServer, startApiServer } from "../../app/server/src";
import type { StoredEvent } from "../../app/server/src/store/store";
import { BIN, buildCli, REPO } from "../utils/cli";
import { fundedWallet, payRevenue } from "../utils/economy";
import { startPostgres } from "../utils/postgres";
import { waitFor } from "../utils/wait";

const USDC = 1_000_000n;
const ASHAO = 1_000_000_000n;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET from the local address `from` (127.0.0.0/8 is all loopback on Linux). */
function getFrom(from: string, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress: from }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const get = (url: string) => getFrom("127.0.0.1", url);

/** `ashao api …` as a process: its JSON log lines (stdout) and its start-up lines (stderr). */
interface ApiProcess {
  url: string;
  metricsUrl?: string;
  /** The JSON log lines. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

async function startApiProcess(args: string[]): Promise<ApiProcess> {
  buildCli();
  const child: ChildProcess = spawn(process.execPath, [BIN, "api", "--port", "0", ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const told: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on("line", (line) => told.push(line));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const url = await waitFor(
    "ashao api to listen",
    () => {
      if (child.exitCode !== null) {
        throw new Error(`ashao api exited ${child.exitCode}: ${told.join("\n")}`);
      }
      return told.map((l) => /^api and dashboard on (\S+)/.exec(l)?.[1]).find(Boolean);
    },
    60_000,
  );
  // It listens at once; its answers are the chain's once it says it is ready.
  await waitFor(
    "ashao api to be ready",
    () => {
      if (child.exitCode !== null) {
        throw new Error(`ashao api exited ${child.exitCode}: ${told.join("\n")}`);
      }
      return told.some((l) => l.startsWith("ready: ")) || undefined;
    },
    60_000,
  );
  return {
    url,
    metricsUrl: told.map((l) => /^metrics on (\S+)$/.exec(l)?.[1]).find(Boolean),
    logs: () =>
      lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      child.kill("SIGINT");
      await exited;
    },
  };
}

describe("the API in public: its RPC URL, rate limits, exports, 500s, logs, OpenAPI", function () {
  this.timeout(240_000);
  let economy: LocalEconomy;
  let staker: Keypair;
  /** What the private RPC URLs carry, as a provider's API key. */
  const KEY = `key-${randomBytes(12).toString("hex")}`;
  const privateRpcUrl = () => `${economy.validator.rpcUrl}/v2/${KEY}?api-key=${KEY}`;
  const privateWsUrl = () => `${economy.validator.wsUrl}/?api-key=${KEY}`;

  before(async () => {
    economy = await startLocalEconomy({ simulate: false, crank: false, api: false });
    staker = await fundedWallet(economy, 5_000n * ASHAO);
    // A stake, revenue and a buyback: every list has a row, every row its explorer link.
    await stake(economy.program, new Wallet(staker), 2_000n * ASHAO);
    await payRevenue(economy, 500n * USDC);
    await advanceClock(economy.validator.connection, 61);
    const silent = pino({ level: "silent" });
    expect(
      (await runCrankCycle(economy.crankDeps(undefined, silent), economy.crankConfig)).status,
    ).to.equal("bought");
  });

  after(() => economy?.stop());

  describe("an API whose RPC URL carries a key", () => {
    let api: ApiServer;

    before(async () => {
      api = await startApiServer({
        rpcUrl: privateRpcUrl(),
        wsUrl: privateWsUrl(),
        staticDir: await buildDashboard(),
      });
      await waitFor("the buyback indexed", async () => {
        const body = JSON.parse((await get(`${api.url}/api/buybacks`)).body) as {
          buybacks: unknown[];
        };
        return body.buybacks.length > 0 ? true : undefined;
      });
    });

    after(() => api?.close());

    it("publishes no RPC URL: /api/config names none, explorer links name no custom URL", async () => {
      const config = JSON.parse((await get(`${api.url}/api/config`)).body) as {
        rpcUrl: string | null;
        wsUrl: string | null;
        cluster: { name: string; rpcUrl: string | null };
      };
      expect(config.rpcUrl).to.equal(null);
      expect(config.wsUrl).to.equal(null);
      expect(config.cluster).to.deep.equal({ name: "custom", rpcUrl: null });
      const { buybacks } = JSON.parse((await get(`${api.url}/api/buybacks`)).body) as {
        buybacks: { explorerUrl: string }[];
      };
      expect(buybacks[0].explorerUrl).to.match(/\?cluster=custom$/);
    });

    it("no answer of any route, error, document, metric, page or bundle holds it", async () => {
      const wallet = staker.publicKey.toBase58();
      const doc = JSON.parse((await get(`${api.url}/api/openapi.json`)).body) as {
        paths: Record<string, unknown>;
      };
      const paths = [
        ...Object.keys(doc.paths).map((p) => p.replace("{wallet}", wallet)),
        // Refusals and errors.
        "/api/stakers/nope",
        "/api/stakers/nope/history.csv",
        "/api/workers/nope",
        "/api/buybacks?limit=0",
        "/api/treasury/history?interval=2m",
        "/api/treasury/history?from=9&to=1",
        "/api/treasury/admin-log?before=never",
        "/nope",
        "/api/openapi.json",
        "/",
      ];
      const index = (await get(`${api.url}/`)).body;
      for (const [, asset] of index.matchAll(/(?:src|href)="\/?([^"#?]+)"/g)) {
        if (!/^https?:/.test(asset)) paths.push(`/${asset}`);
      }
      expect(paths).to.include.members(["/metrics", "/healthz", "/app.js"]);
      for (const path of paths) {
        const answer = await get(`${api.url}${path}`);
        const seen = `${JSON.stringify(answer.headers)}\n${answer.body}`;
        expect(seen.includes(KEY), `${path} (${answer.status}) holds the key`).to.equal(false);
        expect(seen.includes("/v2/"), `${path} holds the private URL's path`).to.equal(false);
      }
    });

    it("the OpenAPI document passes Redocly's recommended rules with no error or warning", async () => {
      const file = join(mkdtempSync(join(tmpdir(), "ashao-openapi-")), "openapi.json");
      writeFileSync(file, (await get(`${api.url}/api/openapi.json`)).body);
      const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile(
          join(REPO, "node_modules/.bin/redocly"),
          ["lint", file, "--extends", "recommended", "--format", "stylish"],
          {
            cwd: REPO,
            timeout: 120_000,
            env: {
              ...process.env,
              REDOCLY_TELEMETRY: "off",
              REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
            },
          },
          (err, stdout, stderr) =>
            resolve({
              code: err ? Number((err as { code?: number }).code ?? 1) : 0,
              output: `${stdout}${stderr}`,
            }),
        ),
      );
      expect(code, output).to.equal(0);
      expect(output).to.include("Your API description is valid");
      expect(output, output).to.not.match(/You have \d+ warnings?/);
    });

    it("a CSV export of 100,000 rows holds /api/treasury a page at a time, not for the export", async () => {
      const wallet = staker.publicKey.toBase58();
      // The staker's real stake event, stored again as 100,000 rows (the most one export holds)
      // through the store's own insert, with the indexer's cursor left where it is.
      const [real] = await api.store.latestEvents(STAKER_EVENT_NAMES, { limit: 1, owner: wallet });
      expect(real).to.not.equal(undefined);
      const cursor = (await api.store.cursor())!;
      const ROWS = 100_000;
      for (let from = 0; from < ROWS; from += 10_000) {
        const rows: StoredEvent[] = [];
        for (let i = from; i < from + 10_000; i++) {
          rows.push({
            ...real,
            signature: `seeded${String(i).padStart(8, "0")}`,
            // A second apart, after the stake.
            ts: real.ts + 1 + i,
            seq: undefined,
          });
        }
        await api.store.insert(rows, cursor);
      }

      const latencies: number[] = [];
      let exporting = true;
      const poll = (async () => {
        while (exporting) {
          const started = performance.now();
          expect((await get(`${api.url}/api/treasury`)).status).to.equal(200);
          latencies.push(performance.now() - started);
        }
      })();
      const started = performance.now();
      const csv = await get(`${api.url}/api/stakers/${wallet}/history.csv`);
      const exportMs = performance.now() - started;
      exporting = false;
      await poll;
      expect(csv.status).to.equal(200);
      expect(csv.headers["content-type"]).to.equal("text/csv; charset=utf-8");
      const lines = csv.body.split("\r\n");
      expect(lines[lines.length - 1]).to.equal("");
      // The header and the 100,000 newest rows.
      expect(lines.length - 2).to.equal(ROWS);
      // Newest first: the seeded rows (stored after it), not the stake they copy.
      expect(lines[lines.length - 2]).to.match(/,seeded00000000$/);
      expect(csv.body).to.not.include(real.signature);
      const worst = Math.max(...latencies);
      console.log(
        `      export of ${ROWS} rows: ${exportMs.toFixed(0)} ms; /api/treasury meanwhile: ` +
          `${latencies.length} requests, worst ${worst.toFixed(1)} ms`,
      );
      // Held for a page at a time, not for the export: /api/treasury is answered all along,
      // none waiting a tenth of the export (which holding it whole would make the export's own
      // duration, however loaded the machine).
      expect(latencies.length).to.be.greaterThan(20);
      expect(worst).to.be.lessThan(exportMs / 10);
    });
  });

  it("a client that floods is answered 429 with a JSON body while another is served", async () => {
    const api = await startApiServer({
      rpcUrl: economy.validator.rpcUrl,
      wsUrl: economy.validator.wsUrl,
      rateLimit: { max: 20, windowMs: 60_000 },
    });
    try {
      await api.ready;
      const answers: Answer[] = [];
      for (let i = 0; i < 25; i++) answers.push(await get(`${api.url}/api/treasury`));
      expect(answers.map((a) => a.status)).to.deep.equal([
        ...new Array<number>(20).fill(200),
        ...new Array<number>(5).fill(429),
      ]);
      const refused = answers[24];
      expect(refused.headers["content-type"]).to.match(/^application\/json/);
      expect(Number(refused.headers["retry-after"])).to.be.within(1, 60);
      const body = JSON.parse(refused.body) as { error: string; message: string };
      expect(body.error).to.equal("RateLimited");
      expect(body.message).to.match(/^more than 20 requests from this client in 60 s; retry in /);
      // Another client (another loopback address) is served meanwhile.
      const other = await getFrom("127.0.0.2", `${api.url}/api/treasury`);
      expect(other.status).to.equal(200);
      expect(other.headers["x-ratelimit-remaining"]).to.equal("19");
    } finally {
      await api.close();
    }
  });

  describe("ashao api as a process", () => {
    it("logs requests at debug only, serves metrics on --metrics-listen, publishes --public-rpc-url", async () => {
      const publicRpc = "https://rpc.example.org/";
      const api = await startApiProcess([
        "--rpc-url",
        privateRpcUrl(),
        "--ws-url",
        privateWsUrl(),
        "--database",
        "sqlite::memory:",
        "--log-level",
        "debug",
        "--metrics-listen",
        "127.0.0.1:0",
        "--public-rpc-url",
        publicRpc,
        "--public-ws-url",
        "wss://rpc.example.org/",
      ]);
      try {
        const paths = ["/api/treasury", "/api/config", "/healthz", "/api/buybacks", "/nope"];
        const answers: Answer[] = [];
        for (const path of paths) answers.push(await get(`${api.url}${path}`));
        // The default rate limit: 600 a minute per client.
        expect(answers[0].headers["x-ratelimit-limit"]).to.equal("600");
        const requestLines = () => api.logs().filter((l) => l.msg === "request");
        await waitFor("a log line per request", () =>
          requestLines().length >= paths.length ? true : undefined,
        );
        expect(requestLines().map((l) => [l.level, l.url, l.status])).to.deep.equal(
          paths.map((path, i) => [20, path, answers[i].status]),
        );
        expect(
          api.logs().filter((l) => /^(incoming request|request completed)$/.test(String(l.msg))),
        ).to.deep.equal([]);

        const config = JSON.parse(answers[1].body) as {
          rpcUrl: string;
          wsUrl: string;
          cluster: { name: string; rpcUrl: string };
        };
        expect(config.rpcUrl).to.equal(publicRpc);
        expect(config.wsUrl).to.equal("wss://rpc.example.org/");
        expect(config.cluster).to.deep.equal({ name: "custom", rpcUrl: publicRpc });
        const { buybacks } = JSON.parse(answers[3].body) as {
          buybacks: { explorerUrl: string }[];
        };
        if (buybacks.length > 0) {
          expect(buybacks[0].explorerUrl).to.include(`customUrl=${encodeURIComponent(publicRpc)}`);
        }

        expect((await get(`${api.url}/metrics`)).status).to.equal(404);
        expect(api.metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        const metrics = await get(api.metricsUrl!);
        expect(metrics.status).to.equal(200);
        expect(metrics.body).to.match(
          /^ashao_api_requests_total\{route="\/api\/treasury",status="200"\} 1$/m,
        );
      } finally {
        await api.stop();
      }
    });

    it("answers a failing store with a generic 500 whose request id the log holds with the error", async () => {
      const postgres = await startPostgres();
      const { host, port, username } = new URL(postgres.url);
      let api: ApiProcess | undefined;
      let postgresRunning = true;
      try {
        api = await startApiProcess([
          "--rpc-url",
          economy.validator.rpcUrl,
          "--ws-url",
          economy.validator.wsUrl,
          "--database",
          postgres.url,
        ]);
        for (const path of ["/api/treasury", "/api/buybacks", "/healthz"]) {
          expect((await get(`${api.url}${path}`)).status, path).to.equal(200);
        }
        // At the default level (info), a request writes no line.
        expect(api.logs().filter((l) => l.msg === "request")).to.deep.equal([]);

        await postgres.stop();
        postgresRunning = false;
        const answer = await get(`${api.url}/api/buybacks`);
        expect(answer.status).to.equal(500);
        const body = JSON.parse(answer.body) as {
          error: string;
          message: string;
          requestId: string;
        };
        expect(Object.keys(body).sort()).to.deep.equal(["error", "message", "requestId"]);
        expect(body.error).to.equal("InternalError");
        expect(body.requestId).to.match(/^[0-9a-f-]{36}$/);
        expect(body.message).to.include(body.requestId);
        expect(answer.headers["x-request-id"]).to.equal(body.requestId);
        for (const secret of [host, port, username, "ECONNREFUSED", "postgres"]) {
          expect(answer.body, `the 500 names ${secret}`).to.not.include(secret);
        }
        const logged = await waitFor("the error in the log under the request id", () =>
          api!.logs().find((l) => l.reqId === body.requestId && l.level === 50),
        );
        expect(JSON.stringify(logged.err)).to.match(/ECONNREFUSED|terminat|connect/);
      } finally {
        await api?.stop();
        if (postgresRunning) await postgres.stop();
      }
    });
  });
});
