#include "validator/prober/scanner.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>

#include "validator/prober/shared_rate.h"

namespace fwc::prober {

const char* state_name(State s) {
  switch (s) {
    case State::open: return "open";
    case State::closed: return "closed";
    case State::filtered: return "filtered";
    case State::open_filtered: return "open|filtered";
    case State::unknown: break;
  }
  return "unknown";
}

bool filtering_unreachable(bool v6, uint8_t code) {
  if (v6) return code <= 6;
  switch (code) {
    case 0: case 1: case 2: case 3: case 9: case 10: case 13: return true;
    default: return false;
  }
}

uint16_t default_source_port(const CookieKey& key) { return uint16_t(61000 + (key.k0 ^ key.k1) % 4000); }

std::string rate_problem(double rate) {
  if (!std::isfinite(rate)) return "--rate must be a finite number of packets per second";
  if (rate < 1) return "--rate must be at least 1 packet per second";
  if (rate > kMaxRate) return "--rate must be at most 1000000 packets per second";
  return {};
}

namespace {

using namespace std::chrono;

struct Slot {
  bool wanted = false;
  State state = State::unknown;
  uint8_t attempts = 0;
  bool from_icmp = false;  // the state comes from an ICMP error, not the port
  TimePoint last_sent{0};
  std::string reason;
};

struct InFlight {
  L4 proto;
  uint16_t port;
  uint8_t attempt;
  TimePoint sent;
};

class Scan {
 public:
  Scan(const ScanOptions& o, PacketSender& snd, PacketSource& src, Clock& clk)
      : opt_(o), sender_(snd), source_(src), clock_(clk), tcp_(65536), udp_(65536) {
    sport_ = o.source_port ? o.source_port : default_source_port(o.key);
    for (uint16_t p : o.tcp_ports)
      if (!tcp_[p].wanted) tcp_[p].wanted = true, queue_.push_back({L4::tcp, p}), ++total_;
    for (uint16_t p : o.udp_ports)
      if (!udp_[p].wanted) udp_[p].wanted = true, queue_.push_back({L4::udp, p}), ++total_;
    rto_ = o.initial_timeout;
  }

  ScanReport run();

 private:
  struct Item {
    L4 proto;
    uint16_t port;
  };

  Slot& slot(L4 proto, uint16_t port) { return proto == L4::tcp ? tcp_[port] : udp_[port]; }
  uint32_t tcp_cookie(uint16_t dport) const {
    return cookie(opt_.key, opt_.source, opt_.target, sport_, dport, L4::tcp);
  }
  bool send(const Item& it, TimePoint now);
  bool send_due(double& tokens, bool& starved, TimePoint now);
  void receive(const Bytes& pkt, TimePoint now);
  void receive_icmp(const Parsed& p, TimePoint now);
  bool udp_probed_recently(uint16_t port, TimePoint now) const;
  void classify(L4 proto, uint16_t port, State s, std::string reason, bool authoritative, TimePoint now);
  void sample_rtt(Duration rtt);
  TimePoint expiry(const InFlight& f) {
    if (slot(f.proto, f.port).state == State::unknown) return f.sent + rto_;
    return f.sent + std::min(rto_, std::max<Duration>(std::chrono::milliseconds(10), 2 * srtt_));
  }
  Duration budget() const;

  const ScanOptions& opt_;
  PacketSender& sender_;
  PacketSource& source_;
  Clock& clock_;
  std::vector<Slot> tcp_, udp_;
  std::deque<Item> queue_, retry_;
  std::deque<InFlight> inflight_;
  uint16_t sport_ = 0;
  size_t total_ = 0, done_ = 0, given_up_ = 0;  // ports answered; ports out of retries
  Duration rto_, srtt_{0}, rttvar_{0};
  ScanReport rep_;
};

Duration Scan::budget() const {
  if (opt_.max_runtime.count() > 0) return opt_.max_runtime;
  double send_s = double(total_) * (opt_.retries + 1) / std::max(1.0, opt_.rate);
  return duration_cast<Duration>(duration<double>(send_s)) + (opt_.retries + 1) * opt_.max_timeout +
         seconds(5);
}

bool Scan::send(const Item& it, TimePoint now) {
  Slot& s = slot(it.proto, it.port);
  uint16_t ip_id = uint16_t(it.port ^ sport_);
  Bytes pkt = it.proto == L4::tcp
                  ? build_tcp(opt_.source, opt_.target, sport_, it.port, tcp_cookie(it.port), 0,
                              tcpflag::syn, ip_id)
                  : build_udp(opt_.source, opt_.target, sport_, it.port, udp_payload(it.port), ip_id);
  if (!sender_.send(pkt)) {
    ++rep_.send_errors;
    // A transient shortage of buffer space: try again later.
    if (rep_.send_errors > 1000 + rep_.sent) {
      rep_.error = sender_.error;
      return false;
    }
    retry_.push_front(it);
    return true;
  }
  ++rep_.sent;
  ++s.attempts;
  s.last_sent = now;
  inflight_.push_back({it.proto, it.port, s.attempts, now});
  return true;
}

void Scan::sample_rtt(Duration rtt) {
  // RFC 6298 smoothing; the timeout is srtt + 4 rttvar within the bounds.
  if (srtt_.count() == 0) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    Duration diff = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (3 * rttvar_ + diff) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  }
  rto_ = std::clamp(srtt_ + 4 * rttvar_, opt_.min_timeout, opt_.max_timeout);
}

void Scan::classify(L4 proto, uint16_t port, State st, std::string reason, bool authoritative,
                    TimePoint now) {
  Slot& s = slot(proto, port);
  ++rep_.matched;
  if (s.state != State::unknown) {
    ++rep_.duplicates;
    // An answer from the port itself outranks an ICMP error seen first.
    if (!(authoritative && s.from_icmp)) return;
  } else {
    ++done_;
    if (s.attempts == 1) sample_rtt(now - s.last_sent);  // Karn: never a retransmitted probe
  }
  s.state = st;
  s.from_icmp = !authoritative;
  s.reason = std::move(reason);
}

bool Scan::udp_probed_recently(uint16_t port, TimePoint now) const {
  const Slot& s = udp_[port];
  const Duration window = opt_.udp_reply_window.count() > 0 ? opt_.udp_reply_window : opt_.max_timeout;
  return s.wanted && s.attempts > 0 && now - s.last_sent <= window;
}

void Scan::receive(const Bytes& pkt, TimePoint now) {
  ++rep_.received;
  Parsed p = parse(pkt);
  switch (p.kind) {
    case Parsed::Kind::tcp: {
      if (p.src != opt_.target || p.dst != opt_.source || p.dport != sport_) return;
      if (!tcp_[p.sport].wanted || p.ack - 1 != tcp_cookie(p.sport)) return;
      if ((p.flags & (tcpflag::syn | tcpflag::ack)) == (tcpflag::syn | tcpflag::ack))
        classify(L4::tcp, p.sport, State::open, "syn-ack", true, now);
      else if (p.flags & tcpflag::rst)
        classify(L4::tcp, p.sport, State::closed, "reset", true, now);
      return;
    }
    case Parsed::Kind::udp:
      if (p.src != opt_.target || p.dst != opt_.source || p.dport != sport_) return;
      if (!udp_probed_recently(p.sport, now)) return;
      classify(L4::udp, p.sport, State::open, "udp-response", true, now);
      return;
    case Parsed::Kind::icmp_error: receive_icmp(p, now); return;
    case Parsed::Kind::other: return;
  }
}

void Scan::receive_icmp(const Parsed& p, TimePoint now) {
  // From the target or a router on the way, quoting one of our probes.
  if (p.dst != opt_.source || p.quoted_src != opt_.source || p.quoted_dst != opt_.target) return;
  if (p.quoted_sport != sport_) return;
  const bool unreach = p.icmp6 ? p.icmp_type == 1 : p.icmp_type == 3;
  if (!unreach || !filtering_unreachable(p.icmp6, p.icmp_code)) return;
  std::string why = std::string(p.icmp6 ? "icmp6 " : "icmp ") + std::to_string(p.icmp_type) + "/" +
                    std::to_string(p.icmp_code) + " from " + p.src.str();
  if (p.quoted_proto == L4::tcp) {
    if (!tcp_[p.quoted_dport].wanted) return;
    if (!p.quoted_has_seq || p.quoted_seq != tcp_cookie(p.quoted_dport)) return;
    classify(L4::tcp, p.quoted_dport, State::filtered, why, false, now);
    return;
  }
  if (!udp_probed_recently(p.quoted_dport, now)) return;
  const bool port_unreach = p.icmp6 ? p.icmp_code == 4 : p.icmp_code == 3;
  if (port_unreach && p.src == opt_.target)
    classify(L4::udp, p.quoted_dport, State::closed, "port-unreach", false, now);
  else
    classify(L4::udp, p.quoted_dport, State::filtered, why, false, now);
}

// Sends what `tokens` allow, retransmissions first. `starved` when the
// shared budget ran out first; false when a send failure stops the scan.
bool Scan::send_due(double& tokens, bool& starved, TimePoint now) {
  for (int n = 0; tokens > 1 - 1e-6 && n < 512 && (!retry_.empty() || !queue_.empty()); ++n) {
    auto& q = retry_.empty() ? queue_ : retry_;
    Item it = q.front();
    if (slot(it.proto, it.port).state != State::unknown) {
      q.pop_front();
      continue;
    }
    if (opt_.shared_rate && !opt_.shared_rate->take(now)) {
      starved = true;
      return true;
    }
    q.pop_front();
    if (!send(it, now)) return false;
    tokens -= 1;
  }
  return true;
}

ScanReport Scan::run() {
  const TimePoint start = clock_.now();
  const Duration limit = budget();
  const double rate = std::max(1.0, opt_.rate);
  // Token bucket: at most a hundredth of a second's worth in one burst.
  const double burst = std::max(1.0, rate / 100);
  double tokens = 1;
  TimePoint refilled = start, reported = start;
  Bytes pkt;
  while (!queue_.empty() || !retry_.empty() || !inflight_.empty()) {
    TimePoint now = clock_.now();
    if (now - start > limit) {
      rep_.timed_out = true;
      break;
    }
    tokens = std::min(burst, tokens + duration<double>(now - refilled).count() * rate);
    refilled = now;
    // Expire probes that have waited a timeout; queue the unanswered again.
    // Answered ones go sooner, after a short linger for duplicates and for
    // a late answer from the port that outranks an ICMP error: a scan ends
    // soon after its last answer.
    while (!inflight_.empty() && expiry(inflight_.front()) <= now) {
      InFlight f = inflight_.front();
      inflight_.pop_front();
      Slot& s = slot(f.proto, f.port);
      if (s.state != State::unknown || s.attempts != f.attempt) continue;
      if (s.attempts <= opt_.retries) retry_.push_back({f.proto, f.port});
      else ++given_up_;
    }
    // Send what the rate allows, retransmissions first.
    bool starved = false;  // the shared budget had no token left
    if (!send_due(tokens, starved, now)) return rep_.ports.clear(), rep_;
    if (!sender_.flush()) {
      rep_.error = sender_.error;
      return rep_.ports.clear(), rep_;
    }
    // Wait for replies: until the next token when there is more to send,
    // else until the oldest probe in flight times out.
    Duration wait{0};
    if (!queue_.empty() || !retry_.empty()) {
      if (tokens <= 1 - 1e-6)
        wait = std::max<Duration>(microseconds(20), duration_cast<Duration>(duration<double>((1 - tokens) / rate)));
      else if (starved)
        wait = std::max<Duration>(microseconds(20), duration_cast<Duration>(duration<double>(1 / opt_.shared_rate->rate())));
    } else if (!inflight_.empty()) {
      wait = std::max(Duration(0), expiry(inflight_.front()) - now);
    }
    wait = std::min<Duration>(wait, milliseconds(20));
    for (int n = 0; n < 4096 && source_.next(pkt, n == 0 ? wait : Duration(0)); ++n)
      receive(pkt, clock_.now());
    if (opt_.progress && clock_.now() - reported > milliseconds(250)) {
      reported = clock_.now();
      opt_.progress(std::min(total_, done_ + given_up_), total_);
    }
  }
  // Late replies already captured are still read.
  while (source_.next(pkt, Duration(0))) receive(pkt, clock_.now());
  for (auto* list : {&opt_.tcp_ports, &opt_.udp_ports}) {
    L4 proto = list == &opt_.tcp_ports ? L4::tcp : L4::udp;
    for (uint16_t p : *list) {
      Slot& s = slot(proto, p);
      if (!s.wanted) continue;
      s.wanted = false;  // report each port once
      PortResult r{p, proto, s.state, s.reason, s.attempts};
      if (r.state == State::unknown) {
        r.state = proto == L4::tcp ? State::filtered : State::open_filtered;
        r.reason = "no-response";
      }
      rep_.ports.push_back(std::move(r));
    }
  }
  rep_.elapsed = clock_.now() - start;
  rep_.srtt = srtt_;
  if (opt_.progress) opt_.progress(std::min(total_, done_ + given_up_), total_);
  return rep_;
}

}  // namespace

ScanReport scan(const ScanOptions& opt, PacketSender& sender, PacketSource& source, Clock& clock) {
  auto s = std::make_unique<Scan>(opt, sender, source, clock);
  return s->run();
}

}  // namespace fwc::prober
