#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Rate units and log levels as the policy language names them, typed once
// here so that no backend compares strings.
namespace fwc::ir {

enum class RateUnit { second, minute, hour, day };

const char* unit_name(RateUnit u);  // "second", "minute", ...
uint64_t seconds(RateUnit u);       // 1, 60, 3600, 86400
std::optional<RateUnit> rate_unit_named(std::string_view name);

struct Rate {
  uint64_t count = 0;
  RateUnit unit = RateUnit::second;
  std::string str() const { return std::to_string(count) + "/" + unit_name(unit); }
  uint64_t unit_seconds() const { return seconds(unit); }
};

// How long a per-source meter keeps a source's bucket after its last
// packet: long enough to span one unit of its rate (every target the same).
uint64_t meter_expiry_seconds(RateUnit u);

// A lifetime as operators write it: N followed by s, m, h or d ("90s",
// "1h", "2d"); N ≥ 1 and at most a year. Seconds, or nothing when malformed.
std::optional<uint64_t> parse_duration(std::string_view text);
inline constexpr uint64_t kMaxDurationSeconds = 366ull * 86400;
// The shortest text of a duration ("1h", "90s", "1h30m" is "5400s").
std::string format_duration(uint64_t seconds);

// syslog's levels in their numeric order (emerg = 0 ... debug = 7).
enum class LogLevel { emerg, alert, crit, err, warn, notice, info, debug };

const char* level_name(LogLevel l);       // the policy's (and nft's) short names: "err", "warn"
const char* level_long_name(LogLevel l);  // iptables' and firewalld's: "error", "warning"
std::optional<LogLevel> log_level_named(std::string_view name);

}  // namespace fwc::ir
