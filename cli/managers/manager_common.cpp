// The table of managers and what they share: state file names, line diffs,
// and the diff of the recorded apply against the compiled and live states.
#include "cli/managers/manager.h"

namespace fwc::cli::managers {

namespace {

// A line that says something (not a comment, not blank).
bool meaningful(const std::string& l) {
  size_t at = l.find_first_not_of(" \t");
  return at != std::string::npos && l[at] != '#';
}

// The lines that say something, each after the name of its artefact
// ("v4.rules: -A FWC-INPUT ...") when `text` is a Compiled::joined().
std::vector<std::string> meaningful_lines(const std::string& text) {
  std::vector<std::string> out;
  std::string file;
  for (auto& l : split_lines(text)) {
    if (l.rfind("== ", 0) == 0)
      file = l.substr(3) + ": ";
    else if (meaningful(l))
      out.push_back(file + l);
  }
  return out;
}

}  // namespace

const std::string* Compiled::text(std::string_view suffix) const {
  for (const auto& f : files)
    if (f.suffix == suffix) return &f.text;
  return nullptr;
}

std::string Compiled::joined() const {
  std::string out;
  for (const auto& f : files)
    out += "== " + f.suffix + "\n" + f.text + (f.text.empty() || f.text.back() == '\n' ? "" : "\n");
  return out;
}

const std::vector<ManagerInfo>& manager_table() {
  static const std::vector<ManagerInfo> table = {
      {"iptables", &make_iptables}, {"ufw", &make_ufw}, {"firewalld", &make_firewalld}};
  return table;
}

const ManagerInfo* find_manager(std::string_view name) {
  for (const auto& m : manager_table())
    if (name == m.name) return &m;
  return nullptr;
}

std::string state_file(const state::Paths& p, const Manager& m, const char* kind) {
  return p.file((std::string(m.name()) + "." + kind).c_str());
}

// Without a recorded apply: the tool's state against the artefacts. After
// one: the artefacts applied then against today's, and the tool's state
// recorded then against the live one (changes made outside fwc).
bool Manager::diff(const Compiled& c, const state::Paths& p, std::vector<std::string>& lines,
                   std::string& err) {
  std::vector<std::string> live;
  if (!installed_state(live, err)) return false;
  std::string applied, installed;
  if (!state::read_file(state_file(p, *this, "applied"), applied) ||
      !state::read_file(state_file(p, *this, "installed"), installed)) {
    lines = line_diff(live, meaningful_lines(c.joined()));
    return true;
  }
  lines = line_diff(meaningful_lines(applied), meaningful_lines(c.joined()));
  auto outside = line_diff(live, split_lines(installed));
  if (!outside.empty()) {
    lines.push_back(std::string("# changed outside fwc since the last apply (") + name() + "'s state):");
    lines.insert(lines.end(), outside.begin(), outside.end());
  }
  return true;
}

}  // namespace fwc::cli::managers
