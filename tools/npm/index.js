'use strict';
// sqlite-doctor for Node: the path of the loadable extension, and a one-line load for
// better-sqlite3 and libsql connections (both have db.loadExtension(path)).
//
// The extension itself ships in one package per platform, as sqlite-vec does it: this package
// lists sqlite-doctor-linux-x64 and sqlite-doctor-linux-arm64 as optionalDependencies, npm
// installs the one whose os/cpu/libc match the machine, and getLoadablePath() finds it.
const fs = require('node:fs');
const path = require('node:path');

// The platforms with a package; the others get an error naming what to use instead.
const PLATFORMS = ['linux-x64', 'linux-arm64'];
const GLIBC_IMAGE = 'a glibc image such as node:20-bookworm-slim';

// This process's platform, CPU and, on Linux, C library ('glibc' or 'musl'). Node's report
// header has glibcVersionRuntime only when Node runs on glibc (the first report takes ~40 ms,
// once per process; a file test such as /lib/ld-musl-* would misfire on a glibc system that has
// Debian's musl package installed).
function currentHost() {
  return { platform: process.platform, arch: process.arch, libc: linuxLibc() };
}

let cachedLibc;
function linuxLibc() {
  if (process.platform !== 'linux') return undefined;
  if (cachedLibc === undefined) {
    try {
      cachedLibc = process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
    } catch {
      cachedLibc = 'glibc';   // no report (a trimmed-down Node): assume the common case
    }
  }
  return cachedLibc;
}

function packageName(host) {
  return `sqlite-doctor-${host.platform}-${host.arch}`;
}

function unsupported(host) {
  const where = `${host.platform}-${host.arch}`;
  if (host.platform === 'linux' && host.libc === 'musl') {
    return new Error(`sqlite-doctor: musl (Alpine) is not supported yet (${where}, musl): ` +
      `the extension is built for glibc 2.31 or newer only; run Node in ${GLIBC_IMAGE}`);
  }
  if (!PLATFORMS.includes(where)) {
    return new Error(`sqlite-doctor: no build for ${where} yet (built: ${PLATFORMS.join(', ')}, ` +
      `glibc 2.31 or newer); on macOS or Windows, run it in Docker with ${GLIBC_IMAGE}`);
  }
  return null;
}

// The absolute path of doctor.so for this machine: SQLITE_DOCTOR_SO when set (a local build),
// else lib/doctor.so of the platform's package. `host` and `resolve` are for tests.
function getLoadablePath(host = currentHost(), resolve = require.resolve) {
  const override = process.env.SQLITE_DOCTOR_SO;
  if (override) return path.resolve(override);
  const problem = unsupported(host);
  if (problem) throw problem;
  const name = packageName(host);
  let manifest;
  try {
    manifest = resolve(`${name}/package.json`);
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error(`sqlite-doctor: the package for ${host.platform}-${host.arch} is not ` +
      `installed: npm install ${name} (npm skips optionalDependencies under --no-optional, ` +
      `--omit=optional, or when node_modules was installed on another platform)`);
  }
  const file = path.join(path.dirname(manifest), 'lib', 'doctor.so');
  if (!fs.existsSync(file)) throw new Error(`sqlite-doctor: ${file} is missing; reinstall ${name}`);
  return file;
}

function load(db) {
  if (!db || typeof db.loadExtension !== 'function') {
    throw new TypeError('sqlite-doctor: load(db) needs a better-sqlite3 or libsql Database');
  }
  db.loadExtension(getLoadablePath());
}

module.exports = { getLoadablePath, load, currentHost, PLATFORMS };
