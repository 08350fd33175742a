#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "compiler/net/addrset.h"

namespace fwc::backend {

// A network with more entries than this in a family is a named set in the
// artefact; smaller ones are written inline where the rule reads them.
inline constexpr size_t kInlineLimit = 4;

inline bool wants_set(const net::AddrSet& addrs, net::Family f, size_t limit = kInlineLimit) {
  return addrs.intervals(f).size() > limit || addrs.cidr_count(f) > limit;
}

// Rules naming the same network share one set in the artefact. Copies of a
// network's AddrSet share their interval storage, so the storage (per
// family) identifies the network however many rules carry it.
class SharedSets {
 public:
  // The set for `addrs`' part of family `f`: `make()` adds it to the model
  // and returns its name the first time; later calls return that name.
  template <typename Make>
  std::string name_for(net::Family f, const net::AddrSet& addrs, Make&& make) {
    auto key = std::make_pair(f, addrs.identity(f));
    if (auto it = names_.find(key); it != names_.end()) return it->second;
    std::string name = make();
    names_.emplace(key, name);
    return name;
  }

 private:
  std::map<std::pair<net::Family, const void*>, std::string> names_;
};

}  // namespace fwc::backend
