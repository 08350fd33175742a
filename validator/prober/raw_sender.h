#pragma once
// Sends complete IP packets through a raw socket: IPPROTO_RAW for IPv4
// (the header is ours), and an IPv6 raw socket with IPV6_HDRINCL. Packets
// are queued and sent in batches with one sendmmsg() call: a full sweep
// sends about 200,000 probes, and the per-call cost is most of the time.
#include <array>
#include <string>
#include <vector>

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
  bool flush() override;
  int errno_ = 0;

 private:
  static constexpr size_t kBatch = 64, kMaxPacket = 1280;
  int fd_ = -1;
  IpAddr target_;
  std::vector<std::array<uint8_t, kMaxPacket>> buf_ = std::vector<std::array<uint8_t, kMaxPacket>>(kBatch);
  std::array<size_t, kBatch> len_{};
  size_t queued_ = 0;
};

}  // namespace fwc::prober
