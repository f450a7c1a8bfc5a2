// Shared by the Node tests: where doctor.so is, and connections with it loaded.
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

export const DOCTOR_SO = process.env.DOCTOR_SO
  ? path.resolve(process.env.DOCTOR_SO)
  : path.resolve(here, '../../bazel-bin/doctor.so');

export const Database = require('better-sqlite3');
export const LibsqlDatabase = require('libsql');

// A better-sqlite3 connection with the extension loaded.
export function openDoctor(file = ':memory:') {
  const db = new Database(file);
  db.loadExtension(DOCTOR_SO);
  return db;
}

// A fresh scratch folder, removed when the test ends.
export function scratchDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-node-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
