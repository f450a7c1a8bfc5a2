// The meta area: what the extension is and how it is configured, from SQL.
//   doctor_version(), doctor_debug(), doctor_help, doctor_config, doctor_set(), doctor_autoload().
#ifndef DOCTOR_META_META_H_
#define DOCTOR_META_META_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kMetaArea;

}  // namespace doctor

#endif  // DOCTOR_META_META_H_
