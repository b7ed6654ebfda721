/**
 * Reads an HTTP request body under a size limit. A body over the limit is refused with 413 as
 * soon as it is known (by `content-length`, or while it streams in), without buffering the rest.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './respond.js';

/** Reads the whole body of `req`, refusing more than `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let isDone = false;
    const finish = (error: Error | undefined) => {
      if (isDone) return;
      isDone = true;
      req.off('data', onData);
      if (error) {
        // Stop reading; what is left is dropped with the connection.
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(tooLarge(maxBytes));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(undefined));
    req.once('error', (error) => finish(error));
    req.once('aborted', () => finish(new HttpError(400, 'BAD_MESSAGE', 'request aborted')));
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'LIMIT_EXCEEDED', `request body larger than ${maxBytes} bytes`);
}
