// The "indexes" area: index_advise, index_whatif and index_lint.
#ifndef DOCTOR_ADVISOR_ADVISOR_H_
#define DOCTOR_ADVISOR_ADVISOR_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kAdvisorArea;

}  // namespace doctor

#endif  // DOCTOR_ADVISOR_ADVISOR_H_
