#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "backends/backend.h"
#include "backends/cloud/cloud_model.h"
#include "cli/commands.h"
#include "compiler/diag/printable.h"
#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::cli {

namespace {

struct ExplainOptions {
  std::string policy, from, port, format = "text", target;
  bool batch = false;
  SelectionOptions selection;
};

// `where` names the input in the message: "--from" / "--port", or a line of
// standard input in batch mode.
bool parse_packet(const std::string& from, const std::string& port, const std::string& where,
                  eval::Packet& pkt) {
  if (!net::parse_peer_address(from, pkt.src)) {
    std::fprintf(stderr, "fwc: %s'%s' is not an IP address\n", where.empty() ? "--from " : where.c_str(),
                 from.c_str());
    return false;
  }
  net::PortSpecParse p = net::parse_port_spec(port);
  if (p.status != net::PortSpecStatus::ok || p.range.lo != p.range.hi) {
    std::fprintf(stderr, "fwc: %s'%s' must be one port with its protocol, like 443/tcp\n",
                 where.empty() ? "--port " : where.c_str(), port.c_str());
    return false;
  }
  pkt.proto = p.proto;
  pkt.port = p.range.lo;
  return true;
}

std::string location(const ir::Origin& o) { return o.loc.known() ? o.loc.str() : std::string(); }

void print_text(const eval::Decision& d, const ir::Ruleset& rs) {
  std::printf("%s  (%s", ir::verdict_name(d.verdict), printable(d.origin.label).c_str());
  if (d.origin.loc.known()) std::printf(" at %s", printable(d.origin.where()).c_str());
  std::printf(")\n");
  std::printf("  evaluated for %s; stage: %s%s\n", printable(rs.selection).c_str(), eval::stage_name(d.stage),
              d.logged ? "; logged" : "");
  if (!d.origin.comment.empty()) std::printf("  comment: %s\n", printable(d.origin.comment).c_str());
  for (const auto& m : d.meters)
    std::printf("  rate-limited by %s at %s: new connections over the rate are refused\n",
                printable(m.label).c_str(), printable(m.where()).c_str());
  for (const auto& a : d.also)
    std::printf("  also allowed by %s at %s\n", printable(a.label).c_str(), printable(a.where()).c_str());
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

// The cloud view: what the target's payload implies (cloud firewalls only
// allow; a packet no payload rule admits is dropped).
struct CloudView {
  cloud::Decision d;
  const cloud::Group* g;
  ir::Origin origin() const {
    if (d.rule) return d.rule->origins.front();
    return {std::string(cloud::provider_name(g->provider)) + " default", {}, {}, {}};
  }
};

void print_cloud_text(const CloudView& v) {
  const ir::Origin o = v.origin();
  const char* target = cloud::provider_name(v.g->provider);
  std::printf("%s  (%s", ir::verdict_name(v.d.verdict), printable(o.label).c_str());
  if (o.loc.known()) std::printf(" at %s", printable(o.where()).c_str());
  std::printf(")\n");
  std::printf("  evaluated for %s on %s, group %s; stage: %s\n", printable(v.g->selection).c_str(), target,
              printable(v.g->name).c_str(), v.d.rule ? "allow" : "default");
  if (!v.d.rule) {
    std::printf("  no payload rule admits the packet: cloud firewalls drop what they do not allow\n");
    return;
  }
  if (!o.comment.empty()) std::printf("  comment: %s\n", printable(o.comment).c_str());
  std::printf("  payload rule: inbound %s, admitting %s\n", printable(v.d.rule->what()).c_str(),
              printable(v.d.via).c_str());
  if (v.d.assumed)
    std::printf(
        "  the provider decides %s by membership; explain takes the addresses of network '%s' as its "
        "members\n",
        printable(v.d.via).c_str(), printable(v.d.network).c_str());
  for (size_t i = 1; i < v.d.rule->origins.size(); ++i)
    std::printf("  also allowed by %s at %s\n", printable(v.d.rule->origins[i].label).c_str(),
                printable(v.d.rule->origins[i].where()).c_str());
}

void print_cloud_json(const CloudView& v) {
  const ir::Origin o = v.origin();
  nlohmann::json out = {{"verdict", ir::verdict_name(v.d.verdict)},
                        {"rate_limited", false},
                        {"rule", o.label},
                        {"stage", v.d.rule ? "allow" : "default"},
                        {"location", location(o)},
                        {"logged", false},
                        {"selection", v.g->selection},
                        {"meters", nlohmann::json::array()},
                        {"target", cloud::provider_name(v.g->provider)},
                        {"group", v.g->name},
                        {"payload_rule", v.d.rule ? "inbound " + v.d.rule->what() : std::string()},
                        {"via", v.d.via}};
  std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// Batch mode: one "ADDRESS PORT/PROTO" per line of standard input (blank
// lines and # comments skipped), one answer per line, the policy compiled
// once. Stops at the first line that is not a packet.
template <typename Answer>
int answer_lines(Answer answer) {
  char buf[512];
  for (unsigned line = 1; std::fgets(buf, sizeof buf, stdin); ++line) {
    std::istringstream words(buf);
    std::string from, port, extra;
    if (!(words >> from) || from[0] == '#') continue;
    eval::Packet pkt;
    std::string where = "standard input line " + std::to_string(line) + ": ";
    if (!(words >> port) || (words >> extra)) {
      std::fprintf(stderr, "fwc: %swrite ADDRESS PORT/PROTO, like 203.0.113.7 443/tcp\n", where.c_str());
      return Exit::bad_input;
    }
    if (!parse_packet(from, port, where, pkt)) return Exit::bad_input;
    answer(pkt);
    std::fflush(stdout);
  }
  return Exit::ok;
}

int run_explain(const ExplainOptions& o) {
  eval::Packet pkt;
  if (!o.batch && (o.from.empty() || o.port.empty())) {
    std::fprintf(stderr, "fwc: explain needs --from and --port, or --batch\n");
    return Exit::bad_input;
  }
  if (!o.batch && !parse_packet(o.from, o.port, "", pkt)) return Exit::bad_input;
  // Host targets all share the default view; cloud targets have their own.
  auto provider = cloud::provider_named(o.target);
  if (!o.target.empty() && !provider && !backend::find_backend(o.target)) {
    std::fprintf(stderr, "fwc: unknown target '%s' (see 'fwc targets')\n", o.target.c_str());
    return Exit::bad_input;
  }
  DiagnosticEngine diags;
  auto policy = compile_policy(o.policy, diags, false);
  if (provider) diags.drop_warnings(code::no_host_addrs);
  ir::Selection sel = o.selection.get();
  if (policy) ir::validate_selection(*policy, sel, diags);
  if (diags.has_errors()) {
    print_diagnostics(diags, stderr);
    return Exit::bad_input;
  }
  ir::Ruleset rs = ir::select(*policy, sel);
  std::optional<cloud::Group> group;
  if (provider) {
    DiagnosticEngine lowering;
    group = cloud::lower(rs, *provider, lowering);
    if (!group) {
      print_diagnostics(lowering, stderr);
      return Exit::bad_input;
    }
  }
  const bool json = o.format == "json";
  auto answer = [&](const eval::Packet& p) {
    if (group) {
      CloudView v{cloud::explain(*group, p), &*group};
      json ? print_cloud_json(v) : print_cloud_text(v);
    } else {
      eval::Decision d = eval::explain(rs, p);
      json ? print_json(d, rs) : print_text(d, rs);
    }
  };
  if (o.batch) return answer_lines(answer);
  answer(pkt);
  return Exit::ok;
}

}  // namespace

Run setup_explain(CLI::App& app) {
  auto o = std::make_shared<ExplainOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  auto from = app.add_option("--from", o->from, "Source address of the packet");
  auto port = app.add_option("--port", o->port, "Destination port and protocol, like 443/tcp");
  app.add_flag("--batch", o->batch,
               "Read packets from standard input, one 'ADDRESS PORT/PROTO' per line; one answer per line")
      ->excludes(from)
      ->excludes(port);
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  app.add_option("-t,--target", o->target,
                 "Explain what this target's output implies (digitalocean, aws, hetzner: the cloud payload)")
      ->type_name(target_type_name());
  o->selection.add_to(app, "Evaluate the packet as this node of the policy receives it",
                       "Evaluate the packet as a node with this role receives it");
  return [o] { return run_explain(*o); };
}

}  // namespace fwc::cli
