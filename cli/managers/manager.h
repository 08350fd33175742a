#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"
#include "cli/apply_state.h"
#include "cli/managers/line_diff.h"

// `fwc apply|diff|remove --backend ufw|firewalld|iptables`: the compiled
// artefacts installed through the firewall manager that owns the node's
// firewall, instead of fwc's own nftables table beside it.
namespace fwc::cli::managers {

// What `fwc compile -t TOOL` writes for the selected node.
struct Compiled {
  std::vector<backend::Artifact> files;
  const std::string* text(std::string_view suffix) const;
  // Every file, each under a "== SUFFIX" line: what `diff` compares.
  std::string joined() const;
};

// One firewall manager. Errors name the tool, its exit status and its
// (escaped) standard error; nothing throws.
struct Manager {
  virtual ~Manager() = default;
  virtual const char* name() const = 0;
  // The tool's state of what fwc installs (its rule files, fwc's chains and
  // sets, fwc's zone), one line per item, stable while nothing changes it.
  virtual bool installed_state(std::vector<std::string>& lines, std::string& err) = 0;
  // What installing `c` would change, as "+ " / "- " lines (manager_diff.cpp).
  virtual bool diff(const Compiled& c, const state::Paths& p, std::vector<std::string>& lines,
                    std::string& err);
  // The tool's own check of `c`, changing nothing.
  virtual bool check(const Compiled& c, std::string& err) = 0;
  // What remove() needs to put the tool's state back as it is now.
  virtual bool snapshot(std::string& saved, std::string& err) = 0;
  // Installs `c`; temporary files go to the state directory.
  virtual bool install(const Compiled& c, const state::Paths& p, std::string& err) = 0;
  // Puts back the state a snapshot() saved (fwc remove, rollback).
  virtual bool remove(const std::string& saved, const state::Paths& p, std::string& err) = 0;
  // Whether a --confirm rollback can run now; `why` says why not.
  virtual bool can_rollback(std::string& why) = 0;
  // A line printed after a successful install (may be empty).
  virtual std::string install_note() const { return {}; }
};

struct ManagerInfo {
  const char* name;
  std::unique_ptr<Manager> (*make)();
};
// The managers `--backend` accepts besides nftables (fwc's own table).
const std::vector<ManagerInfo>& manager_table();
const ManagerInfo* find_manager(std::string_view name);

std::unique_ptr<Manager> make_iptables();
std::unique_ptr<Manager> make_ufw();
std::unique_ptr<Manager> make_firewalld();

// The state files of manager `tool`: "TOOL.KIND" in the state directory.
std::string state_file(const state::Paths& p, const Manager& m, const char* kind);

}  // namespace fwc::cli::managers
