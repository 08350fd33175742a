#include "validator/prober/connect_scan.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>

#include "validator/prober/shared_rate.h"

namespace fwc::prober {

namespace {

using namespace std::chrono;

struct Probe {
  size_t index;  // into the report
  int fd = -1;
  int attempt = 0;
  TimePoint deadline{0};
};

socklen_t target_addr(const IpAddr& a, uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.v6) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
    s->sin6_family = AF_INET6, s->sin6_port = htons(port);
    std::memcpy(&s->sin6_addr, a.b.data(), 16);
    return sizeof *s;
  }
  auto* s = reinterpret_cast<sockaddr_in*>(&ss);
  s->sin_family = AF_INET, s->sin_port = htons(port);
  std::memcpy(&s->sin_addr, a.b.data(), 4);
  return sizeof *s;
}

// Result of a finished attempt; unknown when it should be retried.
void settle(PortResult& r, int err) {
  if (r.proto == L4::tcp) {
    if (err == 0)
      r.state = State::open, r.reason = "connected";
    else if (err == ECONNREFUSED)
      r.state = State::closed, r.reason = "refused";
    else if (err == EHOSTUNREACH || err == ENETUNREACH || err == EACCES || err == EPERM)
      r.state = State::filtered, r.reason = std::string("error ") + strerrorname_np(err);
    return;
  }
  if (err == 0)
    r.state = State::open, r.reason = "udp-response";
  else if (err == ECONNREFUSED)
    r.state = State::closed, r.reason = "port-unreach";
  else if (err == EHOSTUNREACH || err == ENETUNREACH || err == EACCES || err == EPERM)
    r.state = State::filtered, r.reason = std::string("error ") + strerrorname_np(err);
}

// One run: the ports still to send, the probes in flight, the report.
class ConnectScan {
 public:
  explicit ConnectScan(const ConnectOptions& opt) : opt_(opt) {}
  ScanReport run();

 private:
  bool send_due(TimePoint now);
  bool send(size_t index, TimePoint now);
  void wait(TimePoint now);
  void collect(TimePoint now);
  void finish(Probe& p, int err, bool timed_out);

  const ConnectOptions& opt_;
  SystemClock clock_;
  ScanReport rep_;
  std::deque<size_t> queue_;
  std::vector<Probe> live_;
  std::vector<pollfd> fds_;
  Duration gap_{0};
  TimePoint next_send_{0};
  size_t done_ = 0;
  bool starved_ = false;
};

ScanReport ConnectScan::run() {
  for (uint16_t p : opt_.tcp_ports) rep_.ports.push_back({p, L4::tcp, State::unknown, "", 0});
  for (uint16_t p : opt_.udp_ports) rep_.ports.push_back({p, L4::udp, State::unknown, "", 0});
  for (size_t i = 0; i < rep_.ports.size(); ++i) queue_.push_back(i);
  const TimePoint start = clock_.now();
  gap_ = duration_cast<Duration>(duration<double>(1.0 / std::max(1.0, opt_.rate)));
  next_send_ = start;
  TimePoint reported = start;
  while (!queue_.empty() || !live_.empty()) {
    TimePoint now = clock_.now();
    if (!send_due(now)) return std::move(rep_);
    wait(now);
    now = clock_.now();
    collect(now);
    if (opt_.progress && now - reported > milliseconds(250))
      reported = now, opt_.progress(done_, rep_.ports.size());
  }
  rep_.elapsed = clock_.now() - start;
  if (opt_.progress) opt_.progress(done_, rep_.ports.size());
  return std::move(rep_);
}

// Starts the queued probes the rate and the parallelism allow; false when no
// socket could be opened (rep_.error says why).
bool ConnectScan::send_due(TimePoint now) {
  starved_ = false;
  while (!queue_.empty() && live_.size() < opt_.parallel && now >= next_send_) {
    if (opt_.shared_rate && !opt_.shared_rate->take(now)) {
      starved_ = true;  // the shared budget has no token left: poll briefly
      break;
    }
    size_t i = queue_.front();
    queue_.pop_front();
    if (!send(i, now)) return false;
  }
  return true;
}

bool ConnectScan::send(size_t index, TimePoint now) {
  PortResult& r = rep_.ports[index];
  Probe p{index};
  p.fd = socket(opt_.target.v6 ? AF_INET6 : AF_INET,
                (r.proto == L4::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0);
  if (p.fd < 0) {
    rep_.error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  p.attempt = ++r.attempts;
  ++rep_.sent;
  sockaddr_storage ss;
  socklen_t len = target_addr(opt_.target, r.port, ss);
  int rc = connect(p.fd, reinterpret_cast<sockaddr*>(&ss), len);
  if (r.proto == L4::udp && rc == 0) {
    Bytes payload = udp_payload(r.port);
    if (::send(p.fd, payload.data(), payload.size(), 0) < 0) rc = -1;
  }
  p.deadline = now + opt_.timeout;
  next_send_ = std::max(next_send_ + gap_, now - milliseconds(10));
  if (rc < 0 && errno != EINPROGRESS) {
    finish(p, errno, false);
    return true;
  }
  live_.push_back(p);
  return true;
}

// Polls the probes in flight until one answers, or the next send is due.
void ConnectScan::wait(TimePoint now) {
  fds_.clear();
  for (auto& p : live_)
    fds_.push_back({p.fd, short(rep_.ports[p.index].proto == L4::tcp ? POLLOUT : POLLIN), 0});
  int wait_ms = 20;
  if (!queue_.empty() && live_.size() < opt_.parallel)
    wait_ms = int(std::max<int64_t>(starved_ ? 1 : 0, duration_cast<milliseconds>(next_send_ - now).count()));
  poll(fds_.data(), fds_.size(), wait_ms);
}

// Settles the probes that answered or timed out; keeps the others.
void ConnectScan::collect(TimePoint now) {
  std::vector<Probe> keep;
  for (size_t k = 0; k < live_.size(); ++k) {
    Probe& p = live_[k];
    if (fds_[k].revents) {
      int err = 0;
      socklen_t el = sizeof err;
      if (rep_.ports[p.index].proto == L4::tcp) {
        getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &el);
      } else {
        char buf[1];
        if (recv(p.fd, buf, sizeof buf, MSG_TRUNC) < 0) err = errno;
      }
      ++rep_.matched;
      finish(p, err, false);
    } else if (now >= p.deadline) {
      finish(p, 0, true);
    } else {
      keep.push_back(p);
    }
  }
  live_.swap(keep);
}

void ConnectScan::finish(Probe& p, int err, bool timed_out) {
  PortResult& r = rep_.ports[p.index];
  close(p.fd);
  p.fd = -1;
  if (!timed_out) settle(r, err);
  if (r.state == State::unknown) {
    if (p.attempt <= opt_.retries) return queue_.push_front(p.index);
    r.state = r.proto == L4::tcp ? State::filtered : State::open_filtered;
    r.reason = "no-response";
  }
  ++done_;
}

}  // namespace

ScanReport connect_scan(const ConnectOptions& opt) {
  return ConnectScan(opt).run();
}

}  // namespace fwc::prober
