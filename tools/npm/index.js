'use strict';
// sqlite-doctor for Node: the path of the loadable extension, and a one-line load for
// better-sqlite3 and libsql connections (both have db.loadExtension(path)).
const fs = require('node:fs');
const path = require('node:path');

function getLoadablePath() {
  const file = path.join(__dirname, 'lib', 'doctor.so');
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`sqlite-doctor: no build for ${process.platform}-${process.arch} (linux-x64 only)`);
  }
  if (!fs.existsSync(file)) throw new Error(`sqlite-doctor: ${file} is missing`);
  return file;
}

function load(db) {
  if (!db || typeof db.loadExtension !== 'function') {
    throw new TypeError('sqlite-doctor: load(db) needs a better-sqlite3 or libsql Database');
  }
  db.loadExtension(getLoadablePath());
}

module.exports = { getLoadablePath, load };
