// JSON values as text that is safe for any input: for an error message (bounded in depth and
// size, so a hostile 100,000-deep array cannot overflow the stack) and for a result column (text
// read from a database that is not UTF-8 is replaced, where dump() would throw).
//
// Example:
//   JsonForMessage(nlohmann::json::parse("[[[[[[1]]]]]]")) == "[[[[[...]]]]]"
#ifndef DOCTOR_CORE_JSON_TEXT_H_
#define DOCTOR_CORE_JSON_TEXT_H_

#include <string>

#include "nlohmann/json.hpp"

namespace doctor {

// `v` as an error message quotes it: as dump() writes it, but arrays and objects nested deeper
// than kMessageDepth read "[...]" / "{...}" and the whole is cut after about kMessageBytes.
inline constexpr int kMessageDepth = 4;
inline constexpr size_t kMessageBytes = 200;
std::string JsonForMessage(const nlohmann::json& v);

// v.dump() that never throws on text that is not UTF-8 (each bad byte becomes U+FFFD).
std::string JsonText(const nlohmann::json& v);

}  // namespace doctor

#endif  // DOCTOR_CORE_JSON_TEXT_H_
