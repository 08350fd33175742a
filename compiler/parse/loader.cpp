#include "compiler/parse/loader.h"

#include <algorithm>
#include <set>

#include "compiler/diag/codes.h"
#include "compiler/diag/printable.h"
#include "compiler/ir/units.h"
#include "compiler/parse/input_file.h"
#include "compiler/parse/tests_section.h"
#include "compiler/parse/yaml_walker.h"

namespace fwc::parse {

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
}

std::string join_path(const std::string& dir, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  if (dir == ".") return rel;
  return dir + "/" + rel;
}

namespace {

class PolicyReader {
 public:
  PolicyReader(YamlWalker& w, ast::Policy& p) : w_(w), p_(p) {}

  void read_document(const YAML::Node& root);
  void read_fragment(const YAML::Node& root);

 private:
  void read_networks(const YAML::Node& n);
  void read_network(const ast::Text& name, const YAML::Node& n);
  void read_native(ast::Network& net, const char* provider, const YAML::Node& n);
  void read_services(const YAML::Node& n);
  void read_roles(const YAML::Node& n);
  void read_nodes(const YAML::Node& n);
  void read_defaults(const YAML::Node& n);
  std::optional<ast::LogSpec> read_log_spec(const YAML::Node& n, const std::string& what);
  void read_blocks(const YAML::Node& n);
  void read_dynamic(const YAML::Node& item, const std::string& what, ast::BlockRule& r);
  void read_allows(const YAML::Node& n, const char* kind, std::vector<ast::AllowRule>& out);
  void read_rate_limits(const YAML::Node& n);
  void read_meter_limit(const YAML::Node& item, const std::string& what, ast::RateLimit& r);
  void read_cloud(const YAML::Node& n);
  bool read_rule_base(const YAML::Node& n, ast::RuleBase& r);
  std::optional<ast::Text> log_prefix(const YAML::Node& n, const std::string& what);
  std::vector<int64_t> ids(const YAML::Node& n, const std::string& what);
  std::vector<std::string> strings(const YAML::Node& n, const std::string& what);
  // The warning codes of an `ignore` list that `acknowledger` may name
  // (codes.def); others are errors.
  std::vector<ast::Text> acknowledged(const YAML::Node& n, const std::string& what, const char* who,
                                      Acknowledger acknowledger);

  YamlWalker& w_;
  ast::Policy& p_;
};

void PolicyReader::read_document(const YAML::Node& root) {
  size_t before = w_.diags().error_count();
  if (!w_.expect_map(root, "the policy",
                     {"fwc", "name", "description", "include", "networks", "services", "roles",
                      "nodes", "defaults", "never", "block", "inbound", "outbound", "forward",
                      "rate_limits", "cloud", "tests"}))
    return;
  // A misspelt section may be any of them.
  if (w_.diags().error_count() > before) p_.incomplete = {true, true, true, true};
  p_.loc = w_.loc(root);
  if (!root["fwc"]) {
    w_.diags().error(code::missing_key, p_.loc, "the policy needs 'fwc: 1' (the language version)");
  } else if (!root["fwc"].IsScalar() || root["fwc"].Scalar() != "1") {
    w_.diags().error(code::bad_version, w_.loc(root["fwc"]),
                     "unsupported policy language version" +
                         (root["fwc"].IsScalar() ? " '" + root["fwc"].Scalar() + "'" : std::string()),
                     "this fwc reads 'fwc: 1'");
  }
  if (w_.require(root, "name", "the policy")) {
    if (auto t = w_.scalar(root["name"], "name"); t && w_.name_ok(*t, "policy name")) p_.name = *t;
  }
  if (auto d = root["description"]) {
    if (auto t = w_.scalar(d, "description")) p_.description = t->value;
  }
  read_fragment(root);
  size_t errors = w_.diags().error_count();
  if (auto n = root["roles"]) read_roles(n);
  if (auto n = root["nodes"]) read_nodes(n);
  // Nodes declare roles too: a lost node may be what a role reference names.
  if (w_.diags().error_count() > errors) p_.incomplete.roles = p_.incomplete.nodes = true;
  if (auto n = root["defaults"]) read_defaults(n);
  if (auto n = root["never"]) {
    p_.never_loc = w_.loc(n);
    p_.never = w_.scalar_list(n, "never");
  }
  if (auto n = root["block"]) read_blocks(n);
  if (auto n = root["inbound"]) read_allows(n, "inbound", p_.inbound);
  if (auto n = root["outbound"]) read_allows(n, "outbound", p_.outbound);
  if (auto n = root["forward"]) read_allows(n, "forward", p_.forward);
  if (auto n = root["rate_limits"]) read_rate_limits(n);
  if (auto n = root["cloud"]) read_cloud(n);
  if (auto n = root["tests"]) read_tests(w_, n, p_.tests);
}

void PolicyReader::read_fragment(const YAML::Node& root) {
  if (auto n = root["networks"]) {
    size_t errors = w_.diags().error_count();
    read_networks(n);
    p_.incomplete.networks |= w_.diags().error_count() > errors;
  }
  if (auto n = root["services"]) {
    size_t errors = w_.diags().error_count();
    read_services(n);
    p_.incomplete.services |= w_.diags().error_count() > errors;
  }
}

// A key repeated in one mapping is reported by expect_map; the later
// entries are skipped so that resolution does not report them again.
bool repeated(const YAML::Node& key, std::set<std::string>& seen) {
  return key.IsScalar() && !seen.insert(key.Scalar()).second;
}

// A dynamic set's name becomes part of kernel set names (dyn_NAME_v4).
bool dynamic_name_ok(const std::string& s) {
  if (s.empty() || s.size() > 24 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void PolicyReader::read_networks(const YAML::Node& n) {
  if (!w_.expect_map(n, "networks")) return;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (repeated(it->first, seen)) continue;
    auto name = w_.key(it->first, "network name");
    if (name) read_network(*name, it->second);
  }
}

void PolicyReader::read_network(const ast::Text& name, const YAML::Node& n) {
  ast::Network net;
  net.name = name;
  std::string what = "network '" + name.value + "'";
  if (n.IsScalar() || n.IsSequence()) {
    net.addresses = w_.scalar_list(n, what);
  } else if (n.IsMap()) {
    size_t errors = w_.diags().error_count();
    w_.expect_map(n, what,
                  {"addresses", "except", "file", "description", "min_entries", "digitalocean", "aws",
                   "hetzner"});
    if (auto a = n["addresses"]) net.addresses = w_.scalar_list(a, what + " addresses");
    if (auto e = n["except"]) net.except = w_.scalar_list(e, what + " except");
    if (auto f = n["file"]) net.files = w_.scalar_list(f, what + " file");
    if (auto d = n["description"]) {
      if (auto t = w_.scalar(d, "description")) net.description = t->value;
    }
    if (auto m = n["min_entries"]) {
      net.min_entries_loc = w_.loc(m);
      if (auto v = w_.integer(m, what + " min_entries", 1, 100000000)) net.min_entries = static_cast<uint64_t>(*v);
    }
    for (const char* provider : {"digitalocean", "aws", "hetzner"})
      if (auto c = n[provider]) read_native(net, provider, c);
    // A cloud reference that was refused is not also a missing one.
    if (net.addresses.empty() && net.files.empty() && net.native.empty() && !n["addresses"] &&
        w_.diags().error_count() == errors)
      w_.diags().error(code::missing_key, w_.loc(n),
                       what + " needs 'addresses', 'file' or a cloud reference");
  } else {
    w_.type_error(n, what, "an address, a list of addresses or a map");
  }
  p_.networks.push_back(std::move(net));
}

namespace {
// AWS security group ids: "sg-" and 8 (older) or 17 lower-case hex digits.
// Other values name fwc's own groups ("self" or a node/role group).
bool is_security_group_id(const std::string& id) {
  if (id.rfind("sg-", 0) != 0) return false;
  std::string hex = id.substr(3);
  return (hex.size() == 8 || hex.size() == 17) && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
}
}  // namespace

void PolicyReader::read_native(ast::Network& net, const char* provider, const YAML::Node& n) {
  std::string what = std::string(provider) + " reference of network '" + net.name.value + "'";
  std::string p = provider;
  if (p == "digitalocean") {
    if (!w_.expect_map(n, what, {"tags", "droplet_ids"})) return;
    if (auto t = n["tags"]) net.native.do_tags = w_.scalar_list(t, what + " tags");
    if (auto d = n["droplet_ids"]) {
      for (auto& t : w_.scalar_list(d, what + " droplet_ids")) {
        bool digits = !t.value.empty() && t.value.find_first_not_of("0123456789") == std::string::npos;
        if (!digits) w_.diags().error(code::bad_value, t.loc, "droplet id '" + t.value + "' is not a number", {}, t.length());
        else net.native.do_droplet_ids.push_back(t);
      }
    }
  } else if (p == "aws") {
    if (!w_.expect_map(n, what, {"security_group"})) return;
    if (w_.require(n, "security_group", what)) {
      auto sg = w_.scalar(n["security_group"], what + " security_group");
      if (sg && sg->value.rfind("sg-", 0) == 0 && !is_security_group_id(sg->value))
        w_.diags().error(code::bad_value, sg->loc,
                         "'" + sg->value + "' is not an AWS security group id",
                         "ids are 'sg-' and 8 or 17 hexadecimal digits, e.g. sg-0123456789abcdef0", sg->length());
      else
        net.native.aws_security_group = sg;
    }
  } else {
    if (!w_.expect_map(n, what, {"addresses"})) return;
    net.native.has_hetzner = true;
    if (w_.require(n, "addresses", what))
      net.native.hetzner_addresses = w_.scalar_list(n["addresses"], what + " addresses");
  }
}

void PolicyReader::read_services(const YAML::Node& n) {
  if (!w_.expect_map(n, "services")) return;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (repeated(it->first, seen)) continue;
    auto name = w_.key(it->first, "service name");
    if (!name) continue;
    ast::Service s;
    s.name = *name;
    s.items = w_.scalar_list(it->second, "service '" + name->value + "'");
    if (s.items.empty() && it->second.IsSequence())
      w_.diags().error(code::missing_key, w_.loc(it->second), "service '" + name->value + "' is empty");
    p_.services.push_back(std::move(s));
  }
}

void PolicyReader::read_roles(const YAML::Node& n) {
  if (n.IsSequence()) {
    for (auto& t : w_.scalar_list(n, "roles"))
      if (w_.name_ok(t, "role name")) p_.roles.push_back(t);
  } else if (n.IsMap()) {
    w_.expect_map(n, "roles");
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (repeated(it->first, seen)) continue;
      if (auto t = w_.key(it->first, "role name")) p_.roles.push_back(*t);
    }
  } else {
    w_.type_error(n, "roles", "a list or a map");
  }
}

void PolicyReader::read_nodes(const YAML::Node& n) {
  if (!w_.expect_map(n, "nodes")) return;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (repeated(it->first, seen)) continue;
    auto name = w_.key(it->first, "node name");
    if (!name) continue;
    std::string what = "node '" + name->value + "'";
    const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
    if (!w_.expect_map(v, what, {"address", "addresses", "roles", "hostname"})) continue;
    ast::Node node;
    node.name = *name;
    if (auto a = v["address"]) {
      if (auto t = w_.scalar(a, what + " address")) node.addresses.push_back(*t);
    }
    if (auto a = v["addresses"]) {
      auto more = w_.scalar_list(a, what + " addresses");
      node.addresses.insert(node.addresses.end(), more.begin(), more.end());
    }
    if (!v["address"] && !v["addresses"])
      w_.diags().error(code::missing_key, w_.loc(v), what + " needs 'address' or 'addresses'");
    if (auto r = v["roles"])
      for (auto& t : w_.scalar_list(r, what + " roles"))
        if (w_.name_ok(t, "role name")) node.roles.push_back(t);
    if (auto h = v["hostname"]) {
      if (auto t = w_.scalar(h, what + " hostname")) node.hostname = t->value;
    }
    p_.nodes.push_back(std::move(node));
  }
}

std::optional<ast::Text> PolicyReader::log_prefix(const YAML::Node& n, const std::string& what) {
  if (n.IsScalar() && scalar_style(n) == ScalarStyle::plain &&
      (is_yaml11_boolean(n.Scalar()) || n.Scalar() == "true" || n.Scalar() == "True" ||
       n.Scalar() == "TRUE" || w_.is_false(n))) {
    // `log: yes` or `log: off` means a switch, not the prefix "yes".
    w_.diags().error(code::wrong_type, w_.loc(n), what + " must be a log prefix, not a boolean",
                     "quote it to use '" + n.Scalar() +
                         "' as the prefix; for no log, leave 'log' out (or, in defaults, write false)",
                     static_cast<uint32_t>(n.Scalar().size()));
    return std::nullopt;
  }
  auto t = w_.scalar(n, what);
  if (!t) return std::nullopt;
  bool printable = t->value.size() <= 64;
  // nft reads `$NAME` in a log prefix as a variable and has no escape for it.
  for (unsigned char c : t->value)
    printable = printable && c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '$';
  if (!printable || t->value.empty()) {
    w_.diags().error(code::bad_value, t->loc,
                     what + " must be 1-64 printable ASCII characters without quotes, backslashes or '$'",
                     "nft reads $NAME in a log prefix as a variable", t->length());
    return std::nullopt;
  }
  return t;
}

std::optional<ast::LogSpec> PolicyReader::read_log_spec(const YAML::Node& n, const std::string& what) {
  if (n.IsScalar()) {
    if (auto t = log_prefix(n, what)) return ast::LogSpec{*t, std::nullopt, "info"};
    return std::nullopt;
  }
  if (!w_.expect_map(n, what, {"prefix", "rate", "level"})) return std::nullopt;
  ast::LogSpec spec;
  if (!w_.require(n, "prefix", what)) return std::nullopt;
  auto prefix = log_prefix(n["prefix"], what + " prefix");
  if (!prefix) return std::nullopt;
  spec.prefix = *prefix;
  if (auto r = n["rate"]) spec.rate = w_.rate(r, what + " rate");
  if (auto l = n["level"]) {
    if (auto t = w_.word(l, what + " level",
                         {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}))
      spec.level = t->value;
  }
  return spec;
}

void PolicyReader::read_defaults(const YAML::Node& n) {
  if (!w_.expect_map(n, "defaults", {"inbound", "outbound", "forward", "icmp", "published", "ssh", "log", "ignore"}))
    return;
  ast::Defaults& d = p_.defaults;
  d.loc = w_.loc(n);
  d.inbound_loc = w_.key_loc(n, "inbound");
  d.outbound_loc = w_.key_loc(n, "outbound");
  d.forward_loc = w_.key_loc(n, "forward");
  d.icmp_loc = w_.key_loc(n, "icmp");
  d.published_loc = w_.key_loc(n, "published");
  d.log_loc = w_.key_loc(n, "log");
  if (auto v = n["inbound"]) {
    if (auto t = w_.word(v, "defaults.inbound", {"drop", "reject", "accept"})) d.inbound = *t;
  }
  if (auto v = n["outbound"]) {
    if (auto t = w_.word(v, "defaults.outbound", {"accept", "drop", "reject"})) d.outbound = *t;
  }
  if (auto v = n["forward"]) {
    if (auto t = w_.word(v, "defaults.forward", {"accept", "drop", "reject"})) d.forward = *t;
  }
  if (auto v = n["icmp"]) {
    if (auto t = w_.word(v, "defaults.icmp", {"essential", "no-ping", "all"})) d.icmp = *t;
  }
  if (auto v = n["published"]) {
    if (auto t = w_.word(v, "defaults.published", {"govern", "ignore"})) d.published = *t;
  }
  if (auto v = n["ssh"]) d.ssh = w_.scalar_list(v, "defaults.ssh");
  if (auto v = n["log"]) {
    if (!w_.is_false(v)) d.log = read_log_spec(v, "defaults.log");
  }
  if (auto v = n["ignore"]) d.ignore = acknowledged(v, "defaults ignore", "defaults", Acknowledger::defaults);
}

std::vector<ast::Text> PolicyReader::acknowledged(const YAML::Node& n, const std::string& what,
                                                  const char* who, Acknowledger acknowledger) {
  const std::vector<std::string> codes = acknowledgeable_by(acknowledger);
  std::vector<ast::Text> out;
  std::string list;
  for (const auto& c : codes) list += (list.empty() ? "" : ", ") + c;
  for (auto& t : w_.scalar_list(n, what)) {
    if (std::find(codes.begin(), codes.end(), t.value) != codes.end()) {
      out.push_back(t);
      continue;
    }
    std::string hint = did_you_mean(t.value, codes);
    w_.diags().error(code::bad_value, t.loc, "'" + t.value + "' is not a warning " + who + " can acknowledge",
                     hint.empty() ? "acknowledge " + list : hint, t.length());
  }
  return out;
}

bool PolicyReader::read_rule_base(const YAML::Node& n, ast::RuleBase& r) {
  r.loc = w_.loc(n);
  std::string what = r.kind + "[" + std::to_string(r.index) + "]";
  if (auto v = n["name"]) {
    if (auto t = w_.scalar(v, what + " name"); t && w_.name_ok(*t, "rule name")) r.name = t->value;
  }
  if (auto v = n["comment"]) {
    if (auto t = w_.scalar(v, what + " comment")) r.comment = t->value;
  }
  if (auto v = n["roles"]) r.scope.roles = w_.scalar_list(v, what + " roles");
  if (auto v = n["nodes"]) r.scope.nodes = w_.scalar_list(v, what + " nodes");
  if (auto v = n["ignore"])
    r.ignore = acknowledged(v, what + " ignore", "a rule", Acknowledger::rule);
  return true;
}

void PolicyReader::read_blocks(const YAML::Node& n) {
  if (!n.IsSequence()) return w_.type_error(n, "block", "a list of rules");
  size_t index = 0;
  for (const auto& item : n) {
    ast::BlockRule r;
    r.kind = "block";
    r.index = index++;
    std::string what = "block[" + std::to_string(r.index) + "]";
    size_t errors = w_.diags().error_count();
    if (!w_.expect_map(item, what,
                       {"name", "dynamic", "timeout", "max", "from", "to", "services", "action", "log",
                        "comment", "roles", "nodes", "ignore"}))
      continue;
    read_rule_base(item, r);
    r.has_from = static_cast<bool>(item["from"]);
    r.has_to = static_cast<bool>(item["to"]);
    if (r.has_from) r.from = w_.scalar_list(item["from"], what + " from");
    if (r.has_to) r.to = w_.scalar_list(item["to"], what + " to");
    if (item["dynamic"] || item["timeout"] || item["max"]) {
      read_dynamic(item, what, r);
    } else if (r.has_from == r.has_to)
      w_.diags().error(r.has_from ? code::bad_value : code::missing_key,
                       r.has_from ? w_.key_loc(item, "to") : r.loc,
                       what + " needs exactly one of 'from' (inbound) or 'to' (outbound)");
    if (auto v = item["services"]) r.services = w_.scalar_list(v, what + " services");
    if (auto v = item["action"]) {
      if (auto t = w_.word(v, what + " action", {"drop", "reject"})) r.action = *t;
    }
    if (auto v = item["log"]) r.log = log_prefix(v, what + " log");
    r.broken = w_.diags().error_count() > errors;
    p_.block.push_back(std::move(r));
  }
}

// `dynamic: NAME` with its `timeout` and `max`: a live set instead of
// from/to, holding sources of inbound traffic of every port.
void PolicyReader::read_dynamic(const YAML::Node& item, const std::string& what, ast::BlockRule& r) {
  if (!item["dynamic"]) {
    w_.diags().error(code::missing_key, r.loc, what + ": 'timeout' and 'max' belong to a dynamic block set",
                     "add 'dynamic: NAME', or remove them");
    return;
  }
  ast::DynamicSet d;
  if (auto t = w_.scalar(item["dynamic"], what + " dynamic")) {
    d.name = *t;
    if (!dynamic_name_ok(t->value))
      w_.diags().error(code::bad_value, t->loc, what + ": bad dynamic set name '" + t->value + "'",
                       "use 1 to 24 lower-case letters, digits, '-' or '_', starting with a letter",
                       t->length());
  }
  if (auto v = item["timeout"]) {
    d.timeout_loc = w_.loc(v);
    if (auto t = w_.scalar(v, what + " timeout")) {
      auto secs = ir::parse_duration(t->value);
      if (!secs)
        w_.diags().error(code::bad_value, t->loc, what + ": bad timeout '" + t->value + "'",
                         "write N followed by s, m, h or d (90s, 30m, 1h, 7d), at most 366d", t->length());
      else
        d.timeout = *secs;
    }
  }
  if (auto v = item["max"]) {
    if (auto m = w_.integer(v, what + " max", 1, 16777216)) d.max = static_cast<uint64_t>(*m);
  }
  for (const char* key : {"from", "to", "services"})
    if (item[key])
      w_.diags().error(code::bad_value, w_.key_loc(item, key),
                       what + ": a dynamic block set takes no '" + key + "'",
                       "its entries come from 'fwc block'; it applies to all inbound traffic from them");
  r.dynamic = std::move(d);
}

void PolicyReader::read_allows(const YAML::Node& n, const char* kind,
                               std::vector<ast::AllowRule>& out) {
  if (!n.IsSequence()) return w_.type_error(n, kind, "a list of rules");
  const std::string k = kind;
  size_t index = 0;
  for (const auto& item : n) {
    ast::AllowRule r;
    r.kind = k;
    r.index = index++;
    std::string what = k + "[" + std::to_string(r.index) + "]";
    size_t errors = w_.diags().error_count();
    bool ok = k == "inbound" ? w_.expect_map(item, what,
                                             {"name", "allow", "from", "log", "otherwise", "synproxy",
                                              "comment", "roles", "nodes", "ignore"})
              : k == "outbound"
                  ? w_.expect_map(item, what, {"name", "allow", "to", "comment", "roles", "nodes", "ignore"})
                  : w_.expect_map(item, what,
                                  {"name", "allow", "from", "to", "comment", "roles", "nodes", "ignore"});
    if (!ok) continue;
    read_rule_base(item, r);
    if (w_.require(item, "allow", what)) {
      r.allow = w_.scalar_list(item["allow"], what + " allow");
      if (r.allow.empty() && item["allow"].IsSequence())
        w_.diags().error(code::missing_key, w_.loc(item["allow"]), what + " allows nothing",
                         "list services, port specs like 443/tcp, or 'all'");
    }
    if (k != "outbound" && w_.require(item, "from", what)) {
      r.from = w_.scalar_list(item["from"], what + " from");
      if (r.from.empty() && item["from"].IsSequence())
        w_.diags().error(code::missing_key, w_.loc(item["from"]), what + " has no sources",
                         "write 'from: any' to allow every source");
    }
    if (k != "inbound" && w_.require(item, "to", what)) r.to = w_.scalar_list(item["to"], what + " to");
    if (auto v = item["log"]) r.log = log_prefix(v, what + " log");
    if (auto v = item["synproxy"]) {
      r.synproxy_loc = w_.loc(v);
      if (auto b = w_.boolean(v, what + " synproxy")) r.synproxy = *b;
    }
    if (auto v = item["otherwise"]) {
      if (w_.expect_map(v, what + " otherwise", {"action", "log"})) {
        ast::Otherwise o;
        o.loc = w_.loc(v);
        if (auto a = v["action"]) {
          if (auto t = w_.word(a, what + " otherwise action", {"drop", "reject"})) o.action = *t;
        }
        if (auto l = v["log"]) o.log = log_prefix(l, what + " otherwise log");
        r.otherwise = o;
      }
    }
    r.broken = w_.diags().error_count() > errors;
    out.push_back(std::move(r));
  }
}

void PolicyReader::read_rate_limits(const YAML::Node& n) {
  if (!n.IsSequence()) return w_.type_error(n, "rate_limits", "a list of meters");
  size_t index = 0;
  for (const auto& item : n) {
    ast::RateLimit r;
    r.kind = "rate_limits";
    r.index = index++;
    std::string what = "rate_limits[" + std::to_string(r.index) + "]";
    size_t errors = w_.diags().error_count();
    if (!w_.expect_map(item, what,
                       {"name", "service", "services", "from", "rate", "connections", "burst", "per_source",
                        "action", "log", "comment", "roles", "nodes", "ignore"}))
      continue;
    read_rule_base(item, r);
    if (item["service"] && item["services"])
      w_.diags().error(code::duplicate, w_.loc(item["services"]), what + " has both 'service' and 'services'");
    YAML::Node svc = item["services"] ? item["services"] : item["service"];
    if (!svc) w_.diags().error(code::missing_key, r.loc, what + " needs 'services'");
    else r.services = w_.scalar_list(svc, what + " services");
    if (auto v = item["from"]) r.from = w_.scalar_list(v, what + " from");
    read_meter_limit(item, what, r);
    if (auto v = item["action"]) {
      if (auto t = w_.word(v, what + " action", {"drop", "reject"})) r.action = *t;
    }
    if (auto v = item["log"]) r.log = log_prefix(v, what + " log");
    r.broken = w_.diags().error_count() > errors;
    p_.rate_limits.push_back(std::move(r));
  }
}

// Exactly one of `rate:` (a rate meter, with its burst and per_source) and
// `connections:` (a per-source limit of concurrent connections).
void PolicyReader::read_meter_limit(const YAML::Node& item, const std::string& what, ast::RateLimit& r) {
  if (auto v = item["connections"]) {
    r.connections_loc = w_.loc(v);
    if (auto c = w_.integer(v, what + " connections", 1, 1000000)) r.connections = static_cast<uint32_t>(*c);
    for (const char* key : {"rate", "burst", "per_source"})
      if (item[key])
        w_.diags().error(code::bad_value, w_.key_loc(item, key),
                         what + " limits connections: '" + key + "' belongs to rate meters",
                         "use either 'connections: N' (concurrent, per source) or 'rate: N/unit'");
    return;
  }
  if (!item["rate"]) {
    w_.diags().error(code::missing_key, r.loc, what + " needs 'rate' or 'connections'",
                     "rate: 10/second (new connections) or connections: 10 (concurrent, per source)");
    return;
  }
  if (auto rate = w_.rate(item["rate"], what + " rate")) r.rate = *rate;
  if (auto v = item["burst"]) {
    if (auto b = w_.integer(v, what + " burst", 1, 1000000)) r.burst = static_cast<uint32_t>(*b);
  }
  if (auto v = item["per_source"]) {
    if (auto b = w_.boolean(v, what + " per_source")) r.per_source = *b;
  }
}

std::vector<std::string> PolicyReader::strings(const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  for (auto& t : w_.scalar_list(n, what)) out.push_back(t.value);
  return out;
}

std::vector<int64_t> PolicyReader::ids(const YAML::Node& n, const std::string& what) {
  std::vector<int64_t> out;
  if (n.IsSequence()) {
    for (const auto& item : n)
      if (auto v = w_.integer(item, what, 1, INT64_C(999999999999999999))) out.push_back(*v);
  } else if (auto v = w_.integer(n, what, 1, INT64_C(999999999999999999))) {
    out.push_back(*v);
  }
  return out;
}

void PolicyReader::read_cloud(const YAML::Node& n) {
  if (!w_.expect_map(n, "cloud", {"digitalocean", "aws", "hetzner"})) return;
  ast::CloudSettings& c = p_.cloud;
  c.present = true;
  auto text = [&](const YAML::Node& v, const std::string& what, std::string& out) {
    if (v) {
      if (auto t = w_.scalar(v, what)) out = t->value;
    }
  };
  if (auto d = n["digitalocean"]; d && w_.expect_map(d, "cloud.digitalocean", {"name", "tags", "droplet_ids"})) {
    text(d["name"], "cloud.digitalocean name", c.do_name);
    if (d["tags"]) c.do_tags = strings(d["tags"], "cloud.digitalocean tags");
    if (d["droplet_ids"]) c.do_droplet_ids = ids(d["droplet_ids"], "cloud.digitalocean droplet id");
  }
  if (auto a = n["aws"]; a && w_.expect_map(a, "cloud.aws", {"vpc_id", "group_name", "description"})) {
    text(a["vpc_id"], "cloud.aws vpc_id", c.aws_vpc_id);
    text(a["group_name"], "cloud.aws group_name", c.aws_group_name);
    text(a["description"], "cloud.aws description", c.aws_description);
  }
  if (auto h = n["hetzner"]; h && w_.expect_map(h, "cloud.hetzner", {"name", "label_selector", "server_ids"})) {
    text(h["name"], "cloud.hetzner name", c.hetzner_name);
    text(h["label_selector"], "cloud.hetzner label_selector", c.hetzner_label_selector);
    if (h["server_ids"]) c.hetzner_server_ids = ids(h["server_ids"], "cloud.hetzner server id");
  }
}

// The line of `text` a YAML error points at, as a short escaped excerpt:
// for a file that is not policy YAML, all the error may show of it.
std::string line_excerpt(const std::string& text, int line) {
  size_t start = 0;
  for (int i = 0; i < line && start != std::string::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos || start >= text.size()) return {};
  size_t end = text.find('\n', start);
  return excerpt(std::string_view(text).substr(start, end == std::string::npos ? text.npos : end - start));
}

// Parses text into a YAML node, turning parser exceptions into diagnostics.
// `quote` adds an excerpt of the bad line to the message (fragments, whose
// lines are not rendered).
std::optional<YAML::Node> parse_yaml(const std::string& text, const std::shared_ptr<const std::string>& file,
                                     DiagnosticEngine& diags, bool quote = false) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    SourceLoc loc{file, 1, 1};
    std::string near;
    if (e.mark.line >= 0) {
      loc.line = static_cast<uint32_t>(e.mark.line) + 1;
      loc.col = static_cast<uint32_t>(e.mark.column) + 1;
      if (quote) near = line_excerpt(text, e.mark.line);
    }
    diags.error(code::yaml_syntax, loc, "YAML syntax error: " + e.msg + (near.empty() ? "" : " in '" + near + "'"));
  } catch (const std::exception& e) {
    diags.error(code::yaml_syntax, SourceLoc{file, 1, 1}, std::string("cannot parse YAML: ") + e.what());
  }
  return std::nullopt;
}

// YAML nodes one policy may expand to, aliases counted at every use and
// included files at every inclusion (fwc-policy(5)): a few kilobytes of
// nested aliases cannot make the loader walk billions of nodes.
constexpr size_t kMaxYamlNodes = 1000000;
// Included text of one policy together (a fragment listed many times is
// read many times).
constexpr size_t kMaxIncludeBytesPerPolicy = size_t{16} << 20;

struct LoadBudget {
  size_t nodes_left = kMaxYamlNodes;
  size_t include_bytes_left = kMaxIncludeBytesPerPolicy;
};

// Charges the nodes of `root` (aliases expanded) to the budget. Returns the
// node at which the budget ran out, or nothing when it did not. Iterative:
// the expansion may be far deeper than the stack. A node is charged when it
// is queued, so the queue (and the work) never exceeds the budget, however
// wide the aliases fan out.
std::optional<YAML::Node> charge_nodes(const YAML::Node& root, LoadBudget& budget) {
  std::vector<YAML::Node> todo;
  auto charge = [&](const YAML::Node& n) {
    if (budget.nodes_left == 0) return false;
    --budget.nodes_left;
    todo.push_back(n);
    return true;
  };
  if (!charge(root)) return root;
  while (!todo.empty()) {
    YAML::Node n = todo.back();
    todo.pop_back();
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!charge(it->first)) return it->first;
        if (!charge(it->second)) return it->second;
      }
    } else if (n.IsSequence()) {
      for (auto it = n.begin(); it != n.end(); ++it)
        if (!charge(*it)) return *it;
    }
  }
  return std::nullopt;
}

std::string too_many_nodes() {
  return "the policy expands to more than " + std::to_string(kMaxYamlNodes) +
         " YAML nodes (aliases count at each use, included files at each inclusion)";
}

// A fragment is a map naming at least one of its keys; anything else (a
// stray file, /etc/shadow) is refused whole, without echoing its content.
bool looks_like_fragment(const YAML::Node& doc) {
  return doc.IsMap() && (doc["fwc"] || doc["networks"] || doc["services"]);
}

std::optional<YAML::Node> read_fragment_doc(const ast::Text& t, const std::string& path, LoadBudget& budget,
                                            DiagnosticEngine& diags) {
  std::string text;
  InputRead r = read_regular_file(path, std::min(kMaxIncludeBytes, budget.include_bytes_left), text);
  if (!r.ok) {
    std::string hint = r.problem.rfind("is larger", 0) != 0 ? ""
                       : budget.include_bytes_left < kMaxIncludeBytes
                           ? "the included files of one policy hold at most " + size_text(kMaxIncludeBytesPerPolicy) +
                                 " together"
                           : "an included file holds at most " + size_text(kMaxIncludeBytes);
    diags.error(code::file_error, t.loc, "cannot read included file '" + path + "': " + r.problem, hint, t.length());
    return std::nullopt;
  }
  budget.include_bytes_left -= text.size();
  auto file = std::make_shared<const std::string>(path);
  auto doc = parse_yaml(text, file, diags, true);
  if (!doc) return std::nullopt;
  if (!looks_like_fragment(*doc)) {
    diags.error(code::file_error, t.loc, "included file '" + path + "' is not a policy fragment",
                "a fragment is a map of 'networks' and/or 'services' (and 'fwc')", t.length());
    return std::nullopt;
  }
  if (charge_nodes(*doc, budget)) {
    diags.error(code::bad_value, t.loc, too_many_nodes(), {}, t.length());
    return std::nullopt;
  }
  diags.add_source(path, std::move(text));
  return doc;
}

void load_includes(const YAML::Node& root, YamlWalker& w, ast::Policy& policy, LoadBudget& budget,
                   DiagnosticEngine& diags) {
  YAML::Node inc = root["include"];
  if (!inc) return;
  std::string dir = directory_of(policy.file);
  // A fragment that cannot be read may hold the names rules refer to.
  size_t errors = diags.error_count();
  std::set<std::string> seen;
  for (const auto& t : w.scalar_list(inc, "include")) {
    std::string path = join_path(dir, t.value);
    // A second inclusion would only redefine every name of the first.
    if (!seen.insert(path).second) {
      diags.error(code::duplicate, t.loc, "'" + t.value + "' is included twice", {}, t.length());
      continue;
    }
    auto doc = read_fragment_doc(t, path, budget, diags);
    if (!doc) continue;
    YamlWalker fw(diags, std::make_shared<const std::string>(path));
    if (!fw.expect_map(*doc, "an included file", {"fwc", "networks", "services"})) continue;
    PolicyReader(fw, policy).read_fragment(*doc);
  }
  if (diags.error_count() > errors) policy.incomplete.networks = policy.incomplete.services = true;
}

}  // namespace

std::optional<ast::Policy> load_policy_text(const std::string& text, const std::string& file_name,
                                            DiagnosticEngine& diags) {
  auto file = std::make_shared<const std::string>(file_name);
  diags.add_source(file_name, text);
  auto doc = parse_yaml(text, file, diags);
  if (!doc) return std::nullopt;
  ast::Policy policy;
  policy.file = file_name;
  policy.loc = SourceLoc{file, 1, 1};
  policy.defaults.loc = policy.loc;
  YamlWalker w(diags, file);
  if (doc->IsNull()) {
    diags.error(code::wrong_type, policy.loc, "the policy file is empty");
    return std::nullopt;
  }
  LoadBudget budget;
  if (auto at = charge_nodes(*doc, budget)) {
    diags.error(code::bad_value, w.loc(*at), too_many_nodes(), "use fewer aliases, or list addresses in a 'file:'");
    return std::nullopt;
  }
  try {
    PolicyReader(w, policy).read_document(*doc);
    if (doc->IsMap()) load_includes(*doc, w, policy, budget, diags);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on some malformed structures while walking (e.g. bad
    // conversions); that is still a user error, located where it can be.
    diags.error(code::yaml_syntax, policy.loc, std::string("malformed YAML: ") + e.what());
  }
  return policy;
}

std::optional<ast::Policy> load_policy_file(const std::string& path, DiagnosticEngine& diags) {
  std::string text;
  InputRead r = read_policy_input(path, kMaxPolicyBytes, text);
  if (!r.ok) {
    diags.error(code::file_error, SourceLoc{std::make_shared<const std::string>(path), 0, 0},
                "cannot read policy file: " + r.problem);
    return std::nullopt;
  }
  return load_policy_text(text, path, diags);
}

}  // namespace fwc::parse
