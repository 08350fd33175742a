#include "cli/explain_host_view.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "compiler/diag/printable.h"

namespace fwc::cli {

namespace {

using Line = std::pair<std::string, uint32_t>;  // file, line

Line line_of(const SourceLoc& loc) {
  return {loc.file ? *loc.file : std::string(), loc.line};
}

// The target's approximation warnings by policy line. The compiled text
// is thrown away: only what the target reports about the rules matters.
std::map<Line, std::vector<std::string>> approximations(const ir::Ruleset& rs,
                                                        const backend::BackendInfo& t) {
  DiagnosticEngine scratch;
  t.make()->compile(rs, scratch);
  std::map<Line, std::vector<std::string>> at;
  for (const auto& d : scratch.all()) {
    if (d.severity != Severity::warning || d.code != code::approximated || !d.loc.known()) continue;
    auto& messages = at[line_of(d.loc)];
    if (std::find(messages.begin(), messages.end(), d.message) == messages.end())
      messages.push_back(d.message);
  }
  return at;
}

class HostExplainView final : public backend::ExplainView {
 public:
  HostExplainView(const ir::Ruleset& rs, const backend::BackendInfo* target) : rs_(rs), target_(target) {
    if (target_ && !rs.input.meters.empty()) approximated_ = approximations(rs, *target_);
  }
  std::string text(const eval::Packet& pkt) const override;
  std::string json(const eval::Packet& pkt) const override;

 private:
  const std::vector<std::string>& warnings_at(const ir::Origin& meter) const {
    static const std::vector<std::string> none;
    auto it = meter.loc.known() ? approximated_.find(line_of(meter.loc)) : approximated_.end();
    return it == approximated_.end() ? none : it->second;
  }
  const ir::Ruleset& rs_;
  const backend::BackendInfo* target_;
  std::map<Line, std::vector<std::string>> approximated_;
};

std::string HostExplainView::text(const eval::Packet& pkt) const {
  const eval::Decision d = eval::explain(rs_, pkt);
  std::string out = backend::verdict_line(d.verdict, d.origin);
  out += "  evaluated for " + printable(rs_.selection) + "; stage: " + eval::stage_name(d.stage) +
         (d.logged ? "; logged" : "") + (pkt.published ? "; chain: " + d.chain : std::string()) + "\n";
  if (pkt.published && d.chain == "published")
    out += "  DNAT'd to a local container or pod: decided by chain 'published' with the input chain's rules "
           "on the port it was sent to\n";
  if (!d.origin.comment.empty()) out += "  comment: " + printable(d.origin.comment) + "\n";
  if (!d.via.empty()) out += "  source: " + printable(d.via) + "\n";
  if (d.synproxy)
    out += "  SYN proxy of " + printable(d.synproxy->label) + " at " + printable(d.synproxy->where()) +
           ": the SYN is answered by the kernel's SYN proxy; the connection reaches the listener once the "
           "handshake completes\n";
  for (size_t i = 0; i < d.meters.size(); ++i) {
    const ir::Origin& m = d.meters[i];
    if (d.meter_connections[i])
      out += "  connection-limited by " + printable(m.label) + " at " + printable(m.where()) +
             ": the new connection passes unless the source already holds " +
             std::to_string(d.meter_connections[i]) + "\n";
    else
      out += "  rate-limited by " + printable(m.label) + " at " + printable(m.where()) +
             ": new connections over the rate are refused\n";
    for (const auto& w : warnings_at(m))
      out += "  on " + std::string(target_->name) + ": " + printable(w) + "\n";
  }
  for (const auto& l : d.live_sets)
    out += "  unless its source is in live set '" + printable(l.name) + "' (" + printable(l.origin.label) + " at " +
           printable(l.origin.where()) + "; 'fwc blocked' lists it): then " + ir::verdict_name(l.action) + "\n";
  for (const auto& a : d.also) out += backend::also_allowed_line(a);
  return out;
}

std::string HostExplainView::json(const eval::Packet& pkt) const {
  const eval::Decision d = eval::explain(rs_, pkt);
  nlohmann::json meters = nlohmann::json::array();
  for (const auto& m : d.meters) meters.push_back(m.label);
  nlohmann::json out = {{"verdict", ir::verdict_name(d.verdict)},
                        {"rate_limited", !d.meters.empty()},
                        {"rule", d.origin.label},
                        {"stage", eval::stage_name(d.stage)},
                        {"location", backend::location(d.origin)},
                        {"logged", d.logged},
                        {"selection", rs_.selection},
                        {"meters", meters}};
  if (!d.live_sets.empty()) {
    nlohmann::json live = nlohmann::json::array();
    for (const auto& l : d.live_sets)
      live.push_back({{"set", l.name}, {"rule", l.origin.label}, {"action", ir::verdict_name(l.action)}});
    out["live_sets"] = live;
  }
  if (pkt.published) out["chain"] = d.chain;  // only then: the input chain decides the rest
  if (d.synproxy) out["synproxy"] = d.synproxy->label;  // only then, as `meters_approximated`
  if (!d.via.empty()) out["via"] = d.via;
  // Each meter the target leaves out or changes, with its warning (only
  // then: the host view of a target that keeps the meters is the policy's).
  nlohmann::json approximated = nlohmann::json::array();
  for (const auto& m : d.meters)
    for (const auto& w : warnings_at(m))
      approximated.push_back({{"meter", m.label}, {"code", code::approximated}, {"message", w}});
  if (!approximated.empty()) {
    out["target"] = target_->name;
    out["meters_approximated"] = approximated;
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

std::unique_ptr<backend::ExplainView> host_explain_view(const ir::Ruleset& rs,
                                                        const backend::BackendInfo* target) {
  return std::make_unique<HostExplainView>(rs, target);
}

}  // namespace fwc::cli
