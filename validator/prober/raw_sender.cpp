#include "validator/prober/raw_sender.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36  // linux/in6.h
#endif

namespace fwc::prober {

RawSender::~RawSender() {
  if (fd_ >= 0) close(fd_);
}

bool RawSender::open(const IpAddr& target) {
  target_ = target;
  fd_ = socket(target.v6 ? AF_INET6 : AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (fd_ < 0) {
    errno_ = errno;
    error = std::string("raw socket: ") + std::strerror(errno);
    return false;
  }
  int one = 1;
  if (target.v6 && setsockopt(fd_, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof one) < 0) {
    errno_ = errno;
    error = std::string("IPV6_HDRINCL: ") + std::strerror(errno);
    return false;
  }
  int buf = 4 << 20;
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  return true;
}

bool RawSender::send(const Bytes& packet) {
  sockaddr_storage ss{};
  socklen_t len;
  if (target_.v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    std::memcpy(&a->sin6_addr, target_.b.data(), 16);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    std::memcpy(&a->sin_addr, target_.b.data(), 4);
    len = sizeof *a;
  }
  for (int tries = 0; tries < 100; ++tries) {
    if (sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) >= 0) return true;
    if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) break;
    usleep(100);
  }
  error = std::string("send: ") + std::strerror(errno);
  return false;
}

}  // namespace fwc::prober
