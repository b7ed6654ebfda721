/** The soak's command-line flags, with their defaults. */
import { parseArgs } from 'node:util';

export const USAGE = `usage: pnpm soak [--minutes 1] [--rate 200] [--workers 4] [--kill-every 5] [--timeout 5]

  --minutes     how long calls are sent (default 1)
  --rate        calls started per second, whatever happens to earlier ones (default 200)
  --workers     worker processes registering the "soak" service (default 4)
  --kill-every  seconds between kill steps (default 5); a step SIGKILLs one worker (1 in 5: SIGTERM),
                starts a replacement, and ends when the victim is gone and the replacement registered
  --timeout     per-call method timeout of the caller, in seconds (default 5)`;

const FLAGS = {
  minutes: { default: 1, min: 0.05 },
  rate: { default: 200, min: 1 },
  workers: { default: 4, min: 1, isInteger: true },
  'kill-every': { default: 5, min: 0.5 },
  timeout: { default: 5, min: 0.1 },
};

/**
 * Parses argv; throws a `TypeError` naming the bad flag.
 * @param {string[]} argv
 * @returns {{ help: boolean, minutes: number, rate: number, workers: number, killEverySec: number, timeoutSec: number }}
 */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' }])),
    },
    strict: true,
  });
  const number = (name) => {
    const spec = FLAGS[name];
    if (values[name] === undefined) return spec.default;
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < spec.min || (spec.isInteger && !Number.isInteger(value))) {
      throw new TypeError(`invalid --${name} "${values[name]}": expected ${spec.isInteger ? 'an integer' : 'a number'} >= ${spec.min}`);
    }
    return value;
  };
  return {
    help: values.help ?? false,
    minutes: number('minutes'),
    rate: number('rate'),
    workers: number('workers'),
    killEverySec: number('kill-every'),
    timeoutSec: number('timeout'),
  };
}
