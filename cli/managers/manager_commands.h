#pragma once
#include <string>

#include "cli/apply_run.h"

// `--backend` of apply, diff and remove: "nftables" (fwc's own table, the
// default) or a firewall manager of manager.h.
namespace fwc::cli::managers {

// --backend nftables|iptables|ufw|firewalld, into `backend`.
void add_backend_option(CLI::App& app, std::string& backend, const char* help);

int run_manager_apply(const std::string& backend, const ApplyOptions& o);
int run_manager_diff(const std::string& backend, const std::string& policy, const SelectionOptions& sel,
                     const std::string& state_dir);
int run_manager_remove(const std::string& backend, bool dry, const std::string& state_dir);

}  // namespace fwc::cli::managers
