#pragma once
#include "compiler/names/lookup.h"

// In-memory lookup and last-good store (unit tests, and `fwc` itself when
// it keeps no state).
namespace fwc::names {

class FakeLookup : public HostLookup {
 public:
  std::map<std::string, Answer> answers;  // a name not here fails
  std::vector<std::string> asked;
  std::map<std::string, Answer> lookup(const std::vector<std::string>& hosts) override {
    std::map<std::string, Answer> out;
    for (const auto& h : hosts) {
      asked.push_back(h);
      auto it = answers.find(h);
      out[h] = it == answers.end() ? Answer{{}, "unknown host"} : it->second;
    }
    return out;
  }
};

class MemoryLastGood : public LastGood {
 public:
  std::map<std::string, std::vector<net::Address>> kept;
  std::optional<std::vector<net::Address>> get(const std::string& host) const override {
    auto it = kept.find(host);
    if (it == kept.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& host, const std::vector<net::Address>& addrs) override { kept[host] = addrs; }
};

}  // namespace fwc::names
