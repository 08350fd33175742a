#include "validator/prober/connect_scan.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>

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
    if (err == 0) r.state = State::open, r.reason = "connected";
    else if (err == ECONNREFUSED) r.state = State::closed, r.reason = "refused";
    else if (err == EHOSTUNREACH || err == ENETUNREACH || err == EACCES || err == EPERM)
      r.state = State::filtered, r.reason = std::string("error ") + strerrorname_np(err);
    return;
  }
  if (err == 0) r.state = State::open, r.reason = "udp-response";
  else if (err == ECONNREFUSED) r.state = State::closed, r.reason = "port-unreach";
  else if (err == EHOSTUNREACH || err == ENETUNREACH || err == EACCES || err == EPERM)
    r.state = State::filtered, r.reason = std::string("error ") + strerrorname_np(err);
}

}  // namespace

ScanReport connect_scan(const ConnectOptions& opt) {
  SystemClock clock;
  ScanReport rep;
  for (uint16_t p : opt.tcp_ports) rep.ports.push_back({p, L4::tcp, State::unknown, "", 0});
  for (uint16_t p : opt.udp_ports) rep.ports.push_back({p, L4::udp, State::unknown, "", 0});
  std::deque<size_t> queue;
  for (size_t i = 0; i < rep.ports.size(); ++i) queue.push_back(i);
  std::vector<Probe> live;
  const TimePoint start = clock.now();
  const Duration gap = duration_cast<Duration>(duration<double>(1.0 / std::max(1.0, opt.rate)));
  TimePoint next_send = start, reported = start;
  size_t done = 0;
  std::vector<pollfd> fds;

  auto finish = [&](Probe& p, int err, bool timed_out) {
    PortResult& r = rep.ports[p.index];
    close(p.fd);
    p.fd = -1;
    if (!timed_out) settle(r, err);
    if (r.state == State::unknown) {
      if (p.attempt <= opt.retries) return queue.push_front(p.index);
      r.state = r.proto == L4::tcp ? State::filtered : State::open_filtered;
      r.reason = "no-response";
    }
    ++done;
  };

  while (!queue.empty() || !live.empty()) {
    TimePoint now = clock.now();
    while (!queue.empty() && live.size() < opt.parallel && now >= next_send) {
      size_t i = queue.front();
      queue.pop_front();
      PortResult& r = rep.ports[i];
      Probe p{i};
      p.fd = socket(opt.target.v6 ? AF_INET6 : AF_INET,
                    (r.proto == L4::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0);
      if (p.fd < 0) {
        rep.error = std::string("socket: ") + std::strerror(errno);
        return rep;
      }
      p.attempt = ++r.attempts;
      ++rep.sent;
      sockaddr_storage ss;
      socklen_t len = target_addr(opt.target, r.port, ss);
      int rc = connect(p.fd, reinterpret_cast<sockaddr*>(&ss), len);
      if (r.proto == L4::udp && rc == 0) {
        if (r.proto == L4::udp) {
          Bytes payload = udp_payload(r.port);
          if (::send(p.fd, payload.data(), payload.size(), 0) < 0) rc = -1;
        }
      }
      p.deadline = now + opt.timeout;
      next_send = std::max(next_send + gap, now - milliseconds(10));
      if (rc < 0 && errno != EINPROGRESS) {
        finish(p, errno, false);
        continue;
      }
      live.push_back(p);
    }
    fds.clear();
    for (auto& p : live)
      fds.push_back({p.fd, short(rep.ports[p.index].proto == L4::tcp ? POLLOUT : POLLIN), 0});
    int wait_ms = 20;
    if (!queue.empty() && live.size() < opt.parallel)
      wait_ms = int(std::max<int64_t>(0, duration_cast<milliseconds>(next_send - now).count()));
    poll(fds.data(), fds.size(), wait_ms);
    now = clock.now();
    std::vector<Probe> keep;
    for (size_t k = 0; k < live.size(); ++k) {
      Probe& p = live[k];
      if (fds[k].revents) {
        int err = 0;
        socklen_t el = sizeof err;
        if (rep.ports[p.index].proto == L4::tcp) {
          getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &el);
        } else {
          char buf[1];
          if (recv(p.fd, buf, sizeof buf, MSG_TRUNC) < 0) err = errno;
        }
        ++rep.matched;
        finish(p, err, false);
      } else if (now >= p.deadline) {
        finish(p, 0, true);
      } else {
        keep.push_back(p);
      }
    }
    live.swap(keep);
    if (opt.progress && now - reported > milliseconds(250)) reported = now, opt.progress(done, rep.ports.size());
  }
  rep.elapsed = clock.now() - start;
  if (opt.progress) opt.progress(done, rep.ports.size());
  return rep;
}

}  // namespace fwc::prober
