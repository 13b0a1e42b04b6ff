// Rate-limit admission for one call (discovery protocol §7.6): wait for a
// token, fail only when the wait would outlast the call's deadline or the
// call goes away while waiting. Most calls need no wait, so that path is
// synchronous and allocates nothing.
import type { RateLimiter, Reservation } from "../util/rate-limiter.js";
import { MESSAGES, resourceExhausted } from "./state/errors.js";

export interface Admission {
  readonly limiter: RateLimiter;
  /** The limiter's clock in milliseconds; injectable so tests can freeze refills. */
  readonly now: () => number;
}

/** What a waiting call listens to: its own cancellation and the server's shutdown. */
export interface WaitingCall {
  on(event: "cancelled", listener: () => void): unknown;
  removeListener(event: "cancelled", listener: () => void): unknown;
}

/**
 * Reserves a token for `key` (undefined: origin unknown, not limited).
 * `deadline` is the call's absolute wall-clock deadline as grpc-js reports
 * it, Infinity for none. Returns the reservation to wait for, or undefined
 * when the call may proceed at once; throws RESOURCE_EXHAUSTED when the wait
 * would reach the deadline.
 */
export function reserve(
  admission: Admission,
  key: string | undefined,
  deadline: number,
): Reservation | undefined {
  if (key === undefined) return undefined;
  const reservation = admission.limiter.reserve(key, admission.now(), deadline - Date.now());
  if (!reservation) throw resourceExhausted(MESSAGES.rateLimited);
  return reservation.waitMs > 0 ? reservation : undefined;
}

/**
 * Waits out a reservation. Rejects, giving the token back, if the call is
 * cancelled (RESOURCE_EXHAUSTED) or the server shuts down (its abort reason).
 */
export function waitFor(
  admission: Admission,
  reservation: Reservation,
  call: WaitingCall,
  shutdown: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      clearTimeout(timer);
      call.removeListener("cancelled", onCancel);
      shutdown.removeEventListener("abort", onShutdown);
      if (err === undefined) return resolve();
      reservation.cancel(admission.now());
      reject(err);
    };
    const onCancel = () => settle(resourceExhausted(MESSAGES.rateLimited));
    const onShutdown = () => settle(shutdown.reason);
    const timer = setTimeout(settle, reservation.waitMs);
    call.on("cancelled", onCancel);
    shutdown.addEventListener("abort", onShutdown);
    if (shutdown.aborted) onShutdown();
  });
}
