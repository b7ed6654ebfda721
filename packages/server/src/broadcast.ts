/**
 * Events to a workspace (`to: "workspace/*"`): one copy to every client of that workspace
 * subscribed to the event's type, whether a client sent it (its header stamped, its body passed
 * untouched) or the hub did (`broadcastEvent`, from the manager).
 */
import { encodeFrame, replaceHead } from '@mycel/protocol';
import { mayBroadcastTo } from './access-policy.js';
import type { CallRejects } from './call-rejects.js';
import type { ClientConnection } from './connection.js';

/** Sends events to the subscribers of a workspace. */
export class Broadcaster {
  readonly #clients: ReadonlyMap<string, ClientConnection>;
  readonly #managerPeerId: string;
  readonly #rejects: CallRejects;

  constructor(clients: ReadonlyMap<string, ClientConnection>, managerPeerId: string, rejects: CallRejects) {
    this.#clients = clients;
    this.#managerPeerId = managerPeerId;
    this.#rejects = rejects;
  }

  /**
   * Sends an event from the hub to every client of `workspace` subscribed to `type`, and returns
   * how many copies went out.
   * Events are `{type, to: "workspace/*", from: manager, data}` single-object frames.
   */
  broadcastEvent(workspace: string, type: string, data: unknown): number {
    let frame: Uint8Array | undefined;
    let copies = 0;
    for (const client of this.#clients.values()) {
      if (client.workspace !== workspace || !client.subscriptions.has(type)) continue;
      frame ??= encodeFrame({
        type,
        to: `${workspace}/*`,
        from: this.#managerPeerId,
        ws: workspace,
        data,
      });
      client.send(frame);
      copies++;
    }
    return copies;
  }

  /** Sends a client's stamped event frame to `target` (`workspace/*`), if it may. */
  broadcastFrom(
    sender: ClientConnection,
    head: Record<string, unknown>,
    frame: Uint8Array,
    restOffset: number,
    target: string,
    withUser: boolean,
  ): void {
    const workspace = target.slice(0, -2);
    if (!mayBroadcastTo(sender.workspace, workspace)) {
      this.#rejects.refuse(sender, head, 'PERMISSION_DENIED', `may not broadcast to workspace "${workspace}"`);
      return;
    }
    head.to = target;
    const type = String(head.type);
    let out: Uint8Array | undefined;
    let copies = 0;
    for (const client of this.#clients.values()) {
      if (client.workspace !== workspace || !client.subscriptions.has(type)) continue;
      out ??= replaceHead(head, frame, restOffset, withUser ? sender.userField : undefined);
      client.send(out);
      copies++;
    }
    // The sender's message paid for one copy; the others count against its rate too.
    if (copies > 1) sender.rate?.charge(copies - 1);
  }
}
