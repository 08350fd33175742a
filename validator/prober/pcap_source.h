#pragma once
// libpcap capture on the interface that reaches the target, filtered in
// the kernel (BPF) to replies from the target to the prober's source port
// and to ICMP errors addressed to the prober's source address.
#include <pcap/pcap.h>

#include <deque>
#include <string>

#include "validator/prober/io.h"

namespace fwc::prober {

class PcapSource : public PacketSource {
 public:
  PcapSource() = default;
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;
  ~PcapSource() override;
  // False with a reason in `error` when the capture cannot start.
  bool open(const std::string& device, const IpAddr& source, const IpAddr& target, uint16_t sport);
  bool next(Bytes& packet, Duration max_wait) override;
  std::string error;
  static std::string filter_for(const IpAddr& source, const IpAddr& target, uint16_t sport);

 private:
  static void on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes);
  pcap_t* pcap_ = nullptr;
  int fd_ = -1;
  int linktype_ = 0;
  std::deque<Bytes> ready_;
};

}  // namespace fwc::prober
