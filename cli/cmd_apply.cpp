#include <cstdio>
#include <cstdlib>
#include <exception>

#include "backends/nftables/netlink/nl_batch.h"
#include "backends/nftables/netlink/nl_session.h"
#include "backends/nftables/nft_backend.h"
#include "cli/commands.h"
#include "compiler/frontend.h"
#include "compiler/ir/selection.h"

namespace fwc::cli {

namespace {

namespace nl = nft::netlink;

struct ApplyOptions {
  std::string policy;
  bool dry_run = false;
  SelectionOptions selection;
};

int fail(const nl::Outcome& o) {
  std::fprintf(stderr, "fwc: %s\n", o.message.c_str());
  std::string fix = nl::remedy(o.error);
  if (!fix.empty()) std::fprintf(stderr, "  hint: %s\n", fix.c_str());
  return Exit::runtime_failure;
}

// Sends a batch built against the current ruleset generation.
template <typename Build>
int submit(bool commit, Build build) {
  nl::Session s;
  if (!s.ok()) return fail(s.error());
  nl::BuildOptions bo;
  bo.commit = commit;
  const char* inject = std::getenv("FWC_TEST_INJECT_BAD_ELEMENT");
  bo.inject_bad_element = inject && *inject == '1';
  uint32_t gen = 0;
  nl::Outcome err;
  if (!s.genid(gen, err)) return fail(err);
  bo.genid = gen;
  nl::Batch b = build(bo, s.next_seq());
  nl::Outcome o = s.send(b);
  if (!o.ok) return fail(o);
  return Exit::ok;
}

int run_apply(const ApplyOptions& o) {
  DiagnosticEngine diags;
  auto policy = compile_policy(o.policy, diags, false);
  ir::Selection sel = o.selection.get();
  if (policy) ir::validate_selection(*policy, sel, diags);
  if (diags.has_errors()) {
    print_diagnostics(diags, stderr);
    return Exit::bad_input;
  }
  nft::Table t = nft::lower(ir::select(*policy, sel), diags);
  print_diagnostics(diags, stderr);
  if (diags.has_errors()) return Exit::bad_input;
  try {
    int rc = submit(!o.dry_run, [&](const nl::BuildOptions& bo, uint32_t seq) {
      return nl::build_replace(t, bo, seq);
    });
    if (rc == Exit::ok && o.dry_run) std::printf("fwc: the kernel accepts the ruleset (nothing applied)\n");
    return rc;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "fwc: %s\n", e.what());
    return Exit::runtime_failure;
  }
}

}  // namespace

Run setup_apply(CLI::App& app) {
  auto o = std::make_shared<ApplyOptions>();
  app.add_option("policy", o->policy, "Policy file")->required();
  app.add_flag("--dry-run", o->dry_run, "Let the kernel validate the ruleset without applying it");
  o->selection.add_to(app);
  return [o] { return run_apply(*o); };
}

Run setup_remove(CLI::App& app) {
  auto dry = std::make_shared<bool>(false);
  app.add_flag("--dry-run", *dry, "Validate the removal without doing it");
  return [dry] {
    return submit(!*dry, [](const nl::BuildOptions& bo, uint32_t seq) { return nl::build_remove(bo, seq); });
  };
}

}  // namespace fwc::cli
