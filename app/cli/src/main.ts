/**
 * `ashao`: the project's CLI (`npx ashao …` from the repository; the bin runs this file compiled
 * to JavaScript, `npm run build`). `ashao --help` lists the commands and the exit codes.
 */
import { runCli } from "./program";

runCli(process.argv.slice(2)).then(
  (code) => {
    // Let piped output drain before leaving: process.exit would cut it short.
    process.exitCode = code;
    process.stdout.write("", () => process.exit(code));
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
