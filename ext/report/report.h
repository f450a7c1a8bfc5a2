// doctor_report: every finding of every area in one place.
//
//   SELECT * FROM doctor_report;                  -- main, quick checks
//   SELECT * FROM doctor_report('main', 'deep');  -- adds PRAGMA integrity_check (reads the file)
//
// Columns: area, severity (critical | warn | info), object, finding, advice, fix_sql.
#ifndef DOCTOR_REPORT_REPORT_H_
#define DOCTOR_REPORT_REPORT_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kReportArea;

}  // namespace doctor

#endif  // DOCTOR_REPORT_REPORT_H_
