#pragma once
#include <string>
#include <vector>

#include "compiler/eval/region_diff.h"

// The output formats of `fwc diff OLD NEW` (fwc(1), docs/contract.md
// "Semantic diff"): text, markdown (a pull-request comment), github
// (workflow commands anchored at the new file's rules) and json.
namespace fwc::cli {

struct PolicyDiffReport {
  std::string before_name, after_name;  // as the operator named them
  std::vector<eval::SelectionDiff> selections;
  bool changed() const;
};

// "+" newly accepted, "-" no longer accepted, "~" another change.
char change_sign(const eval::RegionChange& c);
// "8080/tcp", "8000-8099/udp", "all/tcp", "other protocols", "all traffic".
std::string change_ports(const eval::RegionChange& c);
// Minimal CIDRs, IPv4 first; after `limit` of them "(+N more)"; "any".
std::string change_sources(const net::AddrSet& s, size_t limit = 8);
// "8080/tcp from SRC: drop -> accept", outbound "outbound 443/tcp to DEST: ...".
std::string change_summary(const eval::RegionChange& c, bool outbound);

// Forward rules and settings: a sign as change_sign, the change without
// its rule ("forward rule added: from A to B, 443/tcp", "icmp: essential
// -> no-ping") and the rule or default it names in the new version (the
// old one for a removed rule).
char forward_sign(const eval::ForwardRuleChange& c);
std::string forward_summary(const eval::ForwardRuleChange& c);
const ir::Origin& forward_origin(const eval::ForwardRuleChange& c);
char setting_sign(const eval::SettingChange& c);
std::string setting_summary(const eval::SettingChange& c);

// Selections whose changes read alike (the same `body`), in the order the
// first of each appears: a fleet whose nodes change alike is one section.
struct SelectionGroup {
  std::vector<const eval::SelectionDiff*> members;
  std::string body;  // empty for a selection only one version has
  // "node node1", "nodes node1, node2", else the labels joined (unescaped).
  std::string heading() const;
};
std::vector<SelectionGroup> group_selections(const PolicyDiffReport& r,
                                             std::string (*body)(const eval::SelectionDiff&));
// "only in the new policy" / "only in the old policy".
const char* presence_text(const eval::SelectionDiff& s);

std::string diff_text(const PolicyDiffReport& r);
std::string diff_markdown(const PolicyDiffReport& r);
std::string diff_github(const PolicyDiffReport& r);
std::string diff_json(const PolicyDiffReport& r);

}  // namespace fwc::cli
