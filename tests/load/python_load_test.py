"""Python's sqlite3 module loads doctor.so (Debian's /usr/bin/python3: pyenv's lacks extensions)."""
import os
import sqlite3
import sys
import unittest

SO = os.path.realpath(sys.argv.pop(1)) if len(sys.argv) > 1 else "bazel-bin/doctor.so"


class PythonLoadTest(unittest.TestCase):
    def test_load_and_query(self):
        db = sqlite3.connect(":memory:")
        db.enable_load_extension(True)
        db.load_extension(SO[: -len(".so")])
        db.enable_load_extension(False)
        (version,) = db.execute("SELECT doctor_version()").fetchone()
        self.assertRegex(version, r"^\d+\.\d+\.\d+$")
        (count,) = db.execute("SELECT count(*) FROM doctor_help").fetchone()
        self.assertGreater(count, 0)
        with self.assertRaisesRegex(sqlite3.OperationalError, "unknown setting 'nope'"):
            db.execute("SELECT doctor_set('nope', 1)")
        db.close()


if __name__ == "__main__":
    unittest.main()
