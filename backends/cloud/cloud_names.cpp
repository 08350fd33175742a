#include <cctype>

#include "backends/cloud/cloud_lowering.h"
#include "backends/common/escape.h"

namespace fwc::cloud::detail {

std::string firewall_noun(Provider p) {
  return std::string("the ") + provider_title(p) + (p == Provider::aws ? " security group" : " firewall");
}

std::string group_name(const ir::Ruleset& rs, Provider p) {
  const ir::CloudSettings& c = rs.cloud;
  std::string name = p == Provider::digitalocean ? c.do_name
                     : p == Provider::aws        ? c.aws_group_name
                                                 : c.hetzner_name;
  if (name.empty()) name = rs.policy_name;
  if (rs.selected.kind != ir::Selection::Kind::none) name += "-" + rs.selected.name;
  // DigitalOcean names take letters, digits, dots and dashes only; AWS
  // group names the characters of its descriptions; Hetzner printable text.
  // Lengths are not cut: check_names refuses a name that is too long.
  constexpr size_t kUncut = std::string::npos;
  if (p == Provider::digitalocean) return escape::cloud_text(name, ".-", '-', kUncut);
  if (p == Provider::aws) return escape::cloud_text(name, escape::kAwsTextChars, ' ', kUncut);
  return escape::cloud_text(name, escape::kPrintablePunctuation, ' ', kUncut);
}

namespace {

SourceLoc policy_file(const ir::Ruleset& rs) {
  return SourceLoc{std::make_shared<const std::string>(rs.policy_file), 0, 0};
}

// Names the providers refuse; the group name comes from the cloud settings
// (or the policy name) and the selection.
std::string name_problem(Provider p, const std::string& n) {
  if (p == Provider::aws && n.size() > 255) return "AWS security group names are at most 255 characters";
  if (p == Provider::aws && n.rfind("sg-", 0) == 0) return "AWS security group names cannot start with 'sg-'";
  if (p == Provider::hetzner && n.size() > 128) return "Hetzner firewall names are at most 128 characters";
  if (p == Provider::digitalocean && (n.size() < 2 || !std::isalnum(static_cast<unsigned char>(n[0]))))
    return "DigitalOcean firewall names start with a letter or digit and have at least 2 characters";
  return {};
}

// DigitalOcean tag names select droplets: one the provider refuses is an
// error, never rewritten into another tag.
bool tag_ok(const std::string& tag) {
  bool ok = !tag.empty() && tag.size() <= 255;
  for (unsigned char c : tag) ok = ok && (std::isalnum(c) || c == '_' || c == '-' || c == ':');
  return ok;
}

}  // namespace

void check_names(const ir::Ruleset& rs, Provider p, const std::string& name, DiagnosticEngine& diags) {
  if (std::string problem = name_problem(p, name); !problem.empty()) {
    std::string setting =
        p == Provider::aws ? "cloud.aws.group_name" : std::string("cloud.") + provider_name(p) + ".name";
    diags.error(code::target_limit, policy_file(rs), problem + " ('" + name + "')",
                "set " + setting + " to another name");
  }
  if (p != Provider::digitalocean) return;
  for (const auto& tag : rs.cloud.do_tags)
    if (!tag_ok(tag))
      diags.error(
          code::target_limit, policy_file(rs),
          "DigitalOcean tag names are 1-255 letters, digits, '_', '-' and ':' (cloud.digitalocean tag '" +
              escape::comment_line(tag) + "')",
          "rename the tag");
}

}  // namespace fwc::cloud::detail
