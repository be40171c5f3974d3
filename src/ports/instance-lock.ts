/**
 * Port: one instance per account. A run that writes an account's book (rebalance) first takes the
 * account's lock and holds it until it has finished; a second trigger waits briefly, then gives up
 * with {@link LockHeldError} (exit 75, EX_TEMPFAIL) naming the holder. Adapters: an advisory lock on a
 * Postgres server (src/adapters/postgres/instance-lock.ts), an exclusive lock file beside a PGlite
 * directory (src/adapters/lock/lock-file.ts). Issue 9 item 4.
 */
import { exitCodeError } from './exit-code-error.ts';

/** Who holds (or held) a lock: what a person needs to find that process. */
export interface LockHolder {
  /** Process id, when known. */
  readonly pid: number | null;
  /** Host name, when known. */
  readonly host: string | null;
  /** When the lock was taken (UTC ms), when known. */
  readonly since: number | null;
  /** The command that holds it, e.g. `rebalance`, when known. */
  readonly command: string | null;
}

/** What to lock and how long to wait. */
export interface LockRequest {
  /** The account whose book the run writes. */
  readonly account: string;
  /** The command taking the lock (recorded for the message a second trigger prints). */
  readonly command: string;
  /** How long to wait for a held lock before giving up, ms (0 = try once). */
  readonly waitMs: number;
}

/** A lock that is held until released. */
export interface HeldLock {
  /** Releases the lock (idempotent; never throws). */
  release(): Promise<void>;
}

/** Takes account locks. */
export interface InstanceLocker {
  /**
   * Takes the lock of `req.account`, polling until `req.waitMs` has passed.
   * @throws LockHeldError when another instance still holds it after the wait.
   */
  acquire(req: LockRequest): Promise<HeldLock>;
}

/** Describes a holder for messages: `pid 123 on host-a, since 2026-12-03T02:00:00.000Z, running "rebalance"`. */
export function describeHolder(h: LockHolder | null): string {
  if (h === null) return 'an unknown process';
  const parts = [
    h.pid !== null ? `pid ${h.pid}` : 'an unknown pid',
    ...(h.host ? [`on ${h.host}`] : []),
    ...(h.since !== null ? [`since ${new Date(h.since).toISOString()}`] : []),
    ...(h.command ? [`running "${h.command}"`] : []),
  ];
  return parts.join(', ');
}

/**
 * Another instance holds the account's lock: nothing was done. Exit code 75 (EX_TEMPFAIL, sysexits.h):
 * a scheduler may simply try again later.
 */
export class LockHeldError extends exitCodeError('LockHeldError', 75) {
  /**
   * @param account the locked account.
   * @param where the lock's location as shown to people (lock file path, or `Postgres advisory lock …`).
   * @param holder the holder, when it could be read.
   * @param waitedMs how long this process waited.
   */
  constructor(
    readonly account: string,
    readonly where: string,
    readonly holder: LockHolder | null,
    readonly waitedMs: number,
  ) {
    super(
      `account "${account}" is in use by another instance (${describeHolder(holder)}; lock: ${where}); waited ${(waitedMs / 1000).toFixed(1)} s, nothing was done — try again when it has finished`,
    );
  }
}
