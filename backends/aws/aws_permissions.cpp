#include <cctype>

#include "backends/aws/aws_backend.h"
#include "backends/common/escape.h"

namespace fwc::aws {

namespace {

using net::Family;
using nlohmann::ordered_json;

// `self` is the group being written; sg-... ids are used as given; any
// other name is another group fwc writes, known by its placeholder.
std::string group_id(const cloud::Group& g, const std::string& ref) {
  if (ref == "self") return placeholder(g.name);
  if (ref.rfind("sg-", 0) == 0) return ref;
  return placeholder(ref);
}

// One IpPermission: the rule's CIDRs of `families` and its group references.
ordered_json permission(const cloud::Group& g, const cloud::Rule& r, const std::string& protocol, bool v4,
                        bool v6) {
  ordered_json p;
  p["IpProtocol"] = protocol;
  if (r.proto == cloud::Proto::tcp || r.proto == cloud::Proto::udp) {
    p["FromPort"] = r.all_ports() ? 0 : r.ports.lo;
    p["ToPort"] = r.ports.hi;
  } else if (r.proto == cloud::Proto::icmp) {
    p["FromPort"] = -1;  // every type
    p["ToPort"] = -1;    // every code
  }
  const std::string what = description_text(r.labels());
  ordered_json ranges = ordered_json::array(), ranges6 = ordered_json::array(), pairs = ordered_json::array();
  if (v4)
    for (const auto& c : cloud::cidr_texts(r.peers.cidrs, Family::v4))
      ranges.push_back({{"CidrIp", c}, {"Description", what}});
  if (v6)
    for (const auto& c : cloud::cidr_texts(r.peers.cidrs, Family::v6))
      ranges6.push_back({{"CidrIpv6", c}, {"Description", what}});
  for (const auto& ref : r.peers.refs)
    pairs.push_back({{"GroupId", group_id(g, ref.value)},
                     {"Description", description_text(r.labels() + " (network " + ref.network + ")")}});
  if (!ranges.empty()) p["IpRanges"] = ranges;
  if (!ranges6.empty()) p["Ipv6Ranges"] = ranges6;
  if (!pairs.empty()) p["UserIdGroupPairs"] = pairs;
  return p;
}

bool has_peers(const ordered_json& p) {
  return p.contains("IpRanges") || p.contains("Ipv6Ranges") || p.contains("UserIdGroupPairs");
}

ordered_json permissions(const cloud::Group& g, const std::vector<cloud::Rule>& rules) {
  ordered_json out = ordered_json::array();
  for (const auto& r : rules) {
    if (r.proto == cloud::Proto::icmp) {
      // ICMP and ICMPv6 are separate protocols to AWS.
      for (auto p : {permission(g, r, "icmp", true, false), permission(g, r, "icmpv6", false, true)})
        if (has_peers(p)) out.push_back(std::move(p));
      continue;
    }
    const char* protocol = r.proto == cloud::Proto::all ? "-1" : cloud::proto_name(r.proto);
    out.push_back(permission(g, r, protocol, true, true));
  }
  return out;
}

std::string request(const cloud::Group& g, ordered_json perms) {
  if (perms.empty()) return {};
  ordered_json j;
  j["GroupId"] = placeholder(g.name);
  j["IpPermissions"] = std::move(perms);
  return cloud::dump(j);
}

ordered_json everything(Family f, const char* label) {
  ordered_json range =
      f == Family::v4 ? ordered_json{{"CidrIp", "0.0.0.0/0"}} : ordered_json{{"CidrIpv6", "::/0"}};
  if (label) range["Description"] = label;
  return ordered_json::array(
      {{{"IpProtocol", "-1"}, {f == Family::v4 ? "IpRanges" : "Ipv6Ranges", {range}}}});
}

}  // namespace

std::string description_text(const std::string& text) {
  return escape::cloud_text(text, escape::kAwsTextChars, ' ', 255);
}

std::string ingress_payload(const cloud::Group& g) {
  return request(g, permissions(g, g.inbound));
}

// A new group lets all IPv4 traffic out; open outbound adds IPv6.
std::string egress_payload(const cloud::Group& g) {
  if (g.outbound_open) return request(g, everything(Family::v6, "defaults.outbound"));
  return request(g, permissions(g, g.outbound));
}

std::string revoke_egress_payload(const cloud::Group& g) {
  if (g.outbound_open) return {};
  return request(g, everything(Family::v4, nullptr));
}

}  // namespace fwc::aws
