#include "cli/blocks.h"

#include <cstdio>
#include <iostream>


namespace fwc::cli::blocks {

namespace {

// Incident tooling pipes addresses in: a line longer than any address or
// CIDR (with a comment) is refused, not read without bound.
constexpr size_t kMaxLine = 256;

const nl::SetInfo* find(const std::vector<nl::SetInfo>& sets, const std::string& name) {
  for (const auto& s : sets)
    if (s.name == name) return &s;
  return nullptr;
}

bool add_entry(const std::string& text, std::vector<net::Cidr>& out, std::string& err) {
  const auto p = net::parse_cidr(text);
  if (p.status == net::CidrStatus::ok) {
    out.push_back(p.cidr);
    return true;
  }
  err = "not an address or CIDR: '" + text + "'";
  if (p.status == net::CidrStatus::host_bits_set) err += " (host bits set: did you mean " + net::format_cidr(p.cidr) + "?)";
  return false;
}

std::string trimmed(const std::string& line) {
  std::string s = line.substr(0, line.find('#'));
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool read_stdin(std::vector<net::Cidr>& out, std::string& err) {
  std::string line;
  size_t n = 0;
  while (std::getline(std::cin, line)) {
    ++n;
    if (line.size() > kMaxLine) {
      err = "standard input, line " + std::to_string(n) + ": longer than " + std::to_string(kMaxLine) + " bytes";
      return false;
    }
    const std::string entry = trimmed(line);
    if (entry.empty()) continue;
    if (!add_entry(entry, out, err)) {
      err.insert(0, "standard input, line " + std::to_string(n) + ": ");
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_dynamic(const std::string& kernel_name) {
  const auto n = kernel_name.size();
  return kernel_name.rfind(kPrefix, 0) == 0 && n > 7 &&
         (kernel_name.compare(n - 3, 3, "_v4") == 0 || kernel_name.compare(n - 3, 3, "_v6") == 0);
}

std::vector<DynamicSet> dynamic_sets(const std::vector<nl::SetInfo>& sets) {
  std::vector<DynamicSet> out;
  for (const auto& s : sets) {
    if (!is_dynamic(s.name) || s.name.compare(s.name.size() - 3, 3, "_v4") != 0) continue;
    DynamicSet d;
    d.name = s.name.substr(4, s.name.size() - 7);
    const nl::SetInfo* v6 = find(sets, d.kernel_name(net::Family::v6));
    if (!v6) continue;
    d.v4 = s;
    d.v6 = *v6;
    out.push_back(std::move(d));
  }
  return out;
}

const DynamicSet* pick(const std::vector<DynamicSet>& sets, const std::string& name, std::string& err) {
  if (sets.empty()) {
    err = "table inet fwc (if applied at all) has no dynamic set (a policy's block: - dynamic: NAME)";
    return nullptr;
  }
  if (name.empty() && sets.size() == 1) return &sets.front();
  std::string names;
  for (const auto& s : sets) {
    if (s.name == name) return &s;
    names += (names.empty() ? "" : ", ") + s.name;
  }
  err = name.empty() ? "several dynamic sets: choose one with --set (" + names + ")"
                     : "no dynamic set '" + name + "' in table inet fwc (it has: " + names + ")";
  return nullptr;
}

std::string format_duration(uint64_t ms) {
  uint64_t s = ms / 1000;
  std::string out;
  const std::pair<uint64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}};
  for (const auto& [size, unit] : units)
    if (s >= size) {
      out += std::to_string(s / size) + unit;
      s %= size;
    }
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

bool read_entries(const std::vector<std::string>& args, std::vector<net::Cidr>& out, std::string& err) {
  for (const auto& a : args) {
    if (a == "-") {
      if (!read_stdin(out, err)) return false;
    } else if (!add_entry(a, out, err)) {
      return false;
    }
  }
  if (out.empty()) err = "no address given";
  return !out.empty();
}

std::vector<std::string> overlapping(const std::vector<net::Cidr>& entries, const std::vector<nl::Element>& never) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    for (const auto& n : never) {
      if (e.family != n.cidr.family) continue;
      const net::u128 e_hi = e.addr | net::host_mask(e.family, e.len);
      const net::u128 n_hi = n.cidr.addr | net::host_mask(e.family, n.cidr.len);
      if (e.addr <= n_hi && n.cidr.addr <= e_hi) {
        out.push_back(net::format_cidr(e) + " (never: " + net::format_cidr(n.cidr) + ")");
        break;
      }
    }
  return out;
}

}  // namespace fwc::cli::blocks
