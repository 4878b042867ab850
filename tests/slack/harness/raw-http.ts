/**
 * Requests fetch cannot make: a body that keeps coming and never ends, to see
 * that the receiver answers (and hangs up) while the client is still sending,
 * instead of reading everything first.
 */
import { request } from 'node:http';

export interface StreamedResult {
  /** The status the server answered with while the body was still being sent. */
  status: number;
  /** Bytes the client had handed to the socket when the server hung up. */
  bytesWritten: number;
}

export interface StreamOptions {
  headers: Record<string, string>;
  /** Size of each chunk written. */
  chunkBytes?: number;
  /** Stop writing (but keep the body open) after this many bytes. */
  maxBytes: number;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

/** POSTs a body that is never ended; resolves once the server has answered and closed the connection (the client never does). */
export function streamUnendingBody(endpoint: string, options: StreamOptions): Promise<StreamedResult> {
  const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 'a');
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    let written = 0;
    let stopped = false;
    // Its own connection (no agent), so "closed" means the server hung up on this request.
    const req = request(endpoint, { method: 'POST', headers: options.headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer and hang-up within ${options.timeoutMs ?? 10_000} ms (status ${status}, ${written} bytes written)`));
    }, options.timeoutMs ?? 10_000);
    const finish = (): void => {
      clearTimeout(timer);
      if (status === undefined) reject(new Error(`the connection closed without a response after ${written} bytes`));
      else resolve({ status, bytesWritten: written });
    };
    req.on('response', (response) => {
      status = response.statusCode ?? 0;
      stopped = true;
      response.resume();
    });
    // Writing into a socket the server has closed fails with EPIPE/ECONNRESET; that is the expected end here.
    req.on('error', () => undefined);
    req.on('socket', (socket) => socket.once('close', finish));
    const pump = (): void => {
      while (!stopped && written < options.maxBytes) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}
