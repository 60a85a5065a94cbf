import type { NextFunction, Request, Response } from 'express';
import { type BodyBudget, bodyReservation } from '../listeners/index.js';
import { sendProblem } from './problem.js';

/**
 * Back-pressure for submissions: at most `maxInFlight` POSTs are being stored and queued at once.
 * One more is answered 503 with Retry-After at once, so an overloaded gateway holds a bounded
 * amount of work in memory and the PAS (which must retry a 503 anyway) slows down. Reads (GET)
 * are never refused: operators need the dashboard most when the gateway is busiest.
 */
export function admissionLimit(maxInFlight: number, onShed: () => void = () => undefined) {
  let inFlight = 0;
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') {
      next();
      return;
    }
    if (inFlight >= maxInFlight) {
      onShed();
      // Connection: close frees the socket too; the PAS reconnects when it retries.
      response.set('Connection', 'close');
      sendProblem(response, {
        title: 'Gateway busy',
        status: 503,
        detail: `${inFlight} submissions are in progress (api.maxInFlight ${maxInFlight}); nothing was stored, retry after the interval given`,
        retryAfterSeconds: 1,
      });
      return;
    }
    inFlight += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    };
    response.once('finish', release);
    response.once('close', release);
    next();
  };
}

/**
 * The shared budget for request bodies in memory (`maxBufferedBodyBytes`): a request whose body
 * would be read reserves its size first and gives it back when its response closes; past the
 * budget it is answered 503 with Retry-After and its body is never read.
 */
export function bodyBudgetLimit(
  budget: BodyBudget,
  maxBodyBytes: number,
  onRefused: (address: string | undefined) => void = () => undefined,
) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const reserved = bodyReservation(request.headers, maxBodyBytes);
    if (!budget.reserve(reserved)) {
      onRefused(request.socket.remoteAddress);
      // No Connection: close: Node drops the unread body and keeps the socket, so the client
      // reads the 503 instead of a reset (closing with unread data resets the connection).
      sendProblem(response, {
        title: 'Gateway busy',
        status: 503,
        detail: `request bodies in memory are at the limit (maxBufferedBodyBytes ${budget.maxBytes}); nothing was read, retry after the interval given`,
        retryAfterSeconds: 5,
      });
      return;
    }
    response.once('close', () => budget.release(reserved));
    next();
  };
}
