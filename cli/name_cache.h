#pragma once
#include <map>
#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "compiler/names/system_lookup.h"

// Host names as apply, refresh, diff, explain and verify resolve them: the
// system resolver, and the last good answers in the state directory
// (`names.cache`), so a failed lookup never empties a live set.
namespace fwc::cli {

// `names.cache`: one line per host, "HOST ADDRESS...", written whole.
class FileLastGood : public names::LastGood {
 public:
  explicit FileLastGood(std::string path);
  std::optional<std::vector<net::Address>> get(const std::string& host) const override;
  void put(const std::string& host, const std::vector<net::Address>& addrs) override;
  bool changed() const { return changed_; }
  // Writes the file when an answer changed (0600, atomically); false with
  // `err` when it cannot be written.
  bool save(std::string& err);

 private:
  std::string path_;
  std::map<std::string, std::vector<net::Address>> kept_;
  bool changed_ = false;
};

class HostNames {
 public:
  // `state_dir`: --state-dir as given ("" for $FWC_STATE_DIR or the default).
  explicit HostNames(const std::string& state_dir);
  NameOptions options() { return {names::Mode::resolved, &lookup_, &cache_}; }
  // Keeps this run's good answers. Commands that change nothing call it
  // and ignore a failure (they may run without write access to the state).
  bool save(std::string& err);

 private:
  std::string dir_;
  names::SystemLookup lookup_;
  FileLastGood cache_;
};

}  // namespace fwc::cli
