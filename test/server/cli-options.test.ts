/**
 * The command line of `mycel-hub`: `--help` lists every hub option as a flag and an environment
 * variable with its default; flags and env are read into hub options, the flag winning.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_OPTIONS } from '@mycel/server';
import { CLI_OPTIONS, readCliSettings, usage } from '../../packages/server/src/cli-options.js';
import { formatLogLine } from '../../packages/server/src/pretty-log.js';

describe('usage', () => {
  it('lists every hub option with its flag, environment variable and default', () => {
    const text = usage();
    for (const [key, value] of Object.entries(DEFAULT_HUB_OPTIONS)) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      const env = `MYCEL_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
      const line = text.split('\n').find((l) => l.trimStart().startsWith(`${flag} `));
      expect(line, key).toBeDefined();
      expect(line).toContain(env);
      expect(line).toContain(key === 'messageBurst' ? '(default twice the rate)' : `(default ${value})`);
    }
    for (const other of ['--token-secret', 'MYCEL_TOKEN_SECRET', '--log-level', 'MYCEL_LOG_LEVEL', '--log-format', 'MYCEL_LOG_FORMAT', '--help']) {
      expect(text).toContain(other);
    }
    expect(CLI_OPTIONS.length).toBe(Object.keys(DEFAULT_HUB_OPTIONS).length + 1);
  });
});

describe('readCliSettings', () => {
  it('reads flags and environment variables; a flag wins over the variable', () => {
    const settings = readCliSettings(['--port', '0', '--hub-id', 'edge', '--max-services-per-client', '5'], {
      MYCEL_PORT: '1234',
      MYCEL_MAX_CONNECTIONS: '7',
      MYCEL_TOKEN_SECRET: 's3cret',
      MYCEL_LOG_LEVEL: 'warn',
    });
    expect(settings).toEqual({
      help: false,
      hubOptions: { port: 0, hubId: 'edge', maxServicesPerClient: 5, maxConnections: 7, tokenSecret: 's3cret' },
      logLevel: 'warn',
      logFormat: 'auto',
    });
  });

  it('refuses bad values with one line naming the flag', () => {
    expect(() => readCliSettings(['--port', 'abc'], {})).toThrow('invalid --port "abc": expected an integer from 0 to 65535');
    expect(() => readCliSettings([], { MYCEL_MAX_CONNECTIONS: '-1' })).toThrow('invalid --max-connections "-1": expected a positive integer');
    expect(() => readCliSettings(['--log-level', 'loud'], {})).toThrow('invalid --log-level "loud"');
    expect(() => readCliSettings(['--log-format', 'xml'], {})).toThrow('invalid --log-format "xml"');
  });
});

describe('formatLogLine', () => {
  it('writes one readable line per entry', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      pid: 1,
      hostname: 'h',
      client: 'public/w1',
      remote: '127.0.0.1:5000',
      reason: 'two words',
      msg: 'client connected',
    });
    expect(formatLogLine(line)).toBe('03:04:05.006 INFO  client connected  client=public/w1 remote=127.0.0.1:5000 reason="two words"\n');
    expect(formatLogLine('not json')).toBe('not json\n');
  });
});
