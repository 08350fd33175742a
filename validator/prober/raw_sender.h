#pragma once
// Sends complete IP packets through a raw socket: IPPROTO_RAW for IPv4
// (the header is ours), and an IPv6 raw socket with IPV6_HDRINCL.
#include <string>

#include "validator/prober/io.h"

namespace fwc::prober {

class RawSender : public PacketSender {
 public:
  RawSender() = default;
  RawSender(const RawSender&) = delete;
  RawSender& operator=(const RawSender&) = delete;
  ~RawSender() override;
  // False when the socket cannot be opened (errno_ says why: EPERM when
  // not privileged).
  bool open(const IpAddr& target);
  bool send(const Bytes& packet) override;
  int errno_ = 0;

 private:
  int fd_ = -1;
  IpAddr target_;
};

}  // namespace fwc::prober
