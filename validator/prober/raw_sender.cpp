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
  if (packet.size() > kMaxPacket) {
    error = "send: packet too large";
    return false;
  }
  std::memcpy(buf_[queued_].data(), packet.data(), packet.size());
  len_[queued_++] = packet.size();
  return queued_ < kBatch || flush();
}

bool RawSender::flush() {
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
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> msg{};
  for (size_t i = 0; i < queued_; ++i) {
    iov[i] = {buf_[i].data(), len_[i]};
    msg[i].msg_hdr.msg_name = &ss;
    msg[i].msg_hdr.msg_namelen = len;
    msg[i].msg_hdr.msg_iov = &iov[i];
    msg[i].msg_hdr.msg_iovlen = 1;
  }
  size_t done = 0;
  for (int tries = 0; done < queued_ && tries < 100;) {
    int n = sendmmsg(fd_, msg.data() + done, unsigned(queued_ - done), 0);
    if (n > 0) {
      done += size_t(n);
      continue;
    }
    if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) break;
    ++tries;
    usleep(100);  // a full send buffer: let the device drain
  }
  const bool ok = done == queued_;
  if (!ok) error = std::string("send: ") + std::strerror(errno);
  queued_ = 0;
  return ok;
}

}  // namespace fwc::prober
