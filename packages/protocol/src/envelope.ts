/**
 * Zod schemas of every message on the wire (Hypha's, API version 3). Types are inferred from the
 * schemas; there are no hand-written twins.
 */
import { z } from 'zod';

const id = z.string().min(1).max(512);
const optionalText = z.string().max(4096).nullish();

/**
 * The header (`main`) object of a binary frame. Only the fields a router looks at are checked;
 * any other field travels on untouched.
 */
export const frameHeadSchema = z.looseObject({
  type: z.string().min(1).max(256),
  to: id.optional(),
  from: z.string().max(512).nullish(),
  method: z.string().min(1).max(1024).nullish(),
  session: z.string().min(1).max(256).nullish(),
  parent: z.string().max(1024).nullish(),
});
/** A frame header as the router sees it. */
export type FrameHead = z.infer<typeof frameHeadSchema>;

/**
 * Whether `value` is a valid frame header, checked by hand: the hot path. Never accepts what
 * {@link frameHeadSchema} refuses; when it says no, the schema words the error.
 */
export function isFrameHead(value: unknown): value is FrameHead {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    isText(v.type, 1, 256) &&
    (v.to === undefined || isText(v.to, 1, 512)) &&
    isOptionalText(v.from, 0, 512) &&
    isOptionalText(v.method, 1, 1024) &&
    isOptionalText(v.session, 1, 256) &&
    isOptionalText(v.parent, 0, 1024)
  );
}

/**
 * Whether `value` is a valid method message, checked by hand: the hot path. Never accepts what
 * {@link methodMessageSchema} refuses; when it says no, the schema words the error.
 */
export function isMethodMessage(value: Record<string, unknown>): value is MethodMessage {
  const promise = value.promise;
  const t = value.t;
  return (
    value.type === 'method' &&
    isText(value.from, 1, 512) &&
    isText(value.method, 1, 1024) &&
    isOptionalText(value.to, 0, 512) &&
    isOptionalText(value.session, 1, 256) &&
    isOptionalText(value.parent, 0, 1024) &&
    isOptionalText(value.ws, 0, Number.POSITIVE_INFINITY) &&
    (value.args === undefined || value.args === null || Array.isArray(value.args)) &&
    (value.with_kwargs === undefined || value.with_kwargs === null || typeof value.with_kwargs === 'boolean') &&
    (promise === undefined || promise === null || promise === '*' || (typeof promise === 'object' && !Array.isArray(promise))) &&
    (t === undefined || t === null || (typeof t === 'number' && t > 0))
  );
}

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function isOptionalText(value: unknown, min: number, max: number): boolean {
  return value === undefined || value === null || isText(value, min, max);
}

/** An RPC call after the header and body have been merged (`type: "method"`). */
export const methodMessageSchema = z.looseObject({
  type: z.literal('method'),
  from: z.string().min(1).max(512),
  to: z.string().max(512).nullish(),
  method: z.string().min(1).max(1024),
  session: z.string().min(1).max(256).nullish(),
  parent: z.string().max(1024).nullish(),
  args: z.array(z.unknown()).nullish(),
  with_kwargs: z.boolean().nullish(),
  promise: z.union([z.literal('*'), z.record(z.string(), z.unknown())]).nullish(),
  t: z.number().positive().nullish(),
  ws: z.string().nullish(),
  user: z.unknown().optional(),
});
/** A decoded RPC call. */
export type MethodMessage = z.infer<typeof methodMessageSchema>;

/** The first frame a client sends: a JSON text frame. */
export const connectionRequestSchema = z.looseObject({
  client_id: z.string().max(256).nullish(),
  workspace: z.string().max(256).nullish(),
  token: z.string().max(16_384).nullish(),
  reconnection_token: z.string().max(16_384).nullish(),
});
/** The handshake request. */
export type ConnectionRequest = z.infer<typeof connectionRequestSchema>;

/** Who a connection belongs to; stamped as `user` on every frame it sends. */
export const userInfoSchema = z.looseObject({
  id: z.string(),
  roles: z.array(z.string()),
  is_anonymous: z.boolean(),
  email: z.string().nullable(),
  parent: z.string().nullable(),
  scope: z.looseObject({
    current_workspace: z.string().nullable(),
    workspaces: z.record(z.string(), z.string()),
    client_id: z.string().nullable(),
    extra_scopes: z.array(z.string()),
  }),
  expires_at: z.number().nullable(),
});
/** The user a connection acts as. */
export type UserInfo = z.infer<typeof userInfoSchema>;

/** The hub's answer to a good handshake: a JSON text frame. */
export const connectionInfoSchema = z.looseObject({
  type: z.literal('connection_info'),
  hypha_version: z.string(),
  public_base_url: z.string(),
  local_base_url: z.string(),
  manager_id: z.string(),
  workspace: z.string(),
  client_id: z.string(),
  user: userInfoSchema,
  reconnection_token: z.string(),
  reconnection_token_life_time: z.number(),
  announcement: optionalText,
});
/** What the hub tells a client once it is connected. */
export type ConnectionInfo = z.infer<typeof connectionInfoSchema>;

/** Text control frames a client may send after the handshake. */
export const controlFrameSchema = z.looseObject({
  type: z.enum(['ping', 'refresh_token']),
});

/** Text frames the hub sends after the handshake. */
export const serverControlFrameSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('pong') }),
  z.looseObject({ type: z.literal('reconnection_token'), reconnection_token: z.string() }),
  z.looseObject({ type: z.literal('error'), message: z.string() }),
]);
/** A hub control frame. */
export type ServerControlFrame = z.infer<typeof serverControlFrameSchema>;
