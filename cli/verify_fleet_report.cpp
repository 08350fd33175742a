// `fwc verify --all`: one report of every target, in the single-target
// formats, so a fleet's JSON and JUnit read as a per-node run's do.
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/verify_fleet.h"
#include "cli/verify_target.h"
#include "compiler/diag/printable.h"

namespace fwc::cli::verify {

namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A single-target report as `print` writes it, in memory.
template <class Print>
std::string captured(const Report& c, Print print) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  if (!mem) return {};
  print(c, mem);
  std::fclose(mem);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

// Nodes by outcome: a node fails when any of its addresses does, and is
// not probed when any of them could not be.
struct NodeCounts {
  std::set<std::string> all, failing, unprobed;
  size_t ok() const {
    size_t n = 0;
    for (const auto& name : all) n += !failing.count(name) && !unprobed.count(name);
    return n;
  }
};

NodeCounts count_nodes(const std::vector<FleetTarget>& targets) {
  NodeCounts n;
  for (const auto& t : targets) {
    n.all.insert(t.node);
    if (!t.error.empty()) n.unprobed.insert(t.node);
    else if (has_failures(t.report)) n.failing.insert(t.node);
  }
  return n;
}

std::string listed(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + printable(name);
  return out;
}

std::string xml(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

}  // namespace

void print_fleet_text(const std::vector<FleetTarget>& targets, FILE* to) {
  for (const auto& t : targets) {
    std::fprintf(to, "== node %s (%s)\n", printable(t.node).c_str(),
                 t.address.empty() ? "no address" : t.address.c_str());
    if (t.error.empty()) print_text_report(t.report, to);
    else std::fprintf(to, "not probed: %s\n", printable(t.error).c_str());
    std::fprintf(to, "\n");
  }
  const NodeCounts n = count_nodes(targets);
  std::fprintf(to, "%zu node%s: %zu ok, %zu failing", n.all.size(), n.all.size() == 1 ? "" : "s", n.ok(),
               n.failing.size());
  if (!n.unprobed.empty()) std::fprintf(to, ", %zu not probed", n.unprobed.size());
  std::fprintf(to, "\n");
  if (!n.failing.empty()) std::fprintf(to, "failing: %s\n", listed(n.failing).c_str());
  if (!n.unprobed.empty()) std::fprintf(to, "not probed: %s\n", listed(n.unprobed).c_str());
}

void print_fleet_json(const std::vector<FleetTarget>& targets, FILE* to) {
  const NodeCounts n = count_nodes(targets);
  json counts = {{"failing", n.failing.size()}, {"ok", n.ok()}, {"not_probed", n.unprobed.size()}};
  std::fprintf(to, "{\"counts\":%s,\"nodes\":[", dump(counts).c_str());
  bool first = true;
  for (const auto& t : targets) {
    std::fputs(first ? "" : ",", to);
    first = false;
    if (!t.error.empty()) {
      json j = {{"node", t.node}, {"target", t.address}, {"error", t.error}};
      std::fputs(dump(j).c_str(), to);
      continue;
    }
    // The single-target object with the node's name first.
    std::string one = captured(t.report, print_json_report);
    while (!one.empty() && one.back() == '\n') one.pop_back();
    std::fprintf(to, "{\"node\":%s,", dump(json(t.node)).c_str());
    std::fwrite(one.data() + 1, 1, one.size() - 1, to);
  }
  std::fprintf(to, "]}\n");
}

void print_fleet_junit(const std::vector<FleetTarget>& targets, FILE* to) {
  const NodeCounts n = count_nodes(targets);
  std::fprintf(to, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  std::fprintf(to, "<testsuites name=\"fwc verify --all\" failures=\"%zu\" errors=\"%zu\">\n", n.failing.size(),
               n.unprobed.size());
  const std::string declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  for (const auto& t : targets) {
    if (!t.error.empty()) {
      std::string name = "fwc verify node " + t.node + (t.address.empty() ? "" : " " + t.address);
      std::fprintf(to, "<testsuite name=\"%s\" tests=\"1\" failures=\"0\" errors=\"1\">\n", xml(name).c_str());
      std::fprintf(to, "  <testcase classname=\"fwc.verify\" name=\"%s\"><error message=\"%s\"/></testcase>\n",
                   xml(t.node).c_str(), xml(t.error).c_str());
      std::fprintf(to, "</testsuite>\n");
      continue;
    }
    std::string one = captured(t.report, print_junit_report);
    if (one.starts_with(declaration)) one.erase(0, declaration.size());
    std::fwrite(one.data(), 1, one.size(), to);
  }
  std::fprintf(to, "</testsuites>\n");
}

}  // namespace fwc::cli::verify
