/**
 * The handshake: the first frame of a socket is a JSON text frame
 * `{client_id, workspace, token, reconnection_token}`. This module decides who the client is,
 * or why it is refused; it does no I/O.
 */
import { nanoid } from 'nanoid';
import { connectionRequestSchema, isValidName, type UserInfo } from '@mycel/protocol';
import { VIRTUAL_CLIENT_PREFIX } from './virtual-targets.js';
import { DEFAULT_HUB_OPTIONS } from './hub-options.js';
import type { TokenSigner } from './tokens.js';

/** Largest handshake frame accepted by default, in characters. */
export const MAX_HANDSHAKE_CHARS = DEFAULT_HUB_OPTIONS.maxHandshakeChars;

/** Who a client is once its handshake is accepted. */
export interface Admission {
  workspace: string;
  clientId: string;
  user: UserInfo;
  /** True when the client came back with a valid reconnection token. */
  isReconnection: boolean;
}

/**
 * Reads the first frame and admits or refuses the client. Never throws.
 *
 * @param maxChars largest frame read, in characters
 */
export function admit(
  data: unknown,
  isBinary: boolean,
  tokens: TokenSigner,
  maxChars: number = MAX_HANDSHAKE_CHARS,
): { ok: true; admission: Admission } | { ok: false; reason: string } {
  if (isBinary) return refuse('the first message must be a JSON text frame with the connection request');
  const text = String(data);
  if (text.length > maxChars) return refuse(`connection request larger than ${maxChars} characters`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse('the connection request is not valid JSON');
  }
  const parsed = connectionRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'request';
    return refuse(`invalid connection request: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const request = parsed.data;
  if (request.token) {
    return refuse('token authentication is not supported by this hub yet; connect without a token');
  }
  let workspace = request.workspace ?? undefined;
  let clientId = request.client_id ?? undefined;
  let userId: string | undefined;
  let isReconnection = false;
  if (request.reconnection_token) {
    const verdict = tokens.inspect(request.reconnection_token);
    if (verdict.kind === 'malformed') return refuse('the reconnection token is malformed');
    if (verdict.kind === 'bad-signature') {
      return refuse('the reconnection token is invalid: its signature does not match its claims; connect without it');
    }
    // A token signed with another key (a hub that restarted with a new secret), or an expired
    // one, is honoured only as a claim of the client id and workspace, which any anonymous client
    // may make: the client gets a new user and does not supersede a live connection.
    const claims = verdict.claims;
    isReconnection = verdict.kind === 'valid';
    if (workspace && workspace !== claims.workspace) {
      return refuse(`workspace mismatch: the reconnection token is for "${claims.workspace}", not "${workspace}"`);
    }
    if (clientId && clientId !== claims.client_id) {
      return refuse(`client id mismatch: the reconnection token is for "${claims.client_id}", not "${clientId}"`);
    }
    workspace = claims.workspace;
    clientId = claims.client_id;
    if (isReconnection) userId = claims.user_id;
  }
  workspace ??= 'public';
  clientId ??= nanoid();
  if (!isValidName(workspace) || workspace.includes('*')) return refuse(`invalid workspace "${workspace}"`);
  if (!isValidName(clientId) || clientId.includes('*')) return refuse(`invalid client id "${clientId}"`);
  // Balanced proxies target peers with these ids; a client named so would take their calls.
  if (clientId.startsWith(VIRTUAL_CLIENT_PREFIX)) return refuse(`client ids starting with "${VIRTUAL_CLIENT_PREFIX}" are reserved`);
  userId ??= `anonymouz-${nanoid(12)}`;
  return {
    ok: true,
    admission: { workspace, clientId, isReconnection, user: anonymousUser(userId, workspace, clientId) },
  };
}

/** The user record of an anonymous client (read-write on the workspace it joined). */
export function anonymousUser(id: string, workspace: string, clientId: string): UserInfo {
  return {
    id,
    roles: ['anonymous'],
    is_anonymous: true,
    email: null,
    parent: null,
    scope: { current_workspace: workspace, workspaces: { [workspace]: 'rw' }, client_id: clientId, extra_scopes: [] },
    expires_at: null,
  };
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
