#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::cli {

namespace {

struct ExplainOptions {
  std::string policy, from, port, format = "text";
  SelectionOptions selection;
};

bool parse_packet(const ExplainOptions& o, eval::Packet& pkt) {
  if (!net::parse_address(o.from, pkt.src)) {
    std::fprintf(stderr, "fwc: --from '%s' is not an IP address\n", o.from.c_str());
    return false;
  }
  net::PortSpecParse p = net::parse_port_spec(o.port);
  if (p.status != net::PortSpecStatus::ok || p.range.lo != p.range.hi) {
    std::fprintf(stderr, "fwc: --port '%s' must be one port with its protocol, like 443/tcp\n", o.port.c_str());
    return false;
  }
  pkt.proto = p.proto;
  pkt.port = p.range.lo;
  return true;
}

std::string location(const ir::Origin& o) { return o.loc.known() ? o.loc.str() : std::string(); }

void print_text(const eval::Decision& d, const ir::Ruleset& rs) {
  std::printf("%s  (%s", ir::verdict_name(d.verdict), d.origin.label.c_str());
  if (d.origin.loc.known()) std::printf(" at %s", d.origin.where().c_str());
  std::printf(")\n");
  std::printf("  evaluated for %s; stage: %s%s\n", rs.selection.c_str(), eval::stage_name(d.stage),
              d.logged ? "; logged" : "");
  if (!d.origin.comment.empty()) std::printf("  comment: %s\n", d.origin.comment.c_str());
  for (const auto& m : d.meters)
    std::printf("  rate-limited by %s at %s: new connections over the rate are refused\n", m.label.c_str(),
                m.where().c_str());
  for (const auto& a : d.also) std::printf("  also allowed by %s at %s\n", a.label.c_str(), a.where().c_str());
}

void print_json(const eval::Decision& d, const ir::Ruleset& rs) {
  nlohmann::json meters = nlohmann::json::array();
  for (const auto& m : d.meters) meters.push_back(m.label);
  nlohmann::json out = {{"verdict", ir::verdict_name(d.verdict)},
                        {"rate_limited", !d.meters.empty()},
                        {"rule", d.origin.label},
                        {"stage", eval::stage_name(d.stage)},
                        {"location", location(d.origin)},
                        {"logged", d.logged},
                        {"selection", rs.selection},
                        {"meters", meters}};
  std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

int run_explain(const ExplainOptions& o) {
  eval::Packet pkt;
  if (!parse_packet(o, pkt)) return Exit::bad_input;
  DiagnosticEngine diags;
  auto policy = compile_policy(o.policy, diags, false);
  ir::Selection sel = o.selection.get();
  if (policy) ir::validate_selection(*policy, sel, diags);
  if (diags.has_errors()) {
    print_diagnostics(diags, stderr);
    return Exit::bad_input;
  }
  ir::Ruleset rs = ir::select(*policy, sel);
  eval::Decision d = eval::explain(rs, pkt);
  if (o.format == "json") print_json(d, rs);
  else print_text(d, rs);
  return Exit::ok;
}

}  // namespace

Run setup_explain(CLI::App& app) {
  auto o = std::make_shared<ExplainOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_option("--from", o->from, "Source address of the packet")->required();
  app.add_option("--port", o->port, "Destination port and protocol, like 443/tcp")->required();
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  o->selection.add_to(app);
  return [o] { return run_explain(*o); };
}

}  // namespace fwc::cli
