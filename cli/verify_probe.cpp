#include "cli/verify_probe.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>

#include "cli/commands.h"
#include "validator/prober/connect_scan.h"
#include "validator/prober/privileges.h"

namespace fwc::cli::verify {

namespace {

namespace pr = prober;

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

// Opens the raw sockets unless asked for connect(); an unprivileged
// failure leaves them closed (connect() then), any other is an error.
int open_raw(const pr::IpAddr& source, const pr::IpAddr& target, const ProbeSettings& s, pr::ScanOptions& so,
             RawSockets& raw, std::string& error) {
  raw.open = !s.connect_only && raw.sender.open(target);
  if (!s.connect_only && !raw.open && raw.sender.errno_ != EPERM && raw.sender.errno_ != EACCES) {
    error = raw.sender.error;
    return Exit::runtime_failure;
  }
  if (!raw.open) return Exit::ok;
  so.source_port = raw.reservation.reserve(source, pr::default_source_port(so.key));
  std::string dev = pr::device_for(source, target);
  if (!so.source_port) {
    error = "no free source port for the probes";
    return Exit::runtime_failure;
  }
  if (dev.empty() || !raw.capture.open(dev, source, target, so.source_port)) {
    error = "cannot capture replies: ";
    error += dev.empty() ? "no interface holds the source address" : raw.capture.error;
    return Exit::runtime_failure;
  }
  return Exit::ok;
}

void raw_scan(const PortPlan& ports, const ProbeSettings& s, PreparedProbe& p, ProbeRun& out) {
  out.method = s.udp ? "raw SYN and UDP scan" : "raw SYN scan";
  pr::ScanOptions& so = p.so;
  so.source = p.source;
  so.target = p.target;
  so.tcp_ports = ports.tcp;
  so.udp_ports = ports.udp;
  so.rate = s.rate;
  so.retries = s.retries;
  so.max_runtime = s.max_runtime;
  so.shared_rate = s.shared_rate;
  if (s.progress) so.progress = progress_line();
  pr::SystemClock clock;
  out.rep = pr::scan(so, p.raw->sender, p.raw->capture, clock);
}

void connect_scan(const pr::IpAddr& target, const PortPlan& ports, const ProbeSettings& s, ProbeRun& out) {
  out.method = "connect() scan";
  out.note = s.connect_only ? "connect() scan as asked: ICMP details are not visible"
                            : "not privileged for raw sockets (needs CAP_NET_RAW): fell back to a connect() "
                              "scan, which sees less (ICMP details are reduced to an error number)";
  pr::ConnectOptions co;
  co.target = target;
  co.tcp_ports = ports.tcp;
  co.udp_ports = ports.udp;
  co.rate = s.rate;
  co.retries = std::min(s.retries, 1);
  co.shared_rate = s.shared_rate;
  if (s.progress) co.progress = progress_line();
  out.rep = pr::connect_scan(co);
}

}  // namespace

std::string unprobeable(const pr::IpAddr& target) {
  std::string problem = pr::target_problem(target);
  if (problem.empty() && pr::is_local_broadcast(target)) problem = "the broadcast address of a local network";
  return problem;
}

std::optional<pr::IpAddr> checked_target(const std::string& text, double rate) {
  auto target = pr::IpAddr::parse(text);
  if (!target) {
    std::fprintf(stderr, "fwc: '%s' is not an IP address (verify probes one address, by number)\n",
                 text.c_str());
    return std::nullopt;
  }
  std::string problem = unprobeable(*target);
  if (!problem.empty()) {
    std::fprintf(stderr, "fwc: will not probe %s: %s (verify probes one host)\n", target->str().c_str(),
                 problem.c_str());
    return std::nullopt;
  }
  if (std::string bad_rate = pr::rate_problem(rate); !bad_rate.empty()) {
    std::fprintf(stderr, "fwc: %s\n", bad_rate.c_str());
    return std::nullopt;
  }
  return target;
}

int prepare_probe(const pr::IpAddr& target, const ProbeSettings& s, PreparedProbe& p, std::string& error) {
  auto source = pr::source_for(target, error);
  if (!source) return Exit::runtime_failure;
  p.target = target;
  p.source = *source;
  p.so.key = pr::CookieKey::random();
  return open_raw(p.source, target, s, p.so, *p.raw, error);
}

int run_probe(PreparedProbe& p, const PortPlan& ports, const ProbeSettings& s, ProbeRun& out,
              std::string& error) {
  out.source = p.source.str();
  if (p.raw->open)
    raw_scan(ports, s, p, out);
  else
    connect_scan(p.target, ports, s, out);
  if (s.progress && isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K");
  if (!out.rep.error.empty()) {
    error = out.rep.error;
    return Exit::runtime_failure;
  }
  if (out.rep.timed_out)
    out.note += std::string(out.note.empty() ? "" : "; ") + "the run-time bound ended the scan early";
  return Exit::ok;
}

int probe(const pr::IpAddr& target, const PortPlan& ports, const ProbeSettings& s, ProbeRun& out) {
  std::string error;
  PreparedProbe p;
  int rc = prepare_probe(target, s, p, error);
  if (rc == Exit::ok) {
    // Nothing from here on needs privileges: the sockets are open.
    pr::Privileges priv = pr::drop_privileges(s.user);
    if (!priv.ok) {
      std::fprintf(stderr, "fwc: cannot drop privileges after opening the sockets: %s\n", priv.error.c_str());
      return Exit::runtime_failure;
    }
    out.privileges = priv.done;
    rc = run_probe(p, ports, s, out, error);
  }
  if (rc != Exit::ok) std::fprintf(stderr, "fwc: %s\n", error.c_str());
  return rc;
}

}  // namespace fwc::cli::verify
