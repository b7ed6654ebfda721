/**
 * The `mycel` process: the only file that reads argv and env, listens for signals and exits.
 */
import { run } from './run.js';

const io = {
  out: (text: string) => void process.stdout.write(text),
  err: (text: string) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  onInterrupt(listener: () => void) {
    process.once('SIGINT', listener);
    return () => void process.off('SIGINT', listener);
  },
};

run(process.argv.slice(2), io, process.env).then(
  (code) => {
    // Let stdout drain before leaving (a pipe may still hold the output).
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mycel: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
