#ifndef DOCTOR_META_VERSION_H_
#define DOCTOR_META_VERSION_H_

namespace doctor {

inline constexpr char kDoctorVersion[] = "0.1.0";

}  // namespace doctor

#endif  // DOCTOR_META_VERSION_H_
