#pragma once
#include <chrono>

#include "compiler/names/lookup.h"

namespace fwc::names {

// Looks names up with getaddrinfo (the system's resolver: /etc/hosts,
// resolv.conf), A and AAAA, every answer. All names are looked up at once,
// each on its own thread; a name without an answer by the deadline counts
// as failed (its thread is left to finish on its own).
class SystemLookup : public HostLookup {
 public:
  explicit SystemLookup(std::chrono::milliseconds budget = std::chrono::seconds(5)) : budget_(budget) {}
  std::map<std::string, Answer> lookup(const std::vector<std::string>& hosts) override;

 private:
  std::chrono::milliseconds budget_;
};

}  // namespace fwc::names
