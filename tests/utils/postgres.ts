/**
 * A throwaway PostgreSQL server for tests: Debian's server binaries, a fresh cluster in a
 * temporary directory, a free port on loopback. As root it runs as the `postgres` user
 * (PostgreSQL refuses root).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { freePort } from "../../app/localnet/validator";

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort() : [];
  const dir = versions.length > 0 ? join(root, versions[versions.length - 1], "bin") : "";
  if (!dir || !existsSync(join(dir, "initdb"))) {
    throw new Error(
      "PostgreSQL server binaries not found: run scripts/setup.sh (it installs them)",
    );
  }
  return dir;
}

/** As root, the `postgres` account's ids (PostgreSQL refuses to run as root). */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
  return { uid: id("-u"), gid: id("-g") };
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), "ashao-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  execFileSync(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "ashao", "--no-sync"], {
    stdio: "ignore",
    ...user,
  });
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-h", "127.0.0.1", "-F"],
    { stdio: ["ignore", "ignore", "pipe"], ...user },
  );
  await new Promise<void>((resolve, reject) => {
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (/ready to accept connections/.test(log)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`postgres exited with ${code}: ${log}`)));
  });
  return {
    url: `postgres://ashao@127.0.0.1:${port}/postgres`,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT"); // PostgreSQL's fast shutdown
      await exited;
    },
  };
}
