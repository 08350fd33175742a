#pragma once
#include <string>
#include <vector>

// Runs a firewall manager's tool (iptables-restore, ufw, firewall-cmd, ...)
// by fork/exec of an argument vector: no shell ever reads policy text.
namespace fwc::cli::managers {

struct ToolResult {
  bool started = false;  // false: the tool could not be run at all
  int status = -1;       // exit status; 128 + N when killed by signal N
  std::string out, err;  // each read up to kToolOutputLimit bytes
  bool truncated = false;
};

// What a tool may print before fwc stops keeping it (the rest is drained).
constexpr size_t kToolOutputLimit = 64 << 20;

// `argv[0]` is looked up in PATH. `input` is the tool's standard input.
// `env` entries ("NAME=value") are added to the environment.
ToolResult run_tool(const std::vector<std::string>& argv, const std::string& input = {},
                    const std::vector<std::string>& env = {});

// "TOOL exited with status N: STDERR" (escaped, last lines only).
std::string tool_failure(const std::vector<std::string>& argv, const ToolResult& r);

// True when `name` is an executable in PATH.
bool have_tool(const std::string& name);

}  // namespace fwc::cli::managers
