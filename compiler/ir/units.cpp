#include "compiler/ir/units.h"

#include <utility>

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

std::optional<uint64_t> parse_duration(std::string_view text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  uint64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  uint64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  if (n == 0 || n > kMaxDurationSeconds / unit) return std::nullopt;
  return n * unit;
}

std::string format_duration(uint64_t seconds) {
  for (auto [unit, suffix] : {std::pair<uint64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}})
    if (seconds != 0 && seconds % unit == 0) return std::to_string(seconds / unit) + suffix;
  return std::to_string(seconds) + "s";
}

}  // namespace fwc::ir
