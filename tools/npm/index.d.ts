/** Anything with loadExtension(path): better-sqlite3's and libsql's Database. */
export interface LoadableDatabase {
  loadExtension(path: string, entryPoint?: string): unknown;
}

/** Absolute path of doctor.so inside this package. */
export function getLoadablePath(): string;

/** Loads sqlite-doctor into the connection: `load(db)` then `db.prepare('SELECT * FROM doctor_report')`. */
export function load(db: LoadableDatabase): void;
