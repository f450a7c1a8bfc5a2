/** Anything with loadExtension(path): better-sqlite3's and libsql's Database. */
export interface LoadableDatabase {
  loadExtension(path: string, entryPoint?: string): unknown;
}

/** A machine as getLoadablePath() sees it: process.platform, process.arch, and on Linux the C library. */
export interface Host {
  platform: string;
  arch: string;
  libc?: 'glibc' | 'musl';
}

/** The platforms with a package: 'linux-x64', 'linux-arm64'. */
export const PLATFORMS: readonly string[];

/** This process's platform, arch and (on Linux) C library. */
export function currentHost(): Host;

/**
 * Absolute path of doctor.so: `$SQLITE_DOCTOR_SO` when set, else lib/doctor.so of the installed
 * `sqlite-doctor-<platform>-<arch>` package. Throws an error naming the platform and the package
 * to install when it is missing, and saying what to use instead on musl (Alpine), macOS and
 * Windows. `host` and `resolve` exist for tests.
 */
export function getLoadablePath(host?: Host, resolve?: (id: string) => string): string;

/** Loads sqlite-doctor into the connection: `load(db)` then `db.prepare('SELECT * FROM doctor_report')`. */
export function load(db: LoadableDatabase): void;
