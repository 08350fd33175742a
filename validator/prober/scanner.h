#pragma once
// The raw-packet scanner: TCP SYN and UDP probes of one target address,
// stateless reply matching (cookie.h), retransmission of unanswered probes
// with an RTT-adaptive timeout, and a packets-per-second cap.
#include <functional>
#include <string>
#include <vector>

#include "validator/prober/cookie.h"
#include "validator/prober/io.h"

namespace fwc::prober {

class SharedRate;

enum class State : uint8_t { unknown, open, closed, filtered, open_filtered };
const char* state_name(State s);  // open, closed, filtered, open|filtered

struct PortResult {
  uint16_t port = 0;
  L4 proto = L4::tcp;
  State state = State::unknown;
  std::string reason;  // syn-ack, reset, udp-response, port-unreach, "icmp 3/13 from ADDR", no-response
  int attempts = 0;    // probes sent
};

struct ScanOptions {
  IpAddr source, target;
  std::vector<uint16_t> tcp_ports, udp_ports;
  double rate = 10000;  // packets per second, every probe and retransmission counted
  int retries = 2;      // further probes of a port that has not answered
  Duration initial_timeout = std::chrono::seconds(1);
  Duration min_timeout = std::chrono::milliseconds(100);
  Duration max_timeout = std::chrono::seconds(2);
  Duration max_runtime{0};  // 0: derived from the port count, rate and timeouts
  uint16_t source_port = 0; // 0: derived from the key (in 61000-64999)
  // A UDP reply (or an ICMP error quoting a UDP probe) counts only when a
  // probe went to that port at most this long before; 0: max_timeout.
  // UDP has no cookie, so this is what keeps a forged or stray packet from
  // classifying a port not being probed.
  Duration udp_reply_window{0};
  CookieKey key;
  // A budget shared with scans of other targets (`verify --all`): a probe
  // goes out only with a token from both. Null: this scan's rate alone.
  SharedRate* shared_rate = nullptr;
  // Called now and then with (ports classified or out of retries, ports in all).
  std::function<void(size_t, size_t)> progress;
};

uint16_t default_source_port(const CookieKey& key);

// The highest --rate accepted, in packets per second.
constexpr double kMaxRate = 1e6;

// Why `rate` cannot be a probe rate: empty when it is a finite number of
// packets per second from 1 to kMaxRate.
std::string rate_problem(double rate);

// Whether an ICMP destination-unreachable code says a port is filtered (as
// nmap reads them): IPv4 3/0, 1, 2, 3, 9, 10, 13; ICMPv6 1/0 to 1/6. The
// others (3/4 fragmentation needed, ...) say nothing about the port and
// are ignored.
bool filtering_unreachable(bool v6, uint8_t code);

struct ScanReport {
  std::vector<PortResult> ports;  // TCP ports in the order given, then UDP
  size_t sent = 0, send_errors = 0;
  size_t received = 0;    // packets read from the source
  size_t matched = 0;     // replies to our probes (duplicates included)
  size_t duplicates = 0;  // replies for a port already classified
  Duration elapsed{0};
  Duration srtt{0};       // smoothed round-trip time (0: no sample)
  bool timed_out = false; // the run-time bound stopped the scan
  std::string error;      // a send failure that stopped the scan
};

ScanReport scan(const ScanOptions& opt, PacketSender& sender, PacketSource& source, Clock& clock);

// The payload of a UDP probe to `port`: a request of the protocol usually
// found there (DNS, NTP, SNMP, QUIC, WireGuard), else empty.
Bytes udp_payload(uint16_t port);

}  // namespace fwc::prober
