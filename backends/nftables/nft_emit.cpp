#include <fmt/format.h>
#include <net/if.h>

#include <cstdlib>

#include "backends/common/escape.h"
#include "backends/nftables/nft_backend.h"

namespace fwc::nft {

namespace {

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::accept: return "accept";
    case Verdict::drop: return "drop";
    case Verdict::reject: return "reject";
    case Verdict::none: break;
  }
  return "";
}

const char* family_kw(net::Family f) { return f == net::Family::v4 ? "ip" : "ip6"; }

// A double-quoted nft string of at most `max` bytes.
std::string quoted(const std::string& text, size_t max) {
  return '"' + escape::nft_string(text, max) + '"';
}

void append_u32(std::string& out, uint32_t v) {
  fmt::format_int digits(v);
  out.append(digits.data(), digits.size());
}

void append_addr_match(std::string& out, const AddrMatch& m) {
  if (m.set.empty() && m.elems.empty()) {
    out += m.family == net::Family::v4 ? "meta nfproto ipv4 " : "meta nfproto ipv6 ";
    return;
  }
  out += family_kw(m.family);
  out += m.daddr ? " daddr " : " saddr ";
  if (m.negate) out += "!= ";
  if (!m.set.empty()) {
    out += "@" + m.set + " ";
    return;
  }
  if (m.elems.size() == 1) {
    append_cidr(out, m.elems[0]);
    out += ' ';
    return;
  }
  out += "{ ";
  for (size_t i = 0; i < m.elems.size(); ++i) {
    if (i) out += ", ";
    append_cidr(out, m.elems[i]);
  }
  out += " } ";
}

void append_ports(std::string& out, const PortMatch& p) {
  if (p.original) {
    out += "meta l4proto ";
    out += net::proto_name(p.proto);
    out += " ct original proto-dst ";
  } else {
    out += net::proto_name(p.proto);
    out += " dport ";
  }
  bool single = p.ports.size() == 1;
  if (!single) out += "{ ";
  for (size_t i = 0; i < p.ports.size(); ++i) {
    if (i) out += ", ";
    out += net::format_range(p.ports[i]);
  }
  out += single ? " " : " } ";
}

std::string rate_text(const ir::Rate& r) { return r.str(); }

void append_ct_state(std::string& out, uint32_t states) {
  out += "ct state ";
  bool first = true;
  for (auto [bit, name] : {std::pair{ct_invalid, "invalid"}, std::pair{ct_established, "established"},
                           std::pair{ct_related, "related"}, std::pair{ct_new_bit, "new"},
                           std::pair{ct_untracked, "untracked"}}) {
    if (!(states & bit)) continue;
    if (!first) out += ',';
    out += name;
    first = false;
  }
  out += ' ';
}

void append_icmp(std::string& out, const IcmpMatch& m) {
  const bool v4 = m.family == net::Family::v4;
  if (m.types.empty()) {
    out += v4 ? "meta l4proto icmp " : "meta l4proto ipv6-icmp ";
    return;
  }
  out += v4 ? "icmp type " : "icmpv6 type ";
  bool single = m.types.size() == 1;
  if (!single) out += "{ ";
  for (size_t i = 0; i < m.types.size(); ++i) {
    if (i) out += ", ";
    out += icmp_type_name(m.family, m.types[i]);
  }
  out += single ? " " : " } ";
  if (m.nd_hoplimit) out += "ip6 hoplimit 255 ";
}

void append_rule(std::string& out, const Rule& r) {
  out += "\t\t";
  if (r.not_dnat) out += "ct status & dnat == 0 ";
  if (r.ct_state) append_ct_state(out, r.ct_state);
  if (!r.iif.empty()) out += "iif " + quoted(r.iif, IFNAMSIZ - 1) + " ";
  if (!r.oif.empty()) out += "oif " + quoted(r.oif, IFNAMSIZ - 1) + " ";
  if (r.icmp) append_icmp(out, *r.icmp);
  if (r.addr) append_addr_match(out, *r.addr);
  if (r.addr2) append_addr_match(out, *r.addr2);
  if (r.port) append_ports(out, *r.port);
  if (r.tcp_syn) out += "tcp flags & (fin | syn | rst | ack) == syn ";
  if (r.ct_new) out += "ct state new ";
  if (r.meter && r.meter->connections) {
    out += "add @" + r.meter->set + " { " + family_kw(r.meter->family) + " saddr ct count over " +
           std::to_string(r.meter->connections) + " } ";
  } else if (r.meter) {
    out += "add @" + r.meter->set + " { " + family_kw(r.meter->family) + " saddr limit rate over " +
           rate_text(r.meter->rate) + " burst " + std::to_string(r.meter->burst) + " packets } ";
  }
  if (!r.limit_object.empty()) out += "limit name \"" + r.limit_object + "\" ";
  if (r.limit) {
    out += "limit rate ";
    if (r.limit->over) out += "over ";
    out += rate_text(r.limit->rate);
    if (r.limit->burst) out += " burst " + std::to_string(r.limit->burst) + " packets";
    out += ' ';
  }
  out += "counter ";
  if (r.notrack) out += "notrack ";
  if (r.synproxy)
    out += "synproxy mss " + std::to_string(kSynproxyMss) + " wscale " + std::to_string(kSynproxyWscale) +
           " timestamp sack-perm ";
  if (r.log)
    out += "log prefix \"" + escape::nft_log_prefix(r.log->prefix, kLogPrefixMax) + "\" level " + ir::level_name(r.log->level) + " ";
  if (r.verdict != Verdict::none) {
    out += verdict_text(r.verdict);
    out += ' ';
  }
  out += "comment " + quoted(r.comment, kCommentMax) + "\n";
}

void append_set(std::string& out, const Set& s) {
  out += "\tset " + s.name + " {\n";
  out += std::string("\t\ttype ") + (s.family == net::Family::v4 ? "ipv4_addr" : "ipv6_addr") + "\n";
  if (s.meter) {
    if (s.timeout.empty()) out += "\t\tsize 65535\n\t\tflags dynamic\n";
    else out += "\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout " + s.timeout + "\n";
    out += "\t\tcomment " + quoted(s.comment, kCommentMax) + "\n";
    out += "\t}\n";
    return;
  }
  if (s.live) {
    out += "\t\tflags interval,timeout\n\t\tsize " + std::to_string(s.size) + "\n";
    if (!s.timeout.empty()) out += "\t\ttimeout " + s.timeout + "\n";
    out += "\t\tcomment " + quoted(s.comment, kCommentMax) + "\n\t}\n";
    return;
  }
  out += "\t\tflags interval\n";
  if (!s.comment.empty()) out += "\t\tcomment " + quoted(s.comment, kCommentMax) + "\n";
  // An empty set (a name without addresses of this family yet) has no
  // elements line: nft refuses `elements = { }`.
  if (s.addrs.empty(s.family)) {
    out += "\t}\n";
    return;
  }
  out += "\t\telements = {";
  // CIDRs are produced interval by interval: a million-entry set is never
  // held as a second list.
  size_t i = 0;
  std::vector<net::Cidr> chunk;
  for (const auto& iv : s.addrs.intervals(s.family)) {
    chunk.clear();
    net::interval_to_cidrs(s.family, iv, chunk);
    for (const auto& c : chunk) {
      if (i) out += ',';
      out += (i++ % 4 == 0) ? "\n\t\t\t" : " ";
      append_cidr(out, c);
    }
  }
  out += "\n\t\t}\n\t}\n";
}

}  // namespace

const char* icmp_type_name(net::Family f, uint8_t type) {
  if (f == net::Family::v4) {
    switch (type) {
      case 0: return "echo-reply";
      case 3: return "destination-unreachable";
      case 8: return "echo-request";
      case 11: return "time-exceeded";
      case 12: return "parameter-problem";
      default: return "";
    }
  }
  switch (type) {
    case 1: return "destination-unreachable";
    case 2: return "packet-too-big";
    case 3: return "time-exceeded";
    case 4: return "parameter-problem";
    case 128: return "echo-request";
    case 129: return "echo-reply";
    case 133: return "nd-router-solicit";
    case 134: return "nd-router-advert";
    case 135: return "nd-neighbor-solicit";
    case 136: return "nd-neighbor-advert";
    case 137: return "nd-redirect";
    default: return "";
  }
}

void append_cidr(std::string& out, const net::Cidr& c) {
  if (c.family == net::Family::v4) {
    uint32_t v = static_cast<uint32_t>(c.addr);
    append_u32(out, v >> 24);
    out += '.';
    append_u32(out, (v >> 16) & 255);
    out += '.';
    append_u32(out, (v >> 8) & 255);
    out += '.';
    append_u32(out, v & 255);
  } else {
    out += net::format_address(c.family, c.addr);
  }
  if (c.len != net::width(c.family)) {
    out += '/';
    append_u32(out, c.len);
  }
}

std::string emit(const Table& t) {
  std::string out;
  size_t elements = 0;
  for (const auto& s : t.sets) elements += s.addrs.intervals(s.family).size();
  out.reserve(4096 + elements * 24);
  out += "#!/usr/sbin/nft -f\n";
  for (const auto& line : t.header) out += "# " + escape::comment_line(line) + "\n";
  // Declaring the table first makes the delete valid even when it does not
  // exist yet; the whole file is one transaction.
  out += "table inet fwc\ndelete table inet fwc\n\ntable inet fwc {\n";
  for (const auto& s : t.sets) append_set(out, s);
  for (const auto& l : t.limits) {
    out += "\tlimit " + l.name + " {\n\t\trate over " + rate_text(l.rate) + " burst " +
           std::to_string(l.burst) + " packets\n\t\tcomment " + quoted(l.comment, kCommentMax) + "\n\t}\n";
  }
  for (const auto& c : t.chains) {
    out += "\n\tchain " + c.name + " {\n";
    std::string priority = c.raw ? " priority raw" : " priority filter";
    if (c.priority) priority += (c.priority < 0 ? " - " : " + ") + std::to_string(std::abs(c.priority));
    out += "\t\ttype filter hook " + hook_of(c) + priority + "; policy " + verdict_text(c.policy) + ";\n";
    for (const auto& r : c.rules) append_rule(out, r);
    out += "\t}\n";
  }
  out += "}\n";
  return out;
}

std::unique_ptr<backend::Backend> make_backend() {
  return std::make_unique<backend::LoweringBackend<Table>>(
      &lower, [](const Table& t) { return std::vector<backend::Artifact>{{"nft", emit(t)}}; });
}

}  // namespace fwc::nft
