/**
 * Ctrl-C on the local economy, as a terminal delivers it: SIGINT to the whole process group of
 * `npm start` (npm, bash, node). It stops within 5 s with a few lines of shutdown log, the
 * validator last and gone after; and so it does when the validator is already gone (killed
 * first), where web3.js used to spin on `accountUnsubscribe … readyState was 2`. `npm start --
 * --help` prints the command's help without building anything.
 */
import { type ChildProcess, execFileSync, spawn } from "child_process";
import { mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { expect } from "chai";

import { buildCli, BIN, REPO } from "../utils/cli";

/** Ctrl-C must end the economy within this long. */
const STOP_LIMIT_MS = 5_000;
/** "A few kilobytes" of shutdown lines, at most. */
const SHUTDOWN_LOG_LIMIT_BYTES = 4_096;

interface Started {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a command in a process group of its own (as a terminal's foreground job). */
function startGroup(command: string, args: string[]): Started {
  const child = spawn(command, args, {
    cwd: REPO,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // "close", not "exit": the group's last lines may still be in the pipes when npm exits, and
    // close also waits for every process holding them (none may linger).
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Resolves once the economy's banner is out (or rejects when the process ends before it). */
async function economyUp(started: Started): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (started.output().includes("local economy is up")) {
        started.child.stderr!.off("data", check);
        resolve();
      }
    };
    started.child.stderr!.on("data", check);
    void started.exited.then(() =>
      reject(new Error(`exited before it was up:\n${started.output()}`)),
    );
    check();
  });
  const rpc = /^ {2}rpc +(\S+)$/m.exec(started.output());
  expect(rpc, started.output()).to.not.equal(null);
  return rpc![1];
}

/** Sends SIGINT to the group; how long it took to end, what it printed after, how it ended. */
async function interrupt(started: Started) {
  const printed = started.output().length;
  const sentAt = Date.now();
  process.kill(-started.child.pid!, "SIGINT");
  const end = await started.exited;
  return { ms: Date.now() - sentAt, log: started.output().slice(printed), ...end };
}

/** Whether anything still answers JSON-RPC at `rpcUrl`. */
async function answers(rpcUrl: string): Promise<boolean> {
  try {
    await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
      signal: AbortSignal.timeout(2_000),
    });
    return true;
  } catch {
    return false;
  }
}

describe("Ctrl-C on the local economy (npm start)", function () {
  this.timeout(600_000);
  const running: Started[] = [];

  before(buildCli);

  afterEach(async () => {
    // A test that failed half way leaves nothing running.
    for (const started of running.splice(0)) {
      if (started.child.exitCode === null && started.child.signalCode === null) {
        process.kill(-started.child.pid!, "SIGKILL");
        await started.exited;
      }
    }
  });

  it("npm start -- --help prints localnet's help and builds nothing", async () => {
    const emptyTarget = mkdtempSync(join(tmpdir(), "ashao-target-"));
    const output = execFileSync("npm", ["start", "--", "--help"], {
      cwd: REPO,
      env: { ...process.env, CARGO_TARGET_DIR: emptyTarget },
      encoding: "utf8",
    });
    expect(output).to.match(/^Usage: ashao localnet \[options\]$/m);
    expect(output).to.include("--no-simulator");
    expect(readdirSync(emptyTarget)).to.deep.equal([]);
  });

  it("SIGINT to npm start's process group stops everything within 5 s, with a few lines of log, the validator gone", async () => {
    const started = startGroup("npm", ["start", "--", "--rpc-port", "0", "--api-port", "0"]);
    running.push(started);
    const rpcUrl = await economyUp(started);
    const stopped = await interrupt(started);
    expect(stopped.ms, stopped.log).to.be.below(STOP_LIMIT_MS);
    expect(stopped.log.length, stopped.log).to.be.below(SHUTDOWN_LOG_LIMIT_BYTES);
    expect(stopped.log).to.match(/^stopped in \d+ ms\.$/m);
    expect(stopped.log).to.not.match(/Unsubscribe error|readyState|error:/);
    // npm ends itself by the signal it got once its script has stopped (exit code 0 here, as
    // the next test sees without npm).
    expect([stopped.code, stopped.signal], stopped.log).to.deep.equal([null, "SIGINT"]);
    expect(await answers(rpcUrl)).to.equal(false);
    console.log(
      `      stopped in ${stopped.ms} ms with ${stopped.log.length} bytes of shutdown log`,
    );
  });

  it("with the validator killed first, SIGINT to the group still stops everything within 5 s and a few lines", async () => {
    const started = startGroup(process.execPath, [
      BIN,
      "localnet",
      "--rpc-port",
      "0",
      "--api-port",
      "0",
      "--step-ms",
      "200",
    ]);
    running.push(started);
    const rpcUrl = await economyUp(started);
    const validatorPid = execFileSync(
      "ps",
      ["-o", "pid=,comm=", "--ppid", String(started.child.pid)],
      {
        encoding: "utf8",
      },
    )
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .find(([, name]) => name === "ashao-validator")?.[0];
    expect(validatorPid, "the validator's process").to.be.a("string");
    process.kill(Number(validatorPid), "SIGKILL");
    expect(await answers(rpcUrl)).to.equal(false);

    const stopped = await interrupt(started);
    expect(stopped.ms, stopped.log).to.be.below(STOP_LIMIT_MS);
    expect(stopped.log.length, stopped.log.slice(0, 2_000)).to.be.below(SHUTDOWN_LOG_LIMIT_BYTES);
    expect(stopped.log).to.match(/^stopped in \d+ ms\.$/m);
    expect(stopped.code, stopped.log).to.equal(0);
    console.log(
      `      stopped in ${stopped.ms} ms with ${stopped.log.length} bytes of shutdown log`,
    );
  });
});
