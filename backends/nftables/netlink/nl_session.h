#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "backends/nftables/netlink/nl_batch.h"

struct mnl_socket;
struct nlmsghdr;

// Talking to nf_tables over netlink: the ruleset generation, and one batch
// sent with a single sendmsg.
namespace fwc::nft::netlink {

struct Outcome {
  bool ok = true;
  int error = 0;         // errno of the first failure (0 when ok)
  std::string message;   // one line: what failed, and what to do about it
};

class Session {
 public:
  // Opens the socket; on failure ok() is false and error() says why.
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool ok() const { return nl_ != nullptr; }
  const Outcome& error() const { return open_error_; }
  uint32_t next_seq() const { return seq_; }
  // The ruleset generation id (NFT_MSG_GETGEN).
  bool genid(uint32_t& out, Outcome& err);
  // Sends the batch and collects the kernel's errors; the first maps back
  // to the message (and policy rule) that caused it.
  Outcome send(const Batch& b);
  // Sends one request (a GET, dump or not; its seq is filled in) and hands
  // every reply message to `each` until the kernel is done.
  bool request(nlmsghdr* req, const std::function<void(const nlmsghdr*)>& each, Outcome& err);

 private:
  ::mnl_socket* nl_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  Outcome open_error_;
};

// The remedy for a kernel error, in a few words.
std::string remedy(int error);

}  // namespace fwc::nft::netlink
