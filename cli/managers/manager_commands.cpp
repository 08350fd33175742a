// apply, diff and remove through a firewall manager: the policy compiled
// for the manager's target, the manager's state saved before the first
// apply (TOOL.original, what remove restores) and before each apply
// (TOOL.previous, what a rollback restores), and what an apply installed
// (TOOL.applied, TOOL.installed: what diff compares).
#include "cli/managers/manager_commands.h"

#include <cstdio>

#include "cli/managers/manager.h"
#include "cli/name_cache.h"
#include "compiler/diag/printable.h"

namespace fwc::cli::managers {

namespace {

int failed(const Manager& m, const char* doing, const std::string& err) {
  std::fprintf(stderr, "fwc: error: %s through %s failed: %s\n", doing, m.name(), printable(err).c_str());
  return Exit::runtime_failure;
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The policy compiled for the manager's target (`fwc compile -t TOOL`).
int compile_for(const Manager& m, const std::string& policy, const SelectionOptions& sel,
                const std::string& state_dir, applying::Prepared& pr, Compiled& out) {
  HostNames hosts(state_dir);
  if (int rc = applying::prepare(policy, sel, hosts.options(), pr)) return rc;
  const backend::BackendInfo* info = backend::find_backend(m.name());
  if (!info) return Exit::bad_input;
  DiagnosticEngine diags;
  auto artefacts = info->make()->compile(pr.ruleset, diags);
  print_diagnostics(diags, stderr);
  if (!artefacts || diags.has_errors()) return Exit::bad_input;
  out.files = std::move(*artefacts);
  return Exit::ok;
}

int print_changes(const std::vector<std::string>& lines, const Manager& m) {
  if (lines.empty()) {
    std::printf("fwc: no change: %s's state matches the policy\n", m.name());
    return Exit::ok;
  }
  applying::print_diff(lines, stdout);
  return Exit::findings;
}

int dry_run(Manager& m, const Compiled& c, const state::Paths& p) {
  std::string err;
  std::vector<std::string> lines;
  if (!m.check(c, err)) return failed(m, "checking the rules", err);
  if (!m.diff(c, p, lines, err)) return failed(m, "reading the state", err);
  print_changes(lines, m);
  std::printf("fwc: dry run: %s accepts the rules; nothing was changed\n", m.name());
  return Exit::ok;
}

// The state files before the install: the original state once, the
// previous one unless an unconfirmed apply's rollback target stays.
bool save_before(Manager& m, const state::Paths& p, unsigned confirm, std::string& before, std::string& err) {
  if (!state::ensure_dir(p.dir, err) || !m.snapshot(before, err)) return false;
  std::string kept;
  if (!state::read_file(state_file(p, m, "original"), kept) &&
      !state::write_file(state_file(p, m, "original"), before, err))
    return false;
  auto superseded = state::cancel_pending(p);
  if (superseded)
    std::fprintf(stderr, "fwc: note: this apply replaces an unconfirmed one (its rollback is cancelled)\n");
  const bool chained = superseded && superseded->armed && confirm > 0;
  return chained || state::write_file(state_file(p, m, "previous"), before, err);
}

int after_install(Manager& m, const Compiled& c, const state::Paths& p, unsigned confirm) {
  std::string err, previous;
  std::vector<std::string> live;
  if (!m.installed_state(live, err) || !state::write_file(state_file(p, m, "applied"), c.joined(), err) ||
      !state::write_file(state_file(p, m, "installed"), joined_lines(live), err))
    return failed(m, "recording the applied state", err);
  std::printf("fwc: applied through %s\n", m.name());
  if (!m.install_note().empty()) std::printf("fwc: note: %s\n", m.install_note().c_str());
  if (confirm == 0) return Exit::ok;
  if (!state::read_file(state_file(p, m, "previous"), previous))
    return failed(m, "arming the rollback", "the previous state is not saved");
  Manager* mp = &m;
  const state::Paths* pp = &p;
  auto restore = [mp, pp, previous](std::string& why) {
    if (!mp->remove(previous, *pp, why)) return false;
    for (const char* kind : {"applied", "installed"}) std::remove(state_file(*pp, *mp, kind).c_str());
    return true;
  };
  if (!state::start_watcher(p, confirm, restore, err)) return failed(m, "arming the rollback", err);
  std::printf("fwc: run 'fwc confirm' within %u seconds, or %s's previous state comes back\n", confirm,
              m.name());
  return Exit::ok;
}

}  // namespace

void add_backend_option(CLI::App& app, std::string& backend, const char* help) {
  std::vector<std::string> names = {"nftables"};
  for (const auto& m : manager_table()) names.emplace_back(m.name);
  app.add_option("--backend", backend, help)->check(CLI::IsMember(names))->default_val("nftables");
}

int run_manager_apply(const std::string& backend, const ApplyOptions& o) {
  auto m = find_manager(backend)->make();
  applying::Prepared pr;
  Compiled c;
  if (int rc = compile_for(*m, o.policy, o.selection, o.state_dir, pr, c)) return rc;
  if (int rc = applying::refuse_lockout(pr.ruleset, o.force)) return rc;
  const state::Paths p = state::paths(o.state_dir);
  if (o.dry_run) return dry_run(*m, c, p);
  std::string err, why, before;
  if (o.confirm > 0 && !m->can_rollback(why)) {
    std::fprintf(stderr, "fwc: error: --confirm is not possible through %s: %s\n", m->name(), why.c_str());
    return Exit::bad_input;
  }
  state::Lock lock;
  if (!lock.acquire(p, err) || !save_before(*m, p, o.confirm, before, err))
    return failed(*m, "saving the state before the apply", err);
  if (!m->install(c, p, err)) {
    failed(*m, "installing the rules", err);
    std::string undo_err;
    if (m->remove(before, p, undo_err))
      std::fprintf(stderr, "fwc: %s's state before this apply is restored\n", m->name());
    else
      std::fprintf(stderr, "fwc: error: restoring %s's state failed too: %s\n", m->name(),
                   printable(undo_err).c_str());
    return Exit::runtime_failure;
  }
  return after_install(*m, c, p, o.confirm);
}

int run_manager_diff(const std::string& backend, const std::string& policy, const SelectionOptions& sel,
                     const std::string& state_dir) {
  auto m = find_manager(backend)->make();
  applying::Prepared pr;
  Compiled c;
  if (int rc = compile_for(*m, policy, sel, state_dir, pr, c)) return rc;
  std::vector<std::string> lines;
  std::string err;
  if (!m->diff(c, state::paths(state_dir), lines, err)) return failed(*m, "reading the state", err);
  return print_changes(lines, *m);
}

int run_manager_remove(const std::string& backend, bool dry, const std::string& state_dir) {
  auto m = find_manager(backend)->make();
  const state::Paths p = state::paths(state_dir);
  const std::string original = state_file(p, *m, "original");
  std::string saved, err;
  if (!state::read_file(original, saved)) {
    std::fprintf(stderr, "fwc: nothing to remove: fwc has not applied through %s here (no %s)\n", m->name(),
                 original.c_str());
    return Exit::findings;
  }
  if (dry) {
    std::printf("fwc: dry run: would restore %s's state saved before fwc's first apply (%s)\n", m->name(),
                original.c_str());
    return Exit::ok;
  }
  state::Lock lock;
  if (!lock.acquire(p, err)) return failed(*m, "removing", err);
  if (state::cancel_pending(p))
    std::fprintf(stderr, "fwc: note: the pending rollback of an unconfirmed apply is cancelled\n");
  if (!m->remove(saved, p, err)) return failed(*m, "restoring the state before fwc", err);
  for (const char* kind : {"original", "previous", "applied", "installed"})
    std::remove(state_file(p, *m, kind).c_str());
  std::printf("fwc: removed: %s's state is back as it was before fwc applied through it\n", m->name());
  return Exit::ok;
}

}  // namespace fwc::cli::managers
