#include "compiler/names/system_lookup.h"

#include <netdb.h>
#include <sys/socket.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "compiler/net/sockaddr.h"

namespace fwc::names {

namespace {

Answer getaddrinfo_answer(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
  addrinfo* list = nullptr;
  Answer a;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc == EAI_NONAME || rc == EAI_NODATA) return a;  // no such records: empty, no error
  if (rc != 0) return {{}, gai_strerror(rc)};
  for (addrinfo* i = list; i; i = i->ai_next)
    if (auto addr = net::address_of(i->ai_addr)) a.addrs.push_back(*addr);
  freeaddrinfo(list);
  return a;
}

// Shared with the lookup threads, which may outlive the call.
struct Pending {
  std::mutex m;
  std::condition_variable done;
  std::map<std::string, Answer> answers;
};

}  // namespace

std::map<std::string, Answer> SystemLookup::lookup(const std::vector<std::string>& hosts) {
  auto pending = std::make_shared<Pending>();
  for (const auto& h : hosts) {
    std::thread([pending, h] {
      Answer a = getaddrinfo_answer(h);
      std::lock_guard<std::mutex> lock(pending->m);
      pending->answers[h] = std::move(a);
      pending->done.notify_all();
    }).detach();
  }
  std::unique_lock<std::mutex> lock(pending->m);
  pending->done.wait_for(lock, budget_, [&] { return pending->answers.size() >= hosts.size(); });
  std::map<std::string, Answer> out = pending->answers;
  for (const auto& h : hosts)
    if (!out.count(h)) out[h] = {{}, "no answer within " + std::to_string(budget_.count() / 1000) + " s"};
  return out;
}

}  // namespace fwc::names
