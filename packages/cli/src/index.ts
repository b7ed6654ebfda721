/**
 * @mycel/cli: the `mycel` command. {@link run} runs one command line and returns its exit code;
 * the `mycel` bin calls it with the process's argv.
 */
export { run } from './run.js';
export type { CliIo } from './io.js';
export { EXIT, HELP } from './usage.js';
export { splitTarget } from './commands/call.js';
export { parseCommandLine, parseArgument, UsageError } from './args.js';
export type { CommandLine, Connection } from './args.js';
