// The "indexes" area: index_advise, index_whatif and index_lint.
#ifndef DOCTOR_INDEXES_INDEXES_SQL_H_
#define DOCTOR_INDEXES_INDEXES_SQL_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kIndexesArea;

}  // namespace doctor

#endif  // DOCTOR_INDEXES_INDEXES_SQL_H_
