#include "cli/name_cache.h"

#include <sstream>

#include "cli/apply_state.h"

namespace fwc::cli {

FileLastGood::FileLastGood(std::string path) : path_(std::move(path)) {
  std::string text;
  if (!state::read_file(path_, text)) return;  // no cache yet
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string host, word;
    if (!(words >> host)) continue;
    std::vector<net::Address> addrs;
    while (words >> word) {
      net::Address a;
      if (net::parse_address(word, a)) addrs.push_back(a);
    }
    if (!addrs.empty()) kept_[host] = std::move(addrs);
  }
}

std::optional<std::vector<net::Address>> FileLastGood::get(const std::string& host) const {
  auto it = kept_.find(host);
  if (it == kept_.end()) return std::nullopt;
  return it->second;
}

void FileLastGood::put(const std::string& host, const std::vector<net::Address>& addrs) {
  auto same = [&](const std::vector<net::Address>& old) {
    if (old.size() != addrs.size()) return false;
    for (size_t i = 0; i < old.size(); ++i)
      if (old[i].family != addrs[i].family || old[i].value != addrs[i].value) return false;
    return true;
  };
  auto it = kept_.find(host);
  if (it != kept_.end() && same(it->second)) return;
  kept_[host] = addrs;
  changed_ = true;
}

bool FileLastGood::save(std::string& err) {
  if (!changed_) return true;
  std::string text;
  for (const auto& [host, addrs] : kept_) {
    text += host;
    for (const auto& a : addrs) text += " " + net::format_address(a.family, a.value);
    text += "\n";
  }
  if (!state::write_file(path_, text, err)) return false;
  changed_ = false;
  return true;
}

HostNames::HostNames(const std::string& state_dir)
    : dir_(state::paths(state_dir).dir), cache_(state::paths(state_dir).file("names.cache")) {}

bool HostNames::save(std::string& err) {
  if (!cache_.changed()) return true;
  return state::ensure_dir(dir_, err) && cache_.save(err);
}

}  // namespace fwc::cli
