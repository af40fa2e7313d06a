/**
 * The `ashao` command line (commander): every command, its flags and its help, built without
 * loading the SDK; each command's module loads only when it runs. `runCli` parses, runs, prints
 * a failure in one line and resolves to the exit code of the shared table
 * (app/util/exit-codes.ts); it never exits the process, so tests run it in-process too.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { parseEnv } from "util";

import { Command, CommanderError, Option } from "commander";

import { EXIT, type ExitCode } from "../../util/exit-codes";
import { REPO_ROOT } from "../../util/repo-root";
import { expandHome } from "../../util/solana-config";
import { CRANK_KEYPAIR_ENV, CRANK_SETTINGS } from "../../crank/src/settings";
import { addApiOptions, type ApiFlags } from "../../server/src/cli-options";
import {
  ADMIN_ACTIONS,
  type AdminAction,
  camelCase,
  CHANGE_ACTIONS,
  CHANGE_FLAGS,
} from "./admin-flags";
import { addGlobalOptions, globalOptionsOf, type GlobalOptions } from "./options";
import { json } from "./output";

export const EXIT_CODES_HELP = `
Exit codes (every command, the API and the crank):
  0  done, or nothing to do
  1  internal: unexpected (a bug, or an answer that could not be read)
  2  usage: bad flags, arguments or settings; nothing was done
  3  network: the RPC node, the swap API or Hermes did not answer, or a sent
     transaction's outcome is unknown; retry later (a rerun checks first)
  4  refused: by the program or a check before signing, by name`;

function version(): string {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  return `ashao ${version}`;
}

/** `--env-file`: the file's variables, as `node --env-file` reads them; those already set win. */
function loadEnvFile(path: string, env: NodeJS.ProcessEnv): void {
  let text: string;
  try {
    text = readFileSync(expandHome(path), "utf8");
  } catch (err) {
    throw new CommanderError(
      EXIT.usage,
      "ashao.envFile",
      `error: --env-file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (env[key] === undefined && value !== undefined) env[key] = value;
  }
}

interface Run {
  /** Set by the command that ran. */
  code: ExitCode;
  /** The running command's path (`admin queue-change`), for the usage hint. */
  command: string;
}

/** A command's path below `ashao`: `admin queue-change`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** `(ashao admin queue-change --help)`: where a refused command line is explained. */
function helpHint(path: string): string {
  return `(ashao ${path ? `${path} ` : ""}--help)`;
}

/** Every command's own parse errors in one line, naming its help. */
function oneLineErrors(command: Command): void {
  const hint = helpHint(commandPath(command));
  command.configureOutput({
    outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, " ")} ${hint}\n`),
  });
  command.commands.forEach(oneLineErrors);
}

function buildProgram(env: NodeJS.ProcessEnv, run: Run): Command {
  const program = addGlobalOptions(new Command("ashao"))
    .description(
      "The $ASHAO treasury's operator CLI: figures, deposits, admin, positions, the crank and the API.",
    )
    .version(version(), "-V, --version")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText("afterAll", EXIT_CODES_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    .hook("preAction", (_, action) => {
      run.command = commandPath(action);
      const { envFile } = action.optsWithGlobals<{ envFile?: string }>();
      if (envFile) loadEnvFile(envFile, env);
    });

  /** Runs `load()`'s command with the global options; the code it returns is the process's. */
  const act =
    <A extends unknown[]>(run_: (globals: GlobalOptions, ...args: A) => Promise<number>) =>
    async (...args: A) => {
      const command = args[args.length - 1] as Command;
      run.code = (await run_(globalOptionsOf(command, env), ...args)) as ExitCode;
    };

  program
    .command("status")
    .description(
      "the treasury's figures, $ASHAO supply, solvency, policy and pending admin changes, read from the chain",
    )
    .addOption(
      new Option(
        "--non-circulating <NAME=ADDRESS>",
        "another $ASHAO token account left out of circulation (repeatable)",
      )
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .action(
      act(async (globals, flags: { nonCirculating: string[] }) =>
        (await import("./status")).statusCommand(flags, globals, env),
      ),
    );

  program
    .command("deposit")
    .description(
      "pay revenue in USDC from the keypair's USDC account; the program splits it 50/50 between the buyback bucket and the stakers' stream",
    )
    .requiredOption("--amount <USDC>", "e.g. 1250.5 (at most 6 decimals)")
    .option("--source <ADDRESS>", "another USDC token account the keypair owns")
    .option(
      "--key <KEY>",
      "the deposit's idempotency key, written in a memo; a key already paid from the source within --key-window is not paid again [default: amount-<base units>]",
    )
    .option("--key-window <DURATION>", "how far back a key counts (90s, 15m, 2h, 1d)", "1d")
    .option("--nonce <ACCOUNT>", "a durable nonce account instead of a recent blockhash")
    .option("--nonce-authority <KEYPAIR|ADDRESS>", "the nonce's authority [default: -k]")
    .addHelpText(
      "after",
      "\nThe signature is printed on stderr before waiting. A rerun after a lost answer or a network error (exit 3) pays nothing when the first landed.",
    )
    .action(
      act(async (globals, flags) =>
        (await import("./deposit")).depositCommand(flags as never, globals, env),
      ),
    );

  program
    .command("settle")
    .description(
      "pay a file of usage through settle_usage: each worker its base plus the boost its stake earns, the rest to the treasury (signed by a billing authority)",
    )
    .requiredOption(
      "--file <FILE>",
      "rows of worker, base, gross (USDC): CSV with a header, or JSON",
    )
    .option("--format <csv|json>", "[default: from the file's extension]")
    .option(
      "--first-batch-id <N>",
      "the id of the file's first batch [default: kept from an earlier run of this file, else the ledger's next]",
    )
    .option("--source <ADDRESS>", "another USDC token account the keypair owns")
    .option("--dry-run", "print each worker's boost and the totals; sign nothing")
    .addHelpText(
      "after",
      "\nAt most nine workers per transaction. A rerun of the same file skips the batches already settled: none is paid twice.",
    )
    .action(
      act(async (globals, flags) =>
        (await import("./settle")).settleCommand(flags as never, globals, env),
      ),
    );

  const admin = program
    .command("admin")
    .description(
      "every authority action: signed with -k, or printed unsigned (--print) for a multisig proposal",
    );
  for (const [action, description] of Object.entries(ADMIN_ACTIONS) as [AdminAction, string][]) {
    const command = admin.command(action).description(description);
    if (action === "propose-authority") command.argument("<ADDRESS>", "the new authority");
    if (CHANGE_ACTIONS.includes(action)) {
      for (const spec of CHANGE_FLAGS) {
        const option = new Option(`--${spec.flag} <${spec.arg}>`, spec.help);
        if ("repeat" in spec) {
          option.argParser((value: string, previous: string[] | undefined) => [
            ...(previous ?? []),
            value,
          ]);
        }
        command.addOption(option);
      }
    }
    command
      .option(
        "--print",
        "print the unsigned transaction (base58, base64, an explorer link) after simulating it, for a multisig",
      )
      .option(
        "--signer <ADDRESS>",
        "with --print: who signs [default: the treasury's authority, or the pending one for accept-authority]",
      )
      .option("--fee-payer <ADDRESS>", "with --print: who pays the fee [default: the signer]")
      .option(
        "--nonce <ACCOUNT>",
        "a durable nonce account: the transaction stays valid until it is signed and sent",
      )
      .option("--nonce-authority <KEYPAIR|ADDRESS>", "the nonce's authority [default: the signer]")
      .action(
        act(async (globals, ...args: unknown[]) => {
          const address = action === "propose-authority" ? (args[0] as string) : undefined;
          const opts = args[action === "propose-authority" ? 1 : 0] as Record<string, unknown>;
          const change = Object.fromEntries(
            CHANGE_FLAGS.map((spec) => [spec.flag, opts[camelCase(spec.flag)]]),
          );
          return (await import("./admin")).adminCommand(
            action,
            address,
            change,
            opts,
            globals,
            env,
          );
        }),
      );
  }

  program
    .command("position")
    .description("a wallet's stake position (staked, unstaking, claimable, boost) and its history")
    .argument("<WALLET>", "the staker's wallet address")
    .option("--limit <N>", "transactions of history per page (1-1000)", "20")
    .option("--before <SIGNATURE>", "the page before this signature (printed at a page's end)")
    .option("--csv", "the history page as CSV (exact amounts and base units), nothing else")
    .action(
      act(async (globals, wallet: string, flags) =>
        (await import("./position")).positionCommand(wallet, flags as never, globals, env),
      ),
    );

  program
    .command("localnet")
    .description(
      "the whole local economy on the embedded validator until Ctrl-C: mints, treasury, venue, price feed, API and dashboard, crank, simulator",
    )
    .option("--rpc-port <N>", "the validator's JSON-RPC port (0: any free port) [default: 8899]")
    .option("--ws-port <N>", "its websocket port [default: the RPC port + 1]")
    .option("--api-port <N>", "the API and dashboard's port (0: any free port)", "8080")
    .option("--no-simulator", "no simulated revenue and stakers")
    .option("--step-ms <N>", "the simulator's step (at least 50)")
    .action(
      act(async (_globals, flags) => (await import("./localnet")).localnetCommand(flags as never)),
    );

  const crank = program
    .command("crank")
    .description(
      "the buyback-and-burn crank against any cluster (settings: flags, else the environment, see .env.example)",
    );
  for (const mode of ["once", "loop"] as const) {
    const command = crank
      .command(mode)
      .description(
        mode === "once"
          ? "one buyback cycle, then exit"
          : "a cycle every --interval-secs until SIGINT/SIGTERM",
      )
      .option("--dry-run", "quote, build and simulate; never send");
    for (const [flag, variable] of Object.entries(CRANK_SETTINGS)) {
      command.addOption(new Option(`--${flag} <VALUE>`, `[env: ${variable}]`));
    }
    command.addHelpText(
      "after",
      `\n-k falls back to ${CRANK_KEYPAIR_ENV}, -u to ASHAO_RPC_URL, --ws to ASHAO_WS_URL, --program-id to ASHAO_PROGRAM_ID, --rpc-timeout to ASHAO_RPC_TIMEOUT_SECS.`,
    );
    command.action(
      act(async (globals, opts: Record<string, unknown>) => {
        const { runCrankCommand } = await import("./crank");
        return runCrankCommand(mode, opts, globals, env);
      }),
    );
  }

  addApiOptions(
    program
      .command("api")
      .description("the API, event indexer and dashboard against any cluster, until Ctrl-C"),
  ).action(
    act(async (globals, flags: ApiFlags) =>
      (await import("../../server/src/cli")).apiCommand(flags, globals, env),
    ),
  );

  oneLineErrors(program);
  return program;
}

/** Runs `ashao argv…`; resolves to the exit code. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  const run: Run = { code: EXIT.ok, command: "" };
  const program = buildProgram(env, run);
  try {
    await program.parseAsync(argv, { from: "user" });
    return run.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are answers; any other complaint is a usage error, already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { failureOf } = await import("./errors");
    const failure = failureOf(err);
    const output = (program.opts() as { output?: string }).output;
    if (output === "json" || output === "json-compact") {
      console.log(json(output, { error: failure.name, message: failure.message }));
    }
    console.error(
      failure.code === EXIT.usage
        ? `error: ${failure.message} ${helpHint(run.command)}`
        : `error: ${failure.name}: ${failure.message}`,
    );
    return failure.code;
  }
}
