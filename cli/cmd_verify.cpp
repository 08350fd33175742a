// fwc verify: probe one target address and compare what answers with what
// the policy says this vantage point should see.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "compiler/diag/printable.h"
#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"
#include "validator/prober/connect_scan.h"
#include "validator/prober/pcap_source.h"
#include "validator/prober/privileges.h"
#include "validator/prober/raw_sender.h"
#include "validator/prober/route.h"
#include "validator/prober/scanner.h"

namespace fwc::cli {

namespace {

namespace pr = prober;

struct VerifyOptions {
  std::string target, policy, ports = "policy", format = "text", user = "nobody";
  SelectionOptions selection;
  bool udp = false, connect_only = false;
  double rate = 10000;
  int retries = 2;
};

// Ports probed besides those the policy names: services commonly exposed
// by mistake, and both ends of the range.
constexpr uint16_t kSample[] = {1,    7,    21,   22,   23,   25,   53,    80,    110,   111,   123,
                                135,  139,  143,  161,  389,  443,  445,   465,   500,   587,   631,
                                993,  995,  1024, 1433, 1521, 1900, 2049,  2375,  2376,  2379,  3000,
                                3306, 3389, 4500, 5000, 5353, 5432, 5900,  6379,  6443,  8000,  8080,
                                8443, 8888, 9000, 9090, 9200, 10250, 11211, 27017, 49152, 65535};

// "22,80,1000-2000"; false on a bad list.
bool parse_port_list(const std::string& text, std::set<uint16_t>& out) {
  size_t i = 0;
  while (i <= text.size()) {
    size_t comma = text.find(',', i);
    std::string item = text.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
    size_t dash = item.find('-');
    try {
      size_t used = 0;
      long lo = std::stol(item.substr(0, dash), &used);
      if (used != item.substr(0, dash).size()) return false;
      long hi = lo;
      if (dash != std::string::npos) {
        std::string rest = item.substr(dash + 1);
        hi = std::stol(rest, &used);
        if (used != rest.size()) return false;
      }
      if (lo < 1 || hi > 65535 || lo > hi) return false;
      for (long p = lo; p <= hi; ++p) out.insert(uint16_t(p));
    } catch (const std::exception&) {
      return false;
    }
    if (comma == std::string::npos) break;
    i = comma + 1;
  }
  return !out.empty();
}

// Every port a range names when it is short; its ends and a spread of
// ports in between when it is long.
void add_range(std::set<uint16_t>& out, net::PortRange r) {
  unsigned n = unsigned(r.hi) - r.lo + 1;
  if (n <= 64) {
    for (unsigned p = r.lo; p <= r.hi; ++p) out.insert(uint16_t(p));
    return;
  }
  for (unsigned k = 0; k <= 32; ++k) out.insert(uint16_t(r.lo + (n - 1) * k / 32));
  out.insert(uint16_t(r.lo + 1));
  out.insert(uint16_t(r.hi - 1));
}

void add_portset(std::set<uint16_t>& tcp, std::set<uint16_t>& udp, const net::PortSet& ps) {
  if (ps.all) return;
  for (auto r : ps.tcp) add_range(tcp, r);
  for (auto r : ps.udp) add_range(udp, r);
}

void policy_ports(const ir::Ruleset& rs, const ir::Policy& p, std::set<uint16_t>& tcp, std::set<uint16_t>& udp) {
  const ir::Chain& c = rs.input;
  for (const auto& b : c.blocks)
    if (b.ports) add_portset(tcp, udp, *b.ports);
  for (const auto& m : c.meters) add_portset(tcp, udp, m.ports);
  for (const auto& a : c.allows) add_portset(tcp, udp, a.ports);
  for (const auto& o : c.otherwise) add_portset(tcp, udp, o.ports);
  add_portset(tcp, udp, p.defaults.ssh);
}

struct Row {
  pr::PortResult r;
  std::string expected;  // allowed | blocked | "" (no policy)
  std::string rule;
  std::string verdict;   // ok | warning | failure
  std::string note;
};

// A port the policy drops must be filtered: a reset or a port unreachable
// says the host's stack saw the probe, so nothing enforces the drop (no
// firewall at all answers exactly like that). A reject may answer either way.
void compare(Row& row, const eval::Decision& d) {
  const bool allowed = d.verdict == ir::Verdict::accept;
  const bool udp = row.r.proto == pr::L4::udp;
  row.expected = allowed ? "allowed" : "blocked";
  row.rule = d.origin.label;
  row.verdict = "ok";
  switch (row.r.state) {
    case pr::State::open:
      if (!allowed) row.verdict = "failure", row.note = "exposed: the policy blocks this port but it answers";
      break;
    case pr::State::closed:
      if (allowed) {
        row.verdict = "warning", row.note = "allowed, but nothing is listening";
      } else if (d.verdict == ir::Verdict::drop) {
        row.verdict = "failure";
        row.note = std::string("not filtered: the policy drops this port but the host answered with ") +
                   (udp ? "port unreachable" : "a reset");
      }
      break;
    case pr::State::filtered:
      if (allowed) row.verdict = "failure", row.note = "unreachable: the policy allows this port but it is filtered";
      break;
    case pr::State::open_filtered:
      if (allowed) row.note = "no answer: open or filtered, cannot tell";
      break;
    case pr::State::unknown: break;
  }
}

std::string port_str(const pr::PortResult& r) {
  return std::to_string(r.port) + (r.proto == pr::L4::tcp ? "/tcp" : "/udp");
}

struct Context {
  std::string target, source, method, policy, selection, note, privileges;
  bool with_policy = false;
  pr::ScanReport rep;
  std::vector<Row> rows;
};

void print_text(const Context& c) {
  std::printf("fwc verify %s from %s (%s)\n", c.target.c_str(), c.source.c_str(), c.method.c_str());
  if (!c.note.empty()) std::printf("note: %s\n", c.note.c_str());
  if (c.with_policy) std::printf("policy %s, %s\n", printable(c.policy).c_str(), printable(c.selection).c_str());
  // Long lists: only the rows worth reading, and a count of the rest.
  const bool all_rows = c.rows.size() <= 100;
  std::map<std::string, size_t> hidden;
  if (c.with_policy)
    std::printf("%-12s %-8s %-14s %-8s %s\n", "PORT", "EXPECTED", "OBSERVED", "VERDICT", "RULE / NOTE");
  else
    std::printf("%-12s %-14s %s\n", "PORT", "STATE", "REASON");
  for (const auto& row : c.rows) {
    const char* st = pr::state_name(row.r.state);
    bool boring = c.with_policy ? row.verdict == "ok" && row.expected == "blocked"
                                : row.r.state == pr::State::filtered || row.r.state == pr::State::open_filtered;
    if (!all_rows && boring) {
      ++hidden[st];
      continue;
    }
    if (c.with_policy)
      std::printf("%-12s %-8s %-14s %-8s %s%s%s\n", port_str(row.r).c_str(), row.expected.c_str(), st,
                  row.verdict.c_str(), printable(row.rule).c_str(), row.note.empty() ? "" : ": ",
                  printable(row.note).c_str());
    else
      std::printf("%-12s %-14s %s\n", port_str(row.r).c_str(), st, row.r.reason.c_str());
  }
  for (auto& [st, n] : hidden)
    std::printf("not shown: %zu %s port%s%s\n", n, st.c_str(), n == 1 ? "" : "s",
                c.with_policy ? " the policy blocks" : "");
  size_t fail = 0, warn = 0;
  for (const auto& row : c.rows) fail += row.verdict == "failure", warn += row.verdict == "warning";
  std::printf("%zu ports in %.2f s, %zu probes sent", c.rows.size(),
              std::chrono::duration<double>(c.rep.elapsed).count(), c.rep.sent);
  if (c.with_policy) std::printf(": %zu failures, %zu warnings", fail, warn);
  std::printf("\n");
  size_t unfiltered = 0;
  for (const auto& row : c.rows) unfiltered += row.note.starts_with("not filtered");
  if (unfiltered)
    std::printf("%zu port%s the policy drops answered closed: no firewall enforces the drop "
                "(is the ruleset loaded?)\n",
                unfiltered, unfiltered == 1 ? "" : "s");
}

// Streams the report: a full sweep has 65,535 rows, and building them as
// one JSON tree first costs more than the scan. Keys in sorted order, as
// nlohmann::json writes them.
void print_json(const Context& c) {
  using nlohmann::json;
  size_t fail = 0, warn = 0;
  for (const auto& row : c.rows) fail += row.verdict == "failure", warn += row.verdict == "warning";
  json head = {{"target", c.target},
               {"source", c.source},
               {"method", c.method},
               {"elapsed", std::chrono::duration<double>(c.rep.elapsed).count()},
               {"sent", c.rep.sent}};
  if (c.with_policy) {
    head["policy"] = c.policy;
    head["selection"] = c.selection;
    head["failures"] = fail;
    head["warnings"] = warn;
  }
  if (!c.note.empty()) head["note"] = c.note;
  head["privileges"] = c.privileges;
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
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fputc('\n', stdout);
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

void print_junit(const Context& c) {
  size_t fail = 0;
  for (const auto& row : c.rows) fail += row.verdict == "failure";
  std::string suite = "fwc verify " + c.target;
  std::printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  std::printf("<testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
              xml(suite).c_str(), c.rows.size(), fail, std::chrono::duration<double>(c.rep.elapsed).count());
  for (const auto& row : c.rows) {
    std::string text = std::string(pr::state_name(row.r.state)) + " (" + row.r.reason + ")";
    if (c.with_policy) text = "expected " + row.expected + " by " + row.rule + "; observed " + text;
    std::printf("  <testcase classname=\"%s\" name=\"%s\">", xml("fwc.verify." + c.target).c_str(),
                port_str(row.r).c_str());
    if (row.verdict == "failure")
      std::printf("<failure message=\"%s\">%s</failure>", xml(row.note).c_str(), xml(text).c_str());
    else
      std::printf("<system-out>%s%s%s</system-out>", xml(text).c_str(), row.note.empty() ? "" : "; ",
                  xml(row.note).c_str());
    std::printf("</testcase>\n");
  }
  std::printf("</testsuite>\n");
}

std::function<void(size_t, size_t)> progress_line() {
  if (!isatty(STDERR_FILENO)) return {};
  auto start = std::chrono::steady_clock::now();
  return [start](size_t done, size_t total) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "\r\033[Kprobing: %zu/%zu ports done (%.0f%%), %.1f s", done, total,
                 total ? 100.0 * double(done) / double(total) : 100.0, secs);
    std::fflush(stderr);
  };
}

// The target and the rate, refused with a message before any socket is
// opened when they are not one host and a sane packet rate.
std::optional<pr::IpAddr> checked_target(const VerifyOptions& o) {
  auto target = pr::IpAddr::parse(o.target);
  if (!target) {
    std::fprintf(stderr, "fwc: '%s' is not an IP address (verify probes one address, by number)\n",
                 o.target.c_str());
    return std::nullopt;
  }
  std::string problem = pr::target_problem(*target);
  if (problem.empty() && pr::is_local_broadcast(*target))
    problem = "the broadcast address of a local network";
  if (!problem.empty()) {
    std::fprintf(stderr, "fwc: will not probe %s: %s (verify probes one host)\n", target->str().c_str(),
                 problem.c_str());
    return std::nullopt;
  }
  if (std::string bad_rate = pr::rate_problem(o.rate); !bad_rate.empty()) {
    std::fprintf(stderr, "fwc: %s\n", bad_rate.c_str());
    return std::nullopt;
  }
  return target;
}

int run_verify(const VerifyOptions& o) {
  auto target = checked_target(o);
  if (!target) return Exit::bad_input;
  const bool with_policy = !o.policy.empty();
  if (!with_policy && (!o.selection.node.empty() || !o.selection.role.empty())) {
    std::fprintf(stderr, "fwc: --node and --role need a policy (-p)\n");
    return Exit::bad_input;
  }

  std::optional<ir::Policy> policy;
  ir::Ruleset rs;
  if (with_policy) {
    DiagnosticEngine diags;
    policy = compile_policy(o.policy, diags, false);
    ir::Selection sel = o.selection.get();
    if (policy) ir::validate_selection(*policy, sel, diags);
    if (diags.has_errors()) {
      print_diagnostics(diags, stderr);
      return Exit::bad_input;
    }
    rs = ir::select(*policy, sel);
  }

  std::set<uint16_t> tcp, udp;
  if (o.ports == "all") {
    for (unsigned p = 1; p <= 65535; ++p) tcp.insert(uint16_t(p));
    udp = tcp;
  } else if (o.ports == "policy") {
    if (with_policy) policy_ports(rs, *policy, tcp, udp);
    else
      for (unsigned p = 1; p <= 1024; ++p) tcp.insert(uint16_t(p)), udp.insert(uint16_t(p));
    tcp.insert(std::begin(kSample), std::end(kSample));
    udp.insert(std::begin(kSample), std::end(kSample));
  } else if (parse_port_list(o.ports, tcp)) {
    udp = tcp;
  } else {
    std::fprintf(stderr, "fwc: --ports '%s': want policy, all, or a list like 22,80,8000-8100\n", o.ports.c_str());
    return Exit::bad_input;
  }
  if (!o.udp) udp.clear();

  std::string err;
  auto source = pr::source_for(*target, err);
  if (!source) {
    std::fprintf(stderr, "fwc: %s\n", err.c_str());
    return Exit::runtime_failure;
  }

  Context c;
  c.target = target->str();
  c.source = source->str();
  c.with_policy = with_policy;
  std::vector<uint16_t> tcp_list(tcp.begin(), tcp.end()), udp_list(udp.begin(), udp.end());

  pr::RawSender sender;
  pr::PcapSource capture;
  pr::PortReservation reservation;
  pr::ScanOptions so;
  so.key = pr::CookieKey::random();
  bool raw = !o.connect_only && sender.open(*target);
  if (!o.connect_only && !raw && sender.errno_ != EPERM && sender.errno_ != EACCES) {
    std::fprintf(stderr, "fwc: %s\n", sender.error.c_str());
    return Exit::runtime_failure;
  }
  if (raw) {
    so.source_port = reservation.reserve(*source, pr::default_source_port(so.key));
    std::string dev = pr::device_for(*source, *target);
    if (!so.source_port) {
      std::fprintf(stderr, "fwc: no free source port for the probes\n");
      return Exit::runtime_failure;
    }
    if (dev.empty() || !capture.open(dev, *source, *target, so.source_port)) {
      std::fprintf(stderr, "fwc: cannot capture replies: %s\n",
                   dev.empty() ? "no interface holds the source address" : capture.error.c_str());
      return Exit::runtime_failure;
    }
  }
  // Nothing from here on needs privileges: the sockets are open.
  pr::Privileges priv = pr::drop_privileges(o.user);
  if (!priv.ok) {
    std::fprintf(stderr, "fwc: cannot drop privileges after opening the sockets: %s\n", priv.error.c_str());
    return Exit::runtime_failure;
  }
  c.privileges = priv.done;
  if (raw) {
    c.method = o.udp ? "raw SYN and UDP scan" : "raw SYN scan";
    so.source = *source;
    so.target = *target;
    so.tcp_ports = tcp_list;
    so.udp_ports = udp_list;
    so.rate = o.rate;
    so.retries = o.retries;
    so.progress = progress_line();
    pr::SystemClock clock;
    c.rep = pr::scan(so, sender, capture, clock);
  } else {
    c.method = "connect() scan";
    c.note = o.connect_only ? "connect() scan as asked: ICMP details are not visible"
                            : "not privileged for raw sockets (needs CAP_NET_RAW): fell back to a connect() "
                              "scan, which sees less (ICMP details are reduced to an error number)";
    pr::ConnectOptions co;
    co.target = *target;
    co.tcp_ports = tcp_list;
    co.udp_ports = udp_list;
    co.rate = o.rate;
    co.retries = std::min(o.retries, 1);
    co.progress = progress_line();
    c.rep = pr::connect_scan(co);
  }
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K");
  if (!c.rep.error.empty()) {
    std::fprintf(stderr, "fwc: %s\n", c.rep.error.c_str());
    return Exit::runtime_failure;
  }
  if (c.rep.timed_out)
    c.note += std::string(c.note.empty() ? "" : "; ") + "the run-time bound ended the scan early";

  net::Address vantage;
  if (with_policy && !net::parse_address(c.source, vantage)) return Exit::runtime_failure;
  if (with_policy) {
    c.policy = o.policy;
    c.selection = rs.selection;
  }
  bool failed = false;
  c.rows.reserve(c.rep.ports.size());
  for (auto& r : c.rep.ports) {
    Row row{std::move(r), "", "", "", ""};
    if (with_policy) {
      eval::Packet pkt{vantage, r.proto == pr::L4::tcp ? net::Proto::tcp : net::Proto::udp, r.port};
      compare(row, eval::explain(rs, pkt));
      failed |= row.verdict == "failure";
    }
    c.rows.push_back(std::move(row));
  }
  if (o.format == "json") print_json(c);
  else if (o.format == "junit") print_junit(c);
  else print_text(c);
  return failed ? Exit::findings : Exit::ok;
}

}  // namespace

Run setup_verify(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  app.add_option("target", o->target, "The address to probe (one IPv4 or IPv6 address)")->required();
  app.add_option("-p,--policy", o->policy, "Compare with what this policy allows from here");
  o->selection.add_to(app, "With -p: the target is this node of the policy",
                       "With -p: the target is a node with this role");
  app.add_option("--ports", o->ports, "policy (default), all, or a list like 22,80,8000-8100");
  app.add_flag("--udp", o->udp, "Probe UDP ports too");
  app.add_option("--rate", o->rate, "Packets per second at most (default 10000, at most 1000000)");
  app.add_option("--retries", o->retries, "Probes repeated for ports that do not answer (default 2)")
      ->check(CLI::Range(0, 10));
  app.add_flag("--connect", o->connect_only, "Use connect() instead of raw packets");
  app.add_option("--user", o->user, "Run as this user once the sockets are open (default nobody)");
  app.add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json", "junit"}));
  return [o] { return run_verify(*o); };
}

}  // namespace fwc::cli
