#include <algorithm>
#include <map>

#include "backends/nftables/live/model.h"

namespace fwc::nft::live {

namespace {

template <typename T>
const T* find(const std::vector<T>& v, const std::string& name) {
  for (const auto& e : v)
    if (e.name == name) return &e;
  return nullptr;
}

// Entries present in `a` but not `b`, by name, and those in both that differ.
template <typename T>
void diff_named(const std::vector<T>& live, const std::vector<T>& want, const char* kind,
                std::vector<std::string>& out) {
  for (const auto& w : want) {
    const T* l = find(live, w.name);
    if (!l) out.push_back(std::string("+ ") + kind + " " + w.name);
    else if (l->sig != w.sig) out.push_back(std::string("~ ") + kind + " " + w.name + " (definition changed)");
  }
  for (const auto& l : live)
    if (!find(want, l.name)) out.push_back(std::string("- ") + kind + " " + l.name);
}

void list_cidrs(const net::AddrSet& s, net::Family f, char sign, const std::string& set, size_t max,
                std::vector<std::string>& out) {
  size_t n = s.cidr_count(f);
  if (n == 0) return;
  std::string head = std::string(1, sign) + " set " + set + ": " + std::to_string(n) +
                     (n == 1 ? " element " : " elements ") + (sign == '+' ? "added" : "removed");
  if (n > max) head += " (first " + std::to_string(max) + " shown)";
  out.push_back(head);
  size_t shown = 0;
  std::vector<net::Cidr> chunk;
  for (const auto& iv : s.intervals(f)) {
    chunk.clear();
    net::interval_to_cidrs(f, iv, chunk);
    for (const auto& c : chunk) {
      if (shown++ >= max) return;
      out.push_back(std::string("    ") + sign + " " + net::format_cidr(c));
    }
  }
}

void diff_elements(const SetEntry& l, const SetEntry& w, const DiffOptions& o, std::vector<std::string>& out) {
  if (!l.elements_known || !w.elements_known) {
    if (!l.digest.empty() && l.digest == w.digest) return;
    auto count = [](const SetEntry& e) {
      size_t slash = e.digest.find('/');
      if (slash != std::string::npos) return e.digest.substr(slash + 1);
      return e.count >= 0 ? "about " + std::to_string(e.count) : std::string("?");
    };
    out.push_back("~ set " + w.name + ": elements changed (live " + count(l) + ", policy " + count(w) + " CIDRs)");
    return;
  }
  if (l.addresses && w.addresses && l.family == w.family) {
    net::AddrSet added = w.addrs, removed = l.addrs;
    added.subtract(l.addrs);
    removed.subtract(w.addrs);
    list_cidrs(added, w.family, '+', w.name, o.max_elements, out);
    list_cidrs(removed, w.family, '-', w.name, o.max_elements, out);
    return;
  }
  if (l.other != w.other) out.push_back("~ set " + w.name + ": elements changed");
}

std::string rule_text(const RuleEntry& r) {
  return "rule in chain " + r.chain + ": " + (r.comment.empty() ? std::string("(no comment)") : r.comment);
}

void diff_rules(const Model& live, const Model& want, std::vector<std::string>& out) {
  // Rules are compared per chain as multisets of (comment, expressions);
  // a comment on both sides whose expressions differ is a change.
  std::vector<std::string> chains;
  for (const auto* m : {&want, &live})
    for (const auto& r : m->rules)
      if (std::find(chains.begin(), chains.end(), r.chain) == chains.end()) chains.push_back(r.chain);
  for (const auto& chain : chains) {
    std::map<std::pair<std::string, std::string>, int> count;
    std::vector<const RuleEntry*> lv, wv;
    for (const auto& r : live.rules)
      if (r.chain == chain) lv.push_back(&r), --count[{r.comment, r.sig}];
    for (const auto& r : want.rules)
      if (r.chain == chain) wv.push_back(&r), ++count[{r.comment, r.sig}];
    std::map<std::string, int> added, removed;
    for (const auto& [key, n] : count) {
      if (n > 0) added[key.first] += n;
      if (n < 0) removed[key.first] -= n;
    }
    for (const auto* r : wv) {
      auto a = added.find(r->comment);
      if (a == added.end() || a->second == 0) continue;
      auto rm = removed.find(r->comment);
      if (rm != removed.end() && rm->second > 0) {
        --rm->second;
        out.push_back("~ " + rule_text(*r) + " (changed)");
      } else {
        out.push_back("+ " + rule_text(*r));
      }
      --a->second;
    }
    for (const auto* r : lv) {
      auto rm = removed.find(r->comment);
      if (rm == removed.end() || rm->second == 0) continue;
      --rm->second;
      out.push_back("- " + rule_text(*r));
    }
    if (count.empty() || std::all_of(count.begin(), count.end(), [](const auto& kv) { return kv.second == 0; })) {
      bool same_order = lv.size() == wv.size() &&
                        std::equal(lv.begin(), lv.end(), wv.begin(), [](const RuleEntry* a, const RuleEntry* b) {
                          return a->comment == b->comment && a->sig == b->sig;
                        });
      if (!same_order) out.push_back("~ chain " + chain + ": rule order changed");
    }
  }
}

}  // namespace

std::vector<std::string> diff(const Model& live, const Model& want, const DiffOptions& o) {
  std::vector<std::string> out;
  if (!live.exists && !want.exists) return out;
  if (!live.exists) out.push_back("+ table inet fwc (not installed yet)");
  if (!want.exists) out.push_back("- table inet fwc");
  diff_named(live.chains, want.chains, "chain", out);
  diff_named(live.sets, want.sets, "set", out);
  for (const auto& w : want.sets) {
    if (const SetEntry* l = find(live.sets, w.name)) diff_elements(*l, w, o, out);
    else if (w.addresses) list_cidrs(w.addrs, w.family, '+', w.name, o.max_elements, out);
  }
  diff_named(live.objects, want.objects, "limit", out);
  diff_rules(live, want, out);
  return out;
}

}  // namespace fwc::nft::live
