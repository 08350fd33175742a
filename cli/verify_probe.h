#pragma once
#include <optional>
#include <string>

#include "cli/verify_plan.h"
#include "validator/prober/packet.h"
#include "validator/prober/scanner.h"

// `fwc verify`: the probes. Raw SYN (and UDP) probes with the replies
// captured when the sockets can be opened, connect() otherwise.
namespace fwc::cli::verify {

struct ProbeSettings {
  bool udp = false, connect_only = false;
  double rate = 10000;
  int retries = 2;
  std::string user = "nobody";  // who the scan runs as once the sockets are open
};

struct ProbeRun {
  std::string source, method, note, privileges;
  prober::ScanReport rep;
};

// The target and the rate, refused with a message before any socket is
// opened when they are not one host and a sane packet rate.
std::optional<prober::IpAddr> checked_target(const std::string& target, double rate);

// Probes `ports` of `target`. Returns Exit::ok, or the exit status after
// saying why the scan could not run.
int probe(const prober::IpAddr& target, const PortPlan& ports, const ProbeSettings& s, ProbeRun& out);

}  // namespace fwc::cli::verify
