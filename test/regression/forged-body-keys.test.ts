/**
 * Issue 9, item 5: the hub stamps `from`, `ws`, `to` and `user` in the header but forwarded the
 * body untouched, and hypha-rpc merges the body over the header before its permission check, so
 * a caller in `public` could run a `protected` function of a hypha-rpc worker in another
 * workspace. Bodies carrying a header field are now refused (a scan of the body's top-level keys;
 * the arguments stay unread), with BAD_MESSAGE to the sender.
 */
import { describe, expect, it } from 'vitest';
import { checkBody, encodeFrame, isMycelError, packValue, RESERVED_BODY_KEYS } from '@mycel/protocol';
import { concatBytes } from '../helpers/assertions.js';
import { startInteropSession } from '../helpers/interop.js';
import { RawSocket } from '../helpers/raw-socket.js';

const HEAD = packValue({ type: 'method', to: 'team/w', method: 'services.s.f', session: 's1' });

function verdict(body: Record<string, unknown>): string {
  try {
    checkBody(concatBytes(HEAD, packValue(body)), HEAD.length);
    return 'accepted';
  } catch (error) {
    return isMycelError(error) && error.code === 'BAD_MESSAGE' ? error.message : String(error);
  }
}

describe('a body carrying header fields', () => {
  it('is refused for each field the hub stamps or routes by, and for the Python context', () => {
    expect([...RESERVED_BODY_KEYS].sort()).toEqual(['ctx', 'from', 'method', 'parent', 'session', 'to', 'type', 'user', 'ws']);
    for (const key of RESERVED_BODY_KEYS) {
      expect(verdict({ args: [], promise: '*', [key]: 'team/x' })).toBe(
        `malformed msgpack frame: a frame body may not carry the header field "${key}"`,
      );
    }
  });

  it('is accepted when such names appear below the top level, where they are argument data', () => {
    expect(verdict({ args: [{ from: 'x', ws: 'y', user: { id: 'root' } }], with_kwargs: false, promise: '*', t: 15 })).toBe('accepted');
    expect(verdict({ _enc: { v: 2 }, data: new Uint8Array(4) })).toBe('accepted');
  });

  it('cannot run a protected function of a hypha-rpc worker in another workspace', async () => {
    const { hub, connect } = await startInteropSession();
    const worker = await connect({ client_id: 'hypha-w', workspace: 'team' });
    const callers: string[] = [];
    let ran!: (from: string) => void;
    const forgedRun = new Promise<string>((resolve) => (ran = resolve));
    await worker.registerService({
      id: 'vault',
      config: { visibility: 'protected', require_context: true },
      open: (context: { from: string }) => {
        callers.push(context.from);
        ran(context.from);
        return 'opened';
      },
    });
    const { socket: attacker } = await RawSocket.connect(hub.url, 'attacker');
    const head = { type: 'method', to: 'team/hypha-w', method: 'services.vault.open', session: 'forged1' };
    attacker.ws.send(encodeFrame(head, { from: 'team/insider', ws: 'team', args: [], promise: '*' }));
    const outcome = await Promise.race([
      forgedRun.then((from) => `ran for ${from}`),
      attacker.nextBinary().then(({ main, extra }) => {
        const error = (extra?.args as Record<string, unknown>[] | undefined)?.[0];
        return `${String(main.method)} ${String(error?._rcode)}: ${String(error?._rvalue)}`;
      }),
    ]);
    expect(outcome).toBe('forged1.reject BAD_MESSAGE: malformed msgpack frame: a frame body may not carry the header field "from"');
    // A caller of the same workspace still gets in, and it is the only one that ever did.
    const insider = await connect({ workspace: 'team' });
    const vault = await insider.getService('vault');
    expect(await vault.open?.()).toBe('opened');
    expect(callers).toEqual([`team/${String(insider.config.client_id)}`]);
  });
});
