#include "validator/prober/pcap_source.h"

#include <poll.h>
#include <time.h>

namespace fwc::prober {

PcapSource::~PcapSource() {
  if (pcap_) pcap_close(pcap_);
}

std::string PcapSource::filter_for(const IpAddr& source, const IpAddr& target, uint16_t sport) {
  const char* fam = target.v6 ? "ip6" : "ip";
  const char* icmp = target.v6 ? "icmp6" : "icmp";
  return std::string("(") + fam + " src host " + target.str() + " and (tcp or udp) and dst port " +
         std::to_string(sport) + ") or (" + icmp + " and " + fam + " dst host " + source.str() + ")";
}

bool PcapSource::open(const std::string& device, const IpAddr& source, const IpAddr& target,
                      uint16_t sport) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_ = pcap_create(device.c_str(), err);
  if (!pcap_) {
    error = err;
    return false;
  }
  pcap_set_snaplen(pcap_, 256);
  pcap_set_promisc(pcap_, 0);
  pcap_set_immediate_mode(pcap_, 1);
  pcap_set_buffer_size(pcap_, 32 << 20);
  int rc = pcap_activate(pcap_);
  if (rc < 0) {
    error = std::string("capture on ") + device + ": " + pcap_geterr(pcap_);
    return false;
  }
  linktype_ = pcap_datalink(pcap_);
  bpf_program prog;
  std::string filter = filter_for(source, target, sport);
  if (pcap_compile(pcap_, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0 ||
      pcap_setfilter(pcap_, &prog) < 0) {
    error = std::string("capture filter: ") + pcap_geterr(pcap_);
    return false;
  }
  pcap_freecode(&prog);
  pcap_setdirection(pcap_, PCAP_D_IN);
  if (pcap_setnonblock(pcap_, 1, err) < 0) {
    error = err;
    return false;
  }
  fd_ = pcap_get_selectable_fd(pcap_);
  if (fd_ < 0) {
    error = "capture: no selectable descriptor";
    return false;
  }
  return true;
}

void PcapSource::on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto* self = reinterpret_cast<PcapSource*>(user);
  size_t skip = 0;
  switch (self->linktype_) {
    case DLT_EN10MB: {
      if (h->caplen < 14) return;
      skip = 14;
      uint16_t type = uint16_t(bytes[12] << 8 | bytes[13]);
      if (type == 0x8100 && h->caplen >= 18) skip = 18;  // one VLAN tag
      break;
    }
    case DLT_LINUX_SLL: skip = 16; break;
    case DLT_LINUX_SLL2: skip = 20; break;
    case DLT_RAW: skip = 0; break;
    case DLT_NULL: skip = 4; break;
    default: return;
  }
  if (h->caplen <= skip) return;
  self->ready_.emplace_back(bytes + skip, bytes + h->caplen);
}

bool PcapSource::next(Bytes& packet, Duration max_wait) {
  if (ready_.empty()) {
    pcap_dispatch(pcap_, 4096, &PcapSource::on_packet, reinterpret_cast<u_char*>(this));
    if (ready_.empty() && max_wait.count() > 0) {
      pollfd p{fd_, POLLIN, 0};
      timespec ts{time_t(max_wait.count() / 1000000000), long(max_wait.count() % 1000000000)};
      if (ppoll(&p, 1, &ts, nullptr) > 0)
        pcap_dispatch(pcap_, 4096, &PcapSource::on_packet, reinterpret_cast<u_char*>(this));
    }
  }
  if (ready_.empty()) return false;
  packet = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

}  // namespace fwc::prober
