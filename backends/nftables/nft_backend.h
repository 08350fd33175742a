#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"

// nftables: the ruleset as a small model of one `table inet fwc` (lowering),
// and the nft script printed from that model (emitting).
namespace fwc::nft {

// nft comments hold 128 bytes; fwc's stay shorter.
inline constexpr size_t kCommentMax = 120;
// A log prefix holds 127 bytes (NF_LOG_PREFIXLEN, without the NUL).
inline constexpr size_t kLogPrefixMax = 127;

struct AddrMatch {
  bool daddr = false;
  bool negate = false;  // `ip saddr != @set`
  net::Family family = net::Family::v4;
  std::string set;               // a named set, or
  std::vector<net::Cidr> elems;  // inline elements; neither: family only
};

struct PortMatch {
  net::Proto proto = net::Proto::tcp;
  std::vector<net::PortRange> ports;
  // `meta l4proto tcp ct original proto-dst ...`: the port the connection
  // was first sent to, before DNAT (the published chain).
  bool original = false;
};

struct MeterStmt {
  std::string set;
  net::Family family = net::Family::v4;
  ir::Rate rate;
  uint32_t burst = 5;
  // Non-zero: `ct count over N` (concurrent connections) instead of a rate.
  uint32_t connections = 0;
};

struct LimitStmt {
  ir::Rate rate;
  uint32_t burst = 0;  // 0: nft's default
  bool over = false;
};

// A named limit: every rule naming it draws from one token bucket (a
// global meter over several protocols or families).
struct LimitObject {
  std::string name;
  ir::Rate rate;
  uint32_t burst = 5;
  std::string comment;
};

struct LogStmt {
  std::string prefix;
  ir::LogLevel level = ir::LogLevel::info;
};

enum class Verdict { none, accept, drop, reject };

// Connection-tracking state bits, as the kernel numbers them.
enum CtState : uint32_t { ct_invalid = 1, ct_established = 2, ct_related = 4, ct_new_bit = 8, ct_untracked = 64 };

// The SYN proxy's options: fixed, the common values of Linux peers.
inline constexpr uint16_t kSynproxyMss = 1460;
inline constexpr uint8_t kSynproxyWscale = 7;

// `icmp type ...` / `icmpv6 type ...`; no types: the protocol alone
// (`meta l4proto icmp`).
struct IcmpMatch {
  net::Family family = net::Family::v4;
  std::vector<uint8_t> types;
  bool nd_hoplimit = false;  // also `ip6 hoplimit 255` (neighbour discovery)
};

// The name nft gives an ICMP or ICMPv6 type ("" when it has none).
const char* icmp_type_name(net::Family f, uint8_t type);

struct Rule {
  // Protocol-level matches, printed first.
  uint32_t ct_state = 0;  // CtState bits: `ct state established,related`
  bool not_dnat = false;  // `ct status & dnat == 0`: a connection no DNAT rewrote
  std::string iif, oif;   // `iif "lo"`
  std::optional<IcmpMatch> icmp;
  std::optional<AddrMatch> addr;
  std::optional<AddrMatch> addr2;  // forward rules match source and destination
  std::optional<PortMatch> port;
  bool tcp_syn = false;  // `tcp flags & (fin|syn|rst|ack) == syn`: a connection's first packet
  bool ct_new = false;
  std::optional<MeterStmt> meter;
  std::optional<LimitStmt> limit;
  std::string limit_object;  // `limit name "..."`
  std::optional<LogStmt> log;
  bool notrack = false;   // `notrack` (raw prerouting: the SYN proxy's SYNs)
  bool synproxy = false;  // `synproxy mss ... sack-perm`: the kernel answers the handshake
  Verdict verdict = Verdict::none;
  std::string comment;
};

struct Set {
  std::string name;
  net::Family family = net::Family::v4;
  net::AddrSet addrs;  // elements: its CIDRs of `family` (shared, not copied)
  bool meter = false;  // dynamic per-source meter state
  // A live block set (`flags interval,timeout`): its elements are runtime
  // state (fwc block), not part of the ruleset; `size` bounds it.
  bool live = false;
  uint64_t size = 0;
  // "" for a live set without a default lifetime, and on a meter that
  // counts connections (conntrack ends its entries).
  // Addresses from host names or `file:` lists: `fwc refresh` updates the
  // elements in place, so the set keeps its name however small it is.
  bool refreshable = false;
  std::string timeout;
  std::string comment;
};

struct Chain {
  std::string name;  // also the hook: input, output, forward, prerouting
  std::string hook;  // when it differs from the name (published: forward)
  bool raw = false;  // priority raw (before conntrack), else filter
  int32_t priority = 0;  // offset from priority filter
  Verdict policy = Verdict::drop;
  std::vector<Rule> rules;
};

// The hook of a chain: its name unless it says otherwise.
inline const std::string& hook_of(const Chain& c) { return c.hook.empty() ? c.name : c.hook; }

struct Table {
  std::vector<std::string> header;
  std::vector<Set> sets;
  std::vector<LimitObject> limits;
  std::vector<Chain> chains;
};

Table lower(const ir::Ruleset& rs, DiagnosticEngine& diags);
std::string emit(const Table& t);
std::unique_ptr<backend::Backend> make_backend();

// Appends the text form of an address or CIDR; fast, for million-entry sets.
void append_cidr(std::string& out, const net::Cidr& c);

}  // namespace fwc::nft
