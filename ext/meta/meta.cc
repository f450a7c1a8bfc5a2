#include "ext/meta/meta.h"

#include "ext/core/private_db.h"
#include "ext/meta/meta_internal.h"

namespace doctor {
namespace {

const FunctionSpec kFunctions[] = {
    {"doctor_version", 0, 0, Trust::kPure, meta::Version, "doctor_version() -> TEXT",
     "The extension's version (semver)."},
    {"doctor_debug", 0, 0, Trust::kPure, meta::Debug, "doctor_debug() -> TEXT (JSON)",
     "Build facts as JSON: version, commit, build date, compiler, and the SQLite versions it was "
     "compiled against and runs on."},
    {"doctor_set", 2, 2, Trust::kDirectOnly, meta::Set, "doctor_set(name TEXT, value) -> TEXT",
     "Changes a setting for the whole process and returns its new value; see doctor_config for "
     "names and accepted values."},
    {"doctor_autoload", 0, 0, Trust::kDirectOnly, meta::Autoload, "doctor_autoload() -> TEXT",
     "Loads the extension into every connection this process opens from now on "
     "(sqlite3_auto_extension), keeping the library in memory."},
};

const TableSpec kTables[] = {
    {"doctor_help", nullptr, {}, false, meta::Help, "SELECT * FROM doctor_help",
     "One row per SQL function and table the extension registers: name, kind (function | table), "
     "signature, summary, area, flags.",
     meta::kHelpColumns},
    {"doctor_help_columns", nullptr, {}, false, meta::HelpColumns,
     "SELECT * FROM doctor_help_columns",
     "One row per column of every table in doctor_help, arguments included, with its type and "
     "a one-line doc; the README's column tables are generated from it.",
     meta::kHelpColumnsColumns},
    {"doctor_config", nullptr, {},
     true,  // process state
     meta::Config, "SELECT * FROM doctor_config",
     "Every setting: current and default value, what it does and what it accepts; change one "
     "with doctor_set(name, value).",
     meta::kConfigColumns},
};

Setting* const kSettings[] = {&kWorkTimeoutMs};

}  // namespace

const Area kMetaArea = {"meta", kFunctions, kTables, kSettings, nullptr};

}  // namespace doctor
