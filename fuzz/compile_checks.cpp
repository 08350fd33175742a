#include "fuzz/compile_checks.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "backends/backend.h"
#include "backends/cloud/cloud_model.h"
#include "compiler/check/policy_tests.h"
#include "compiler/eval/explain.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::fuzz {

namespace {

// Enough to reach node, role and whole-policy code paths without letting a
// policy of many nodes slow every run down.
constexpr size_t kMaxSelections = 4;

void require(bool ok, const char* what, const std::string& detail) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, detail.c_str());
  std::abort();
}

std::vector<eval::Packet> sample_packets() {
  std::vector<eval::Packet> out;
  const std::pair<const char*, uint16_t> samples[] = {{"203.0.113.7", 22},
                                                      {"198.51.100.1", 443},
                                                      {"10.0.0.1", 53},
                                                      {"2001:db8::1", 80},
                                                      {"::ffff:203.0.113.7", 22}};
  for (const auto& [address, port] : samples)
    for (net::Proto proto : {net::Proto::tcp, net::Proto::udp}) {
      eval::Packet p;
      if (!net::parse_address(address, p.src)) continue;
      p.proto = proto;
      p.port = port;
      out.push_back(p);
    }
  return out;
}

// A target returns artefacts exactly when it reports no error. With
// `twice`, a second compile by a fresh backend must give the same files
// (goldens and `fwc diff` rely on it).
void compile_with(const backend::BackendInfo& target, const ir::Ruleset& rs, bool twice) {
  DiagnosticEngine diags;
  auto artefacts = target.make()->compile(rs, diags);
  const std::string where = std::string(target.name) + ", " + rs.selection;
  require(artefacts.has_value() != diags.has_errors(), "artefacts iff no error", where);
  (void)diags.render_all();
  if (!artefacts) return;
  require(!artefacts->empty(), "a successful compile writes something", where);
  for (const auto& a : *artefacts) {
    require(!a.suffix.empty(), "every artefact has a file name suffix", where);
    require(a.text.find('\0') == std::string::npos, "no NUL byte in an artefact", where + ", " + a.suffix);
  }
  if (!twice) return;
  DiagnosticEngine again;
  auto second = target.make()->compile(rs, again);
  require(second && second->size() == artefacts->size(), "a second compile gives as many files", where);
  for (size_t i = 0; i < second->size(); ++i)
    require((*second)[i].text == (*artefacts)[i].text, "a second compile gives the same text", where);
}

void explain_cloud(const ir::Ruleset& rs, const std::vector<eval::Packet>& packets) {
  for (auto provider : {cloud::Provider::digitalocean, cloud::Provider::aws, cloud::Provider::hetzner}) {
    DiagnosticEngine diags;
    auto group = cloud::lower(rs, provider, diags);
    require(group.has_value() != diags.has_errors(), "cloud lowering returns a group iff no error",
            std::string(cloud::provider_name(provider)) + ", " + rs.selection);
    if (!group) continue;
    (void)cloud::check_limits(*group);
    for (const auto& p : packets) (void)cloud::explain(*group, p);
  }
}

void check_selection(const ir::Policy& policy, const ir::Selection& sel, bool twice) {
  DiagnosticEngine diags;
  if (!ir::validate_selection(policy, sel, diags) || diags.has_errors()) return;
  ir::Ruleset rs = ir::select(policy, sel);
  for (const auto& target : backend::registry()) compile_with(target, rs, twice);
  static const std::vector<eval::Packet> packets = sample_packets();
  for (const auto& p : packets) (void)eval::explain(rs, p);
  explain_cloud(rs, packets);
}

}  // namespace

void compile_everything(const std::string& policy_text, const std::string& policy_path) {
  DiagnosticEngine diags;
  auto policy = compile_policy_text(policy_text, policy_path, diags);
  (void)diags.render_all();
  require(policy.has_value() != diags.has_errors(), "a policy comes back iff no error", policy_path);
  if (!policy) return;
  std::vector<ir::Selection> selections = ir::all_selections(*policy);
  if (selections.size() > kMaxSelections) selections.resize(kMaxSelections);
  if (std::none_of(selections.begin(), selections.end(),
                   [](const ir::Selection& s) { return s.kind == ir::Selection::Kind::none; }))
    selections.push_back(ir::Selection{});  // usually refused (scoped rules): validate_selection's errors
  // Determinism is checked on the first selection only, to keep runs fast.
  for (size_t i = 0; i < selections.size(); ++i) check_selection(*policy, selections[i], i == 0);
  (void)check::check_policy_tests(*policy, diags);  // lint's evaluation of the `tests:` section
}

}  // namespace fwc::fuzz
