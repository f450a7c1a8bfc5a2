// The "indexes" area: index_advise, index_whatif and index_lint.
#ifndef DOCTOR_INDEXES_ADVISOR_H_
#define DOCTOR_INDEXES_ADVISOR_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kAdvisorArea;

}  // namespace doctor

#endif  // DOCTOR_INDEXES_ADVISOR_H_
