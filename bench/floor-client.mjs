/**
 * The floor's client: the least a caller or worker can do over the floor relay. A call is a
 * header `{to, id, method}` plus a body `{args}`; the answer is `{to, reply: id}` plus
 * `{result}`. Both parties encode and decode with msgpackr, as every hub client does.
 */
import { WebSocket } from 'ws';
import { floorPackr } from './floor-relay.mjs';

/**
 * Connects to the floor relay at `url` as `clientId`.
 * @param {string} url `http://host:port`
 * @param {string} clientId
 * @param {Record<string, (...args: unknown[]) => unknown>} [handlers] functions this client serves
 * @returns {Promise<{ call: (to: string, method: string, args: unknown[]) => Promise<unknown>, close: () => void }>}
 */
export async function connectFloor(url, clientId, handlers = {}) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ client_id: clientId }));
  await new Promise((resolve) => socket.once('message', resolve));

  /** @type {Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>} */
  const pending = new Map();
  let nextId = 0;

  socket.on('message', (frame, isBinary) => {
    if (!isBinary) return;
    const [head, body] = floorPackr.unpackMultiple(frame);
    if (head.reply !== undefined) {
      const waiter = pending.get(head.reply);
      pending.delete(head.reply);
      waiter?.resolve(body?.result);
      return;
    }
    Promise.resolve(handlers[head.method]?.(...(body?.args ?? []))).then((result) => {
      socket.send(Buffer.concat([floorPackr.pack({ to: head.from, reply: head.id }), floorPackr.pack({ result })]));
    });
  });
  socket.once('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('floor connection closed'));
    pending.clear();
  });

  return {
    call(to, method, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(Buffer.concat([floorPackr.pack({ to, id, method }), floorPackr.pack({ args })]));
      });
    },
    close: () => socket.close(),
  };
}
