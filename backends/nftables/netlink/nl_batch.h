#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/nftables/nft_backend.h"

// The nftables model turned into one netlink batch for the kernel: the
// table replaced in a single transaction, without going through nft.
namespace fwc::nft::netlink {

// Netlink messages back to back, each with its own sequence number, and
// what each one carries (to name the policy line behind a kernel error).
class Batch {
 public:
  explicit Batch(uint32_t first_seq) : next_seq_(first_seq) {}
  // Room for one message of at most `max` bytes; finish() commits it.
  char* reserve(size_t max);
  uint32_t next_seq() const { return next_seq_; }
  // Room for `bytes` in all, allocated up front (a large batch grows once).
  void expect(size_t bytes) { buf_.reserve(bytes); }
  void finish(const std::string& what);
  const char* data() const { return buf_.data(); }
  size_t size() const { return len_; }
  size_t messages() const { return what_.size(); }
  // What the message with this sequence number carried ("" if not ours).
  std::string describe(uint32_t seq) const;

 private:
  std::vector<char> buf_;
  size_t len_ = 0;
  uint32_t first_seq_ = 0;
  uint32_t next_seq_;
  std::vector<std::string> what_;
  bool started_ = false;
};

struct BuildOptions {
  std::optional<uint32_t> genid;  // BATCH_BEGIN carries it: a stale one fails the batch
  bool commit = true;             // false: no BATCH_END, the kernel validates and aborts
  bool inject_bad_element = false;  // tests: an invalid element late in the batch
  bool elements = true;  // false: named sets without their elements (to compare, not to send)
};

// NEWTABLE, DELTABLE, NEWTABLE, then chains, sets and their elements,
// limit objects and rules of `t`. Throws std::runtime_error when the table
// names an interface that does not exist here.
Batch build_replace(const Table& t, const BuildOptions& o, uint32_t first_seq);
// A named address set's fingerprint, kept in its user data (TLV type
// kUdataDigest): "HASH/N", a hash of its intervals and N, its number of
// CIDRs (the element count newer kernels report). Lets a large unchanged set compare without a dump.
constexpr uint8_t kUdataDigest = 200;
std::string set_digest(const Set& s);

// Appends BATCH_END (the commit) to a batch built with commit = false.
void append_batch_end(Batch& b);
// Starts a batch of other messages: BATCH_BEGIN, with `o.genid` when set.
void append_batch_begin(Batch& b, const BuildOptions& o);
// Deletes table inet fwc (creating it first, so a missing table is no error).
Batch build_remove(const BuildOptions& o, uint32_t first_seq);

}  // namespace fwc::nft::netlink
