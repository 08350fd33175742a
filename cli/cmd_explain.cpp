#include <sstream>

#include "backends/backend.h"
#include "backends/explain_view.h"
#include "cli/commands.h"
#include "cli/explain_host_view.h"
#include "cli/ruleset_loader.h"
#include "compiler/eval/explain.h"
#include "cli/name_cache.h"
#include "cli/coexist_report.h"
#include "cli/apply_common.h"

namespace fwc::cli {

namespace {

struct ExplainOptions {
  std::string policy, from, port, format = "text", target;
  bool batch = false;
  bool live = false;
  bool published = false;
  SelectionOptions selection;
};

// --live: the other base chains this host's input hook passes the packet
// through, read from the kernel.
int explain_others(const eval::Packet& p) {
  nft::netlink::Session s;
  if (!s.ok()) return applying::fail(s.error());
  coexist::Report others;
  nft::netlink::Outcome err;
  if (!coexist::read(s, others, err)) return applying::fail(err);
  if (!coexist::print_explain(s, others, p, stdout, err)) return applying::fail(err);
  return Exit::ok;
}

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

// The view of `target` (the host view without one); nullptr, after the
// reason, when the target is unknown or cannot hold the ruleset.
std::unique_ptr<backend::ExplainView> view_for(const backend::BackendInfo* target, const ir::Ruleset& rs) {
  if (!target) return host_explain_view(rs);
  DiagnosticEngine lowering;
  auto view = target->make()->explain_view(rs, lowering);
  if (lowering.has_errors()) {
    print_diagnostics(lowering, stderr);
    return nullptr;
  }
  return view ? std::move(view) : host_explain_view(rs, target);
}

int run_explain(const ExplainOptions& o) {
  eval::Packet pkt;
  if (!o.batch && (o.from.empty() || o.port.empty())) {
    std::fprintf(stderr, "fwc: explain needs --from and --port, or --batch\n");
    return Exit::bad_input;
  }
  if (!o.batch && !parse_packet(o.from, o.port, "", pkt)) return Exit::bad_input;
  if (o.live && o.format == "json") {
    std::fprintf(stderr, "fwc: --live reports as text only: drop --format json\n");
    return Exit::bad_input;
  }
  const backend::BackendInfo* target = o.target.empty() ? nullptr : backend::find_backend(o.target);
  if (!o.target.empty() && !target) {
    std::fprintf(stderr, "fwc: unknown target '%s' (see 'fwc targets')\n", o.target.c_str());
    return Exit::bad_input;
  }
  DiagnosticEngine diags;
  HostNames hosts("");
  auto loaded = load_rules(o.policy, {o.selection.get(), target && target->cloud, nullptr, hosts.options()}, diags);
  if (std::string ignored; loaded) hosts.save(ignored);  // best effort: explain may run unprivileged
  if (!loaded) return Exit::bad_input;
  auto view = view_for(target, loaded->ruleset());
  if (!view) return Exit::bad_input;
  auto answer = [&](eval::Packet p) {
    p.published = o.published;
    std::string text = o.format == "json" ? view->json(p) : view->text(p);
    std::fwrite(text.data(), 1, text.size(), stdout);
  };
  if (o.batch) return answer_lines(answer);
  answer(pkt);
  return o.live ? explain_others(pkt) : Exit::ok;
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
  app.add_flag("--published", o->published,
               "The packet was sent to one of this host's addresses and DNAT'd to a local container or pod (a "
               "published port, a NodePort); --port is the port it was sent to");
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  app.add_option("-t,--target", o->target,
                 "Explain what this target's output implies (a cloud target: its payload; a host target: the "
                 "meters it leaves out)")
      ->type_name(target_type_name());
  app.add_flag("--live", o->live,
               "Also list the other firewalls' base chains on this host's input hook, and their verdict where "
               "fwc can evaluate it")
      ->excludes("--batch");
  o->selection.add_to(app, "Evaluate the packet as this node of the policy receives it",
                       "Evaluate the packet as a node with this role receives it");
  return [o] { return run_explain(*o); };
}

}  // namespace fwc::cli
