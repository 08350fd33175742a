#include "cli/verify_report.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "compiler/diag/printable.h"

namespace fwc::cli::verify {

namespace {

namespace pr = prober;

std::string port_str(const pr::PortResult& r) {
  return std::to_string(r.port) + (r.proto == pr::L4::tcp ? "/tcp" : "/udp");
}

struct Tally {
  size_t failures = 0, warnings = 0;
};

Tally tally(const std::vector<Row>& rows) {
  Tally t;
  for (const auto& row : rows) t.failures += row.verdict == "failure", t.warnings += row.verdict == "warning";
  return t;
}

std::string xml(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += ch;
    }
  }
  return o;
}

// "test: tests[2] api-closed 8080/tcp expect drop: ok", then the count of
// the tests this address cannot observe.
void print_test_rows(const TestResults& tests, FILE* to) {
  for (const auto& r : tests.rows)
    std::fprintf(to, "test: %s %s expect %s: %s%s%s\n", printable(r.label).c_str(), printable(r.ports).c_str(),
                 r.expect.c_str(), r.verdict.c_str(), r.note.empty() ? "" : " (", 
                 r.note.empty() ? "" : (printable(r.note) + ")").c_str());
  if (tests.not_observable)
    std::fprintf(to, "%zu policy test%s not observable from here\n", tests.not_observable,
                 tests.not_observable == 1 ? "" : "s");
}

void print_junit_tests(const Report& c, FILE* to) {
  for (const auto& r : c.tests.rows) {
    std::string text = r.ports + " expect " + r.expect + (r.note.empty() ? "" : ": " + r.note);
    std::fprintf(to, "  <testcase classname=\"%s\" name=\"%s\">", xml("fwc.verify." + c.target + ".tests").c_str(),
                 xml(printable(r.label)).c_str());
    if (r.verdict == "failure")
      std::fprintf(to, "<failure message=\"%s\">%s</failure>", xml(printable(r.note)).c_str(), xml(printable(text)).c_str());
    else
      std::fprintf(to, "<system-out>%s</system-out>", xml(printable(text)).c_str());
    std::fprintf(to, "</testcase>\n");
  }
}

}  // namespace

void print_text_report(const Report& c, FILE* to) {
  std::fprintf(to, "fwc verify %s from %s (%s)\n", c.target.c_str(), c.source.c_str(), c.method.c_str());
  if (!c.note.empty()) std::fprintf(to, "note: %s\n", c.note.c_str());
  if (c.with_policy)
    std::fprintf(to, "policy %s, %s\n", printable(c.policy).c_str(), printable(c.selection).c_str());
  // Long lists: only the rows worth reading, and a count of the rest.
  const bool all_rows = c.rows.size() <= 100;
  std::map<std::string, size_t> hidden;
  if (c.with_policy)
    std::fprintf(to, "%-12s %-8s %-14s %-8s %s\n", "PORT", "EXPECTED", "OBSERVED", "VERDICT", "RULE / NOTE");
  else
    std::fprintf(to, "%-12s %-14s %s\n", "PORT", "STATE", "REASON");
  for (const auto& row : c.rows) {
    const char* st = pr::state_name(row.r.state);
    bool boring = c.with_policy
                      ? row.verdict == "ok" && row.expected == "blocked"
                      : row.r.state == pr::State::filtered || row.r.state == pr::State::open_filtered;
    if (!all_rows && boring) {
      ++hidden[st];
      continue;
    }
    if (c.with_policy)
      std::fprintf(to, "%-12s %-8s %-14s %-8s %s%s%s\n", port_str(row.r).c_str(), row.expected.c_str(), st,
                   row.verdict.c_str(), printable(row.rule).c_str(), row.note.empty() ? "" : ": ",
                   printable(row.note).c_str());
    else
      std::fprintf(to, "%-12s %-14s %s\n", port_str(row.r).c_str(), st, row.r.reason.c_str());
  }
  for (auto& [st, n] : hidden)
    std::fprintf(to, "not shown: %zu %s port%s%s\n", n, st.c_str(), n == 1 ? "" : "s",
                 c.with_policy ? " the policy blocks" : "");
  print_test_rows(c.tests, to);
  const Tally t = tally(c.rows);
  std::fprintf(to, "%zu ports in %.2f s, %zu probes sent", c.rows.size(),
               std::chrono::duration<double>(c.rep.elapsed).count(), c.rep.sent);
  if (c.with_policy) std::fprintf(to, ": %zu failures, %zu warnings", t.failures, t.warnings);
  std::fprintf(to, "\n");
  size_t unfiltered = 0;
  for (const auto& row : c.rows) unfiltered += row.note.starts_with("not filtered");
  if (unfiltered)
    std::fprintf(to,
                 "%zu port%s the policy drops answered closed: no firewall enforces the drop "
                 "(is the ruleset loaded?)\n",
                 unfiltered, unfiltered == 1 ? "" : "s");
}

// Streams the report: a full sweep has 65,535 rows, and building them as
// one JSON tree first costs more than the scan. Keys in sorted order, as
// nlohmann::json writes them.
void print_json_report(const Report& c, FILE* to) {
  using nlohmann::json;
  const Tally t = tally(c.rows);
  json head = {{"target", c.target},
               {"source", c.source},
               {"method", c.method},
               {"elapsed", std::chrono::duration<double>(c.rep.elapsed).count()},
               {"sent", c.rep.sent}};
  if (c.with_policy) {
    head["policy"] = c.policy;
    head["selection"] = c.selection;
    head["failures"] = t.failures;
    head["warnings"] = t.warnings;
  }
  if (!c.note.empty()) head["note"] = c.note;
  head["privileges"] = c.privileges;
  if (c.with_policy) {
    head["tests"] = json::array();
    for (const auto& r : c.tests.rows)
      head["tests"].push_back(
          {{"test", r.label}, {"port", r.ports}, {"expect", r.expect}, {"verdict", r.verdict}, {"note", r.note}});
    head["tests_not_observable"] = c.tests.not_observable;
  }
  head["ports"] = json::array();
  // Everything but the array, which goes where its empty placeholder was.
  std::string text = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string marker = "\"ports\":[]";
  size_t at = text.find(marker) + marker.size() - 1;
  std::string out = text.substr(0, at);
  out.reserve(c.rows.size() * (c.with_policy ? 160 : 80) + text.size());
  auto str = [&out](const std::string& v) {
    out += json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  bool first = true;
  for (const auto& row : c.rows) {
    out += first ? "{" : ",{";
    first = false;
    if (c.with_policy) {
      out += "\"expected\":", str(row.expected);
      out += ",\"note\":", str(row.note), out += ",";
    }
    out += "\"port\":" + std::to_string(row.r.port) + ",\"probes\":" + std::to_string(row.r.attempts) +
           ",\"proto\":\"" + (row.r.proto == pr::L4::tcp ? "tcp" : "udp") + "\",\"reason\":";
    str(row.r.reason);
    if (c.with_policy) out += ",\"rule\":", str(row.rule);
    out += ",\"state\":\"";
    out += pr::state_name(row.r.state);
    out += "\"";
    if (c.with_policy) out += ",\"verdict\":", str(row.verdict);
    out += "}";
  }
  out += text.substr(at);
  std::fwrite(out.data(), 1, out.size(), to);
  std::fputc('\n', to);
}

void print_junit_report(const Report& c, FILE* to) {
  size_t fail = tally(c.rows).failures;
  for (const auto& r : c.tests.rows) fail += r.verdict == "failure";
  std::string suite = "fwc verify " + c.target;
  std::fprintf(to, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  std::fprintf(to, "<testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
               xml(suite).c_str(), c.rows.size() + c.tests.rows.size(), fail, std::chrono::duration<double>(c.rep.elapsed).count());
  for (const auto& row : c.rows) {
    std::string text = std::string(pr::state_name(row.r.state)) + " (" + row.r.reason + ")";
    if (c.with_policy) {
      std::string judged = "expected ";
      judged.append(row.expected).append(" by ").append(row.rule).append("; observed ").append(text);
      text = std::move(judged);
    }
    std::fprintf(to, "  <testcase classname=\"%s\" name=\"%s\">", xml("fwc.verify." + c.target).c_str(),
                 port_str(row.r).c_str());
    if (row.verdict == "failure")
      std::fprintf(to, "<failure message=\"%s\">%s</failure>", xml(row.note).c_str(), xml(text).c_str());
    else
      std::fprintf(to, "<system-out>%s%s%s</system-out>", xml(text).c_str(), row.note.empty() ? "" : "; ",
                   xml(row.note).c_str());
    std::fprintf(to, "</testcase>\n");
  }
  print_junit_tests(c, to);
  std::fprintf(to, "</testsuite>\n");
}

}  // namespace fwc::cli::verify
