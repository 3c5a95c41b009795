/**
 * An exclusive lock on an embedded database directory. PGlite is one writer: two processes opening one data
 * directory each believe they own it, do not see each other's writes and can corrupt it. So the directory holds a
 * lock file naming its holder, created atomically (written aside, then hard-linked into place: it exists complete
 * or not at all), removed on close and on a normal exit.
 *
 * A holder killed with `kill -9` (or a crash, or a power cut) leaves its file behind; it must not block forever:
 * - Same machine and PID namespace as the holder (same boot id and `/proc/self/ns/pid`): the holder is alive when its
 *   PID exists AND that process started at the recorded time (`/proc/PID/stat`), so a PID reused by another process
 *   does not keep the lock. A dead holder's lock is taken over at once.
 * - Anywhere else (another container sharing the volume, another host over a network filesystem, a system without
 *   /proc): PIDs say nothing there, so the holder refreshes the file's modification time every few seconds and a
 *   lock not refreshed for `staleMs` (30 s) is stale. A holder that finds its lock taken over refuses further work.
 * Taking over a stale lock moves it aside first and checks that the moved file is the one judged stale.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { MicrocredError } from '../errors.js';

/** Name of the lock file inside the locked directory. */
export const LOCK_FILE = 'microcred.lock';

/** Who holds a lock: what its file says. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Linux boot id and PID namespace of the holder, when it had them. */
  bootId?: string;
  pidNamespace?: string;
  /** Start time of the holder process (clock ticks since boot, /proc/PID/stat field 22). */
  processStart?: string;
  /** The microcred command, e.g. "serve", when the holder was the CLI. */
  command?: string;
  acquiredAt: string;
  token: string;
}

export interface DirectoryLock {
  readonly file: string;
  /** Throws a DATABASE_LOCKED error when another process took the lock over (this one was judged gone). */
  check(): void;
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock whose holder cannot be checked is stale after this long without a heartbeat (default 30 s). */
  staleMs?: number;
  /** How often the holder refreshes its lock (default 5 s). */
  heartbeatMs?: number;
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** Field 22 (starttime) of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses. */
function processStart(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function me(token: string): LockOwner {
  const bootId = readProc('/proc/sys/kernel/random/boot_id');
  const ns = pidNamespace();
  const start = processStart(process.pid);
  const command = process.argv[2];
  return {
    pid: process.pid,
    hostname: hostname(),
    ...(bootId ? { bootId } : {}),
    ...(ns ? { pidNamespace: ns } : {}),
    ...(start ? { processStart: start } : {}),
    ...(command && /^[a-z][a-z-]{0,20}$/.test(command) ? { command } : {}),
    acquiredAt: new Date().toISOString(),
    token,
  };
}

interface Found {
  raw: string;
  owner?: LockOwner;
  mtimeMs: number;
}

async function readLock(file: string): Promise<Found | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let owner: LockOwner | undefined;
    try {
      const v = JSON.parse(raw) as LockOwner;
      if (Number.isInteger(v.pid) && typeof v.token === 'string' && typeof v.hostname === 'string') owner = v;
    } catch {
      owner = undefined;
    }
    return { raw, mtimeMs: st.mtimeMs, ...(owner ? { owner } : {}) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Whether the holder of a lock still holds it, and whether that was checked on its process (`verified`) or only
 * inferred from its heartbeat.
 */
export function holderState(found: { owner?: LockOwner; mtimeMs: number }, staleMs: number, now = Date.now()): { alive: boolean; verified: boolean } {
  const fresh = now - found.mtimeMs < staleMs;
  const o = found.owner;
  // Unreadable (being written by a system without hard links, or damaged): only its age can tell.
  if (!o) return { alive: fresh, verified: false };
  const ours = me('');
  const sameNamespace = o.hostname === ours.hostname && o.bootId !== undefined && o.bootId === ours.bootId && o.pidNamespace !== undefined && o.pidNamespace === ours.pidNamespace;
  if (sameNamespace) {
    if (!pidAlive(o.pid)) return { alive: false, verified: true };
    const start = processStart(o.pid);
    // PID reuse: the PID is alive but it is another process.
    return { alive: !(o.processStart && start && start !== o.processStart), verified: true };
  }
  // Same host name without boot id and namespace (no /proc): a dead PID is gone for sure; a live one may be reused.
  if (o.hostname === ours.hostname && o.bootId === undefined && ours.bootId === undefined && !pidAlive(o.pid)) return { alive: false, verified: true };
  return { alive: fresh, verified: false };
}

function lockedError(dir: string, found: Found, staleMs: number, verified: boolean): MicrocredError {
  const o = found.owner;
  const who = o && o.pid === process.pid && o.hostname === hostname()
    ? 'this same process, which opened it before'
    : o
    ? `process ${o.pid}${o.hostname !== hostname() ? ` on ${o.hostname}` : ''}${o.command ? ` ("microcred ${o.command}")` : ''}, since ${o.acquiredAt}`
    : 'a process whose lock file cannot be read';
  const expires = verified ? '' : ` If that process no longer runs, its lock expires within ${Math.max(1, Math.ceil((staleMs - (Date.now() - found.mtimeMs)) / 1000))} s.`;
  return new MicrocredError(
    'DATABASE_LOCKED',
    `The database in ${dir} is in use by another microcred process (${who}). The embedded database (PGlite) is used by one process at a time. ` +
      'Stop that process first; or, while "microcred serve" runs, use its admin API (POST /issuers, POST /issuers/{slug}/api-keys); ' +
      `or use PostgreSQL (set DATABASE_URL) to run several processes on one database.${expires}`,
    { lockFile: path.join(dir, LOCK_FILE), ...(o ? { pid: o.pid, hostname: o.hostname } : {}) },
  );
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, content, { mode: 0o600 });
  try {
    await link(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // No hard links here: exclusive create (a reader may briefly see it empty, which counts as held while fresh).
    try {
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(content);
      } finally {
        await fh.close();
      }
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/**
 * Takes the exclusive lock on `dir` (which must exist), or throws a MicrocredError `DATABASE_LOCKED` saying who holds
 * it and what to do instead. Release it with `release()`; a normal process exit releases it too.
 *
 * @example
 * ```ts
 * const lock = await lockDirectory('/var/lib/microcred/db');
 * try { ... } finally { await lock.release(); }
 * ```
 */
export async function lockDirectory(dir: string, options: LockOptions = {}): Promise<DirectoryLock> {
  const staleMs = options.staleMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const file = path.join(dir, LOCK_FILE);
  const token = randomBytes(16).toString('hex');
  const content = `${JSON.stringify(me(token))}\n`;
  let acquired = false;
  for (let attempt = 0; attempt < 10 && !acquired; attempt++) {
    if (await createExclusive(file, content)) {
      acquired = true;
      break;
    }
    const found = await readLock(file);
    if (!found) continue; // released meanwhile
    const state = holderState(found, staleMs);
    if (state.alive) throw lockedError(dir, found, staleMs, state.verified);
    // Stale: move it aside, then make sure what we moved is what we judged (another process may have replaced it).
    const aside = `${file}.stale.${token}`;
    try {
      await rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = await readFile(aside, 'utf8').catch(() => undefined);
    if (moved !== found.raw) await link(aside, file).catch(() => {}); // a fresh lock: put it back
    await unlink(aside).catch(() => {});
  }
  if (!acquired) {
    const found = await readLock(file);
    throw lockedError(dir, found ?? { raw: '', mtimeMs: Date.now() }, staleMs, true);
  }

  let lost = false;
  let released = false;
  const holds = (raw: string | undefined): boolean => raw !== undefined && raw === content;
  const onExit = (): void => {
    try {
      if (holds(readFileSync(file, 'utf8'))) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  const timer = setInterval(() => {
    void (async () => {
      let raw = await readFile(file, 'utf8').catch(() => undefined);
      if (released) return;
      // Gone (deleted by hand, or moved aside for a moment by a process checking a stale lock): take it again.
      if (raw === undefined && (await createExclusive(file, content).catch(() => false))) raw = content;
      if (!holds(raw)) {
        lost = true;
        clearInterval(timer);
        return;
      }
      const now = new Date();
      await utimes(file, now, now).catch(() => {});
    })();
  }, heartbeatMs);
  timer.unref();
  return {
    file,
    check() {
      if (lost) {
        throw new MicrocredError(
          'DATABASE_LOCKED',
          `This process lost its lock on the database in ${dir}: another process took it over, judging this one gone (no heartbeat for ${Math.round(staleMs / 1000)} s). Stop this process.`,
        );
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      process.off('exit', onExit);
      const raw = await readFile(file, 'utf8').catch(() => undefined);
      if (holds(raw)) await unlink(file).catch(() => {});
    },
  };
}
