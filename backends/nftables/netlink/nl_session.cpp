#include "backends/nftables/netlink/nl_session.h"

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace fwc::nft::netlink {

namespace {
#ifndef ERESTART
constexpr int ERESTART = 85;
#endif

std::string errno_text(int e) { return std::strerror(e); }
}  // namespace

std::string remedy(int e) {
  switch (e) {
    case EPERM:
    case EACCES: return "run fwc as root (it needs CAP_NET_ADMIN)";
    case EPROTONOSUPPORT:
    case EAFNOSUPPORT:
    case EOPNOTSUPP: return "this kernel lacks nf_tables support: load it with 'modprobe nf_tables' (CONFIG_NF_TABLES)";
    case EMSGSIZE:
    case ENOBUFS: return "the batch does not fit the socket buffer: run as root (SO_SNDBUFFORCE) or raise net.core.wmem_max";
    case ERESTART: return "the ruleset changed while fwc was applying; nothing was applied: run the command again";
    case ENOENT: return "a kernel feature or object is missing (nf_tables modules not loaded?)";
    case ENFILE: return "a set is full (its size, a dynamic set's max): unblock entries or raise max in the policy";
    default: return "";
  }
}

Session::Session() {
  nl_ = mnl_socket_open(NETLINK_NETFILTER);
  if (!nl_) {
    int e = errno;
    open_error_ = {false, e, "cannot open a netfilter netlink socket: " + errno_text(e)};
    return;
  }
  if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    open_error_ = {false, e, "cannot bind the netfilter netlink socket: " + errno_text(e)};
    mnl_socket_close(nl_);
    nl_ = nullptr;
    return;
  }
  portid_ = mnl_socket_get_portid(nl_);
  seq_ = static_cast<uint32_t>(std::time(nullptr));
}

Session::~Session() {
  if (nl_) mnl_socket_close(nl_);
}

namespace {
int gen_cb(const nlmsghdr* nlh, void* data) {
  auto* gen = nftnl_gen_alloc();
  if (nftnl_gen_nlmsg_parse(nlh, gen) == 0) *static_cast<uint32_t*>(data) = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
  nftnl_gen_free(gen);
  return MNL_CB_OK;
}
}  // namespace

bool Session::genid(uint32_t& out, Outcome& err) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  uint32_t seq = seq_++;
  nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, seq);
  if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) {
    int e = errno;
    err = {false, e, "cannot query the ruleset generation: " + errno_text(e)};
    return false;
  }
  out = 0;
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.size());
    if (n < 0) {
      int e = errno;
      err = {false, e, "cannot read the ruleset generation: " + errno_text(e)};
      return false;
    }
    int rc = mnl_cb_run(buf.data(), n, seq, portid_, gen_cb, &out);
    if (rc < 0) {
      int e = errno;
      err = {false, e, "cannot read the ruleset generation: " + errno_text(e)};
      return false;
    }
    if (rc == MNL_CB_STOP) return true;
  }
}

namespace {
struct Each {
  const std::function<void(const nlmsghdr*)>* fn;
};
int each_cb(const nlmsghdr* nlh, void* data) {
  (*static_cast<Each*>(data)->fn)(nlh);
  return MNL_CB_OK;
}
}  // namespace

bool Session::request(nlmsghdr* req, const std::function<void(const nlmsghdr*)>& each, Outcome& err) {
  req->nlmsg_seq = seq_++;
  const uint32_t seq = req->nlmsg_seq;
  if (mnl_socket_sendto(nl_, req, req->nlmsg_len) < 0) {
    int e = errno;
    err = {false, e, "cannot read the ruleset: " + errno_text(e)};
    return false;
  }
  std::vector<char> buf(1 << 17);
  Each ctx{&each};
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.size());
    if (n < 0) {
      int e = errno;
      err = {false, e, "cannot read the ruleset: " + errno_text(e)};
      return false;
    }
    int rc = mnl_cb_run(buf.data(), n, seq, portid_, each_cb, &ctx);
    if (rc < 0) {
      int e = errno;
      err = {false, e, "cannot read the ruleset: " + errno_text(e)};
      return false;
    }
    if (rc == MNL_CB_STOP) return true;
  }
}

Outcome Session::send(const Batch& b) {
  int fd = mnl_socket_get_fd(nl_);
  // The kernel takes the whole batch in one skb: the send buffer must hold it.
  int want = static_cast<int>(std::min<size_t>(b.size() + 65536, 0x7fffffff / 2));
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
  int rcv = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  seq_ = b.next_seq();
  if (mnl_socket_sendto(nl_, b.data(), b.size()) < 0) {
    int e = errno;
    std::string msg = "the kernel refused the batch (" + std::to_string(b.size()) + " bytes, " +
                      std::to_string(b.messages()) + " messages): " + errno_text(e);
    return {false, e, msg};
  }
  // Without NLM_F_ACK success is silent; errors are queued by the time
  // sendmsg returns (the batch is processed in the sender's context).
  std::vector<char> buf(1 << 16);
  int first_err = 0;
  uint32_t first_seq = 0;
  size_t errors = 0;
  for (;;) {
    ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {  // errors overflowed the receive buffer: some were lost
        ++errors;
        if (!first_err) first_err = ENOBUFS;
        continue;
      }
      break;  // EAGAIN: nothing more
    }
    auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data());
    int len = static_cast<int>(n);
    for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_type != NLMSG_ERROR) continue;
      auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (e->error == 0) continue;
      ++errors;

      if (!first_err || (first_err == ENOBUFS) || nlh->nlmsg_seq < first_seq) {
        first_err = -e->error;
        first_seq = nlh->nlmsg_seq;
      }
    }
  }
  if (!first_err) return {};
  std::string what = b.describe(first_seq);
  std::string msg = "the kernel refused " + (what.empty() ? std::string("the batch") : what) + ": " +
                    errno_text(first_err);
  if (errors > 1) msg += " (and " + std::to_string(errors - 1) + " more errors)";
  return {false, first_err, msg};
}

}  // namespace fwc::nft::netlink
