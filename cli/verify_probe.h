#pragma once
#include <memory>
#include <optional>
#include <string>

#include "cli/verify_plan.h"
#include "validator/prober/packet.h"
#include "validator/prober/pcap_source.h"
#include "validator/prober/raw_sender.h"
#include "validator/prober/route.h"
#include "validator/prober/scanner.h"

// `fwc verify`: the probes. Raw SYN (and UDP) probes with the replies
// captured when the sockets can be opened, connect() otherwise.
namespace fwc::cli::verify {

struct ProbeSettings {
  bool udp = false, connect_only = false;
  double rate = 10000;
  int retries = 2;
  std::string user = "nobody";  // who the scan runs as once the sockets are open
  // `verify --all`: the budget all targets share, a bound on each scan's
  // run time (0: the scanner's own), and no progress line per target.
  prober::SharedRate* shared_rate = nullptr;
  prober::Duration max_runtime{0};
  bool progress = true;
};

struct ProbeRun {
  std::string source, method, note, privileges;
  prober::ScanReport rep;
};

// The target and the rate, refused with a message before any socket is
// opened when they are not one host and a sane packet rate.
std::optional<prober::IpAddr> checked_target(const std::string& target, double rate);

// Why `target` is not one host to probe (a network's or broadcast
// address, ...): empty when it is.
std::string unprobeable(const prober::IpAddr& target);

// The raw probes' sockets, opened while still privileged.
struct RawSockets {
  prober::RawSender sender;
  prober::PcapSource capture;
  prober::PortReservation reservation;
  bool open = false;
};

// One target's sockets, opened while privileged; the scan runs later,
// after the privileges are dropped once for every target.
struct PreparedProbe {
  prober::IpAddr target, source;
  std::unique_ptr<RawSockets> raw = std::make_unique<RawSockets>();
  prober::ScanOptions so;
};

// Opens the sockets that probe `target`: raw ones unless asked for
// connect() or not privileged for them. Exit::ok, or the exit status with
// `error` saying why not.
int prepare_probe(const prober::IpAddr& target, const ProbeSettings& s, PreparedProbe& p, std::string& error);

// Probes `ports` through the sockets `p` holds. Exit::ok, or the exit
// status with `error` saying why the scan failed.
int run_probe(PreparedProbe& p, const PortPlan& ports, const ProbeSettings& s, ProbeRun& out,
              std::string& error);

// Probes `ports` of `target`. Returns Exit::ok, or the exit status after
// saying why the scan could not run.
int probe(const prober::IpAddr& target, const PortPlan& ports, const ProbeSettings& s, ProbeRun& out);

}  // namespace fwc::cli::verify
