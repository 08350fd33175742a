#include "backends/cloud/cloud_model.h"

#include <algorithm>

#include "backends/explain_view.h"

namespace fwc::cloud {

std::optional<Provider> provider_named(std::string_view target) {
  if (target == "digitalocean") return Provider::digitalocean;
  if (target == "aws") return Provider::aws;
  if (target == "hetzner") return Provider::hetzner;
  return std::nullopt;
}

const char* provider_name(Provider p) {
  switch (p) {
    case Provider::aws:
      return "aws";
    case Provider::hetzner:
      return "hetzner";
    case Provider::digitalocean:
      break;
  }
  return "digitalocean";
}

const char* provider_title(Provider p) {
  switch (p) {
    case Provider::aws:
      return "AWS";
    case Provider::hetzner:
      return "Hetzner";
    case Provider::digitalocean:
      break;
  }
  return "DigitalOcean";
}

const char* proto_name(Proto p) {
  switch (p) {
    case Proto::udp:
      return "udp";
    case Proto::icmp:
      return "icmp";
    case Proto::all:
      return "all";
    case Proto::tcp:
      break;
  }
  return "tcp";
}

const Limits& limits_of(Provider p) {
  static const Limits digitalocean{50, 1000, "addresses", "sources field", "destinations field", 0, 0};
  static const Limits hetzner{50, 100, "CIDRs", "source_ips", "destination_ips", 0, 0};
  static const Limits aws{0, 0, "", "", "", 60, 5};
  switch (p) {
    case Provider::aws:
      return aws;
    case Provider::hetzner:
      return hetzner;
    case Provider::digitalocean:
      break;
  }
  return digitalocean;
}

std::string NativeRef::str() const {
  switch (kind) {
    case Kind::droplet:
      return "droplet " + value;
    case Kind::security_group:
      return "security group " + value;
    case Kind::tag:
      break;
  }
  return "tag " + value;
}

void Peers::unite(const Peers& other) {
  cidrs.unite(other.cidrs);
  for (const auto& r : other.refs) {
    auto same = [&](const NativeRef& mine) { return mine.kind == r.kind && mine.value == r.value; };
    auto it = std::find_if(refs.begin(), refs.end(), same);
    if (it == refs.end())
      refs.push_back(r);
    else
      it->members.unite(r.members);
  }
}

size_t Peers::address_count() const {
  return cidrs.cidr_count(net::Family::v4) + cidrs.cidr_count(net::Family::v6);
}

std::string Rule::what() const {
  switch (proto) {
    case Proto::icmp:
      return "icmp";
    case Proto::all:
      return "all traffic";
    case Proto::tcp:
    case Proto::udp:
      break;
  }
  return std::string(proto_name(proto)) + (all_ports() ? " (all ports)" : " " + port_text(ports));
}

std::string Rule::labels() const {
  std::string out;
  std::vector<std::string> seen;
  for (const auto& o : origins) {
    if (std::find(seen.begin(), seen.end(), o.label) != seen.end()) continue;
    seen.push_back(o.label);
    out += (out.empty() ? "" : ", ") + o.label;
  }
  return out;
}

std::string cidr_text(const net::Cidr& c) {
  return net::format_address(c.family, c.addr) + "/" + std::to_string(c.len);
}

std::vector<std::string> cidr_texts(const net::AddrSet& s, net::Family f) {
  std::vector<std::string> out;
  for (const auto& c : s.cidrs(f)) out.push_back(cidr_text(c));
  return out;
}

std::vector<std::string> cidr_texts(const net::AddrSet& s) {
  std::vector<std::string> out = cidr_texts(s, net::Family::v4);
  for (auto& t : cidr_texts(s, net::Family::v6)) out.push_back(std::move(t));
  return out;
}

std::string port_text(net::PortRange r) {
  return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

std::string thousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {
class CloudBackend final : public backend::Backend {
 public:
  CloudBackend(Provider p, Printer print) : provider_(p), print_(print) {}
  std::optional<std::vector<backend::Artifact>> compile(const ir::Ruleset& rs, DiagnosticEngine& diags) override {
    auto g = lower(rs, provider_, diags);
    if (!g) return std::nullopt;
    return print_(*g);
  }
  std::unique_ptr<backend::ExplainView> explain_view(const ir::Ruleset& rs, DiagnosticEngine& diags) override {
    auto g = lower(rs, provider_, diags);
    if (!g) return nullptr;
    return make_explain_view(std::move(*g));
  }

 private:
  Provider provider_;
  Printer print_;
};
}  // namespace

std::unique_ptr<backend::Backend> make_backend(Provider p, Printer print) {
  return std::make_unique<CloudBackend>(p, print);
}

std::string dump(const nlohmann::ordered_json& j) {
  // Comments and names come from the policy: bytes that are not UTF-8 become U+FFFD.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace fwc::cloud
