// Shared plumbing of the command-line tools: one clear error line and a meaningful exit code.
import { ConfigError, loadConfig, Config } from '../config';
import { StartupError } from '../db/connection';
import { setLogLevel } from '../log';

export class UsageError extends Error {}

/** Loads the config with logs quieted to warnings (commands print their own output). */
export function commandConfig(): Config {
  const config = loadConfig();
  setLogLevel(config.logLevel === 'debug' ? 'debug' : 'warn');
  return config;
}

/** Runs a command's main; usage errors exit 2, known failures 1, with one line on stderr. */
export function runCommand(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = typeof code === 'number' ? code : 0;
    },
    (err: unknown) => {
      const usage = err instanceof UsageError || err instanceof ConfigError;
      const known = usage || err instanceof StartupError;
      process.stderr.write(`${name}: ${known ? (err as Error).message : (err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = usage ? 2 : 1;
    },
  );
}

/** `--name N` from the command line: a positive integer, or `fallback` when absent. */
export function intOption(name: string, fallback: number, argv: string[] = process.argv): number {
  const index = argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} takes a positive integer`);
  return value;
}

/** `--name VALUE` from the command line, or null when absent. */
export function stringOption(name: string, argv: string[] = process.argv): string | null {
  const index = argv.indexOf(name);
  return index === -1 ? null : (argv[index + 1] ?? null);
}
