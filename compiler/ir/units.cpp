#include "compiler/ir/units.h"

namespace fwc::ir {

namespace {
constexpr const char* kUnitNames[] = {"second", "minute", "hour", "day"};
constexpr uint64_t kUnitSeconds[] = {1, 60, 3600, 86400};
constexpr const char* kLevelNames[] = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};
}  // namespace

const char* unit_name(RateUnit u) { return kUnitNames[static_cast<int>(u)]; }
uint64_t seconds(RateUnit u) { return kUnitSeconds[static_cast<int>(u)]; }

uint64_t meter_expiry_seconds(RateUnit u) {
  switch (u) {
    case RateUnit::second: return 60;
    case RateUnit::minute: return 120;
    case RateUnit::hour: return 7200;
    case RateUnit::day: break;
  }
  return 172800;
}

std::optional<RateUnit> rate_unit_named(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (name == kUnitNames[i]) return static_cast<RateUnit>(i);
  return std::nullopt;
}

const char* level_name(LogLevel l) { return kLevelNames[static_cast<int>(l)]; }

const char* level_long_name(LogLevel l) {
  if (l == LogLevel::err) return "error";
  if (l == LogLevel::warn) return "warning";
  return level_name(l);
}

std::optional<LogLevel> log_level_named(std::string_view name) {
  for (int i = 0; i < 8; ++i)
    if (name == kLevelNames[i]) return static_cast<LogLevel>(i);
  return std::nullopt;
}

}  // namespace fwc::ir
