#pragma once
#include <string>
#include <vector>

#include "backends/nftables/live/model.h"
#include "backends/nftables/netlink/nl_session.h"
#include "backends/nftables/netlink/nl_snapshot.h"
#include "backends/nftables/nft_backend.h"
#include "cli/commands.h"
#include "compiler/frontend.h"
#include "compiler/host/host_match.h"

// What apply, diff and the rollback watcher share: the policy compiled for
// this host, kernel errors as messages, and the diff of live and wanted.
namespace fwc::cli::applying {

namespace nl = nft::netlink;

struct Prepared {
  ir::Ruleset ruleset;
  nft::Table table;
};

// Compiles `policy` for the selection; without one, for the node this host
// is (by address or hostname) when the policy has nodes. Prints diagnostics;
// returns Exit::ok or the exit status to fail with.
// Host names are resolved through `names`.
int prepare(const std::string& policy, const SelectionOptions& sel, const NameOptions& names, Prepared& out);

// Prints a kernel failure with its remedy; returns Exit::runtime_failure.
int fail(const nl::Outcome& o);

// The model of what applying `t` installs.
nft::live::Model wanted_model(const nft::Table& t);

// Reads the live table (elements of fingerprinted sets only with `full`)
// and diffs it with `want`; with `detail`, sets whose fingerprint differs
// are read again in full to list their elements.
bool read_and_diff(nl::Session& s, const nft::live::Model& want, bool full, bool detail, nl::Snapshot& snap,
                   std::vector<std::string>& lines, nl::Outcome& err);

void print_diff(const std::vector<std::string>& lines, FILE* to);

// The lock-out guard over SSH_CONNECTION (host::check_session); no problem
// when the variable is unset.
host::SessionCheck lockout_problem(const ir::Ruleset& rs);
// Exit::bad_input after saying why when the ruleset would cut this SSH
// session (and `force` is not given); 0 otherwise.
int refuse_lockout(const ir::Ruleset& rs, bool force);

}  // namespace fwc::cli::applying
