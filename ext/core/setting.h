// A process-wide setting shown in doctor_config and changed with doctor_set(name, value).
//
// Example:
//   Setting kSlowMs = Setting::Int("slow_ms", 100, 0, 86400000, "Statements slower than this ...");
//   if (elapsed_ms > kSlowMs.Get()) ...
//
// Reads are lock-free (the hot path reads settings on every statement); writes validate first.
#ifndef DOCTOR_CORE_SETTING_H_
#define DOCTOR_CORE_SETTING_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/value.h"

namespace doctor {

class Connection;

class Setting {
 public:
  enum class Kind { kBool, kInt, kEnum, kText };

  static Setting Bool(const char* name, bool default_value, const char* summary);
  static Setting Int(const char* name, int64_t default_value, int64_t min, int64_t max,
                     const char* summary);
  // An enum's value is the index of its choice in `choices`.
  static Setting Enum(const char* name, std::vector<std::string> choices, int default_index,
                      const char* summary);
  // A name (1 to 128 bytes, no NUL): read with GetText(), not on a hot path (it copies under a
  // mutex).
  static Setting Text(const char* name, const char* default_value, const char* summary);

  // Optional: what doctor_set runs on the calling connection right after a successful change,
  // for a setting that must take effect there at once.
  // Example: Setting kBusy = Setting::Int(...).WithApply(ApplyBusy);
  using ApplyFn = void (*)(Connection& caller);
  Setting WithApply(ApplyFn apply) && {
    apply_ = apply;
    return std::move(*this);
  }
  ApplyFn apply() const { return apply_; }

  Setting(Setting&& other) noexcept;
  Setting(const Setting&) = delete;
  Setting& operator=(const Setting&) = delete;

  const std::string& name() const { return name_; }
  const std::string& summary() const { return summary_; }
  Kind kind() const { return kind_; }

  int64_t Get() const { return value_.load(std::memory_order_relaxed); }
  bool On() const { return Get() != 0; }
  std::string GetText() const;

  // Validates and stores a value given as SQL text, integer or real; errors name the setting and
  // what it accepts.
  absl::Status Set(const Value& value);
  void Reset();

  // Moves on every change of any setting. A hot path may keep copies of the values it reads
  // and re-read them only when this moved: one shared cache line instead of one per setting.
  static uint64_t Generation() { return generation_.load(std::memory_order_acquire); }
  // Moves Generation() for a change that is not a setting's but that the same hot paths must
  // notice at their next check (query_stats_reset emptying the plan history).
  static void NoteChange() { generation_.fetch_add(1, std::memory_order_release); }

  std::string Display() const { return DisplayOf(Get()); }
  std::string DefaultDisplay() const {
    return kind_ == Kind::kText ? default_text_ : DisplayOf(default_);
  }
  // What Set() accepts, in words: "on or off", "an integer from 0 to 86400000", "one of: a, b".
  std::string Accepts() const;

 private:
  Setting(const char* name, Kind kind, int64_t default_value, int64_t min, int64_t max,
          std::vector<std::string> choices, const char* summary);
  std::string DisplayOf(int64_t v) const;
  absl::Status Invalid(absl::string_view given) const;
  void Store(int64_t v) {
    value_.store(v, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }

  static std::atomic<uint64_t> generation_;

  std::string name_;
  Kind kind_;
  int64_t default_;
  int64_t min_;
  int64_t max_;
  std::vector<std::string> choices_;
  std::string summary_;
  std::atomic<int64_t> value_;
  ApplyFn apply_ = nullptr;
  std::string default_text_;
  mutable absl::Mutex text_mu_;
  std::string text_ ABSL_GUARDED_BY(text_mu_);
};

}  // namespace doctor

#endif  // DOCTOR_CORE_SETTING_H_
