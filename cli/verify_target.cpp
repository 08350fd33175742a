#include "cli/verify_target.h"

#include <algorithm>
#include <utility>

#include "cli/verify_tests.h"
#include "compiler/eval/explain.h"

namespace fwc::cli::verify {

namespace {

namespace pr = prober;

// Each probed port judged against the policy.
void judge(const ir::Ruleset* ruleset, const net::Address& vantage, Report& c) {
  c.rows.reserve(c.rep.ports.size());
  for (auto& r : c.rep.ports) {
    Row row{std::move(r), "", "", "", ""};
    if (ruleset) {
      const pr::PortResult& probed = row.r;  // r itself was moved from
      const net::Proto proto = probed.proto == pr::L4::tcp ? net::Proto::tcp : net::Proto::udp;
      eval::Packet pkt{vantage, proto, probed.port};
      compare(row, eval::explain(*ruleset, pkt));
    }
    c.rows.push_back(std::move(row));
  }
}

}  // namespace

bool judged_report(ProbeRun&& run, const std::string& target, const Judging& judging, Report& out) {
  const ir::Ruleset* ruleset = judging.ruleset;
  out = Report{target,           run.source,         run.method,         "", "", run.note,
               run.privileges,   ruleset != nullptr, std::move(run.rep), {}, {}};
  if (ruleset) {
    out.policy = judging.path;
    out.selection = ruleset->selection;
  }
  net::Address vantage;
  if (ruleset && !net::parse_address(out.source, vantage)) return false;
  judge(ruleset, vantage, out);  // fills out.rows, which the tests read
  if (ruleset && judging.policy) judge_tests(*judging.policy, *ruleset, vantage, judging.udp, out.rows, out.tests);
  return true;
}

bool has_failures(const Report& c) {
  auto failed = [](const auto& r) { return r.verdict == "failure"; };
  return std::any_of(c.rows.begin(), c.rows.end(), failed) ||
         std::any_of(c.tests.rows.begin(), c.tests.rows.end(), failed);
}

void print_report(const Report& c, const std::string& format, FILE* to) {
  if (format == "json") print_json_report(c, to);
  else if (format == "junit") print_junit_report(c, to);
  else print_text_report(c, to);
}

}  // namespace fwc::cli::verify
