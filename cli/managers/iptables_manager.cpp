// iptables as the firewall manager: fwc's chains (FWC-*) and sets (fwc-*)
// loaded into the tables the node's iptables rules live in, every other
// chain, rule and policy kept. Each family's tables are replaced by one
// iptables-restore (checked with --test first) of the live tables with
// fwc's part swapped; sets are filled under staging names and swapped in.
#include <algorithm>

#include "cli/managers/file_archive.h"
#include "cli/managers/ipt_merge.h"
#include "cli/managers/manager.h"
#include "cli/managers/tool_run.h"

namespace fwc::cli::managers {

namespace {

struct Family {
  const char* save;     // iptables-save
  const char* restore;  // iptables-restore
  const char* suffix;   // the artefact, v4.rules
  const char* label;    // "v4", in diff lines
};
constexpr Family kFamilies[] = {{"iptables-save", "iptables-restore", "v4.rules", "v4"},
                                {"ip6tables-save", "ip6tables-restore", "v6.rules", "v6"}};

bool run_ok(const std::vector<std::string>& argv, const std::string& input, std::string& out,
            std::string& err) {
  ToolResult r = run_tool(argv, input);
  if (r.status != 0 || !r.started) {
    err = tool_failure(argv, r);
    return false;
  }
  out = std::move(r.out);
  return true;
}

bool has_content(const std::string& ipset_file) {
  for (const auto& l : split_lines(ipset_file))
    if (!l.empty() && l[0] != '#') return true;
  return false;
}

class IptablesManager : public Manager {
 public:
  const char* name() const override { return "iptables"; }

  bool installed_state(std::vector<std::string>& lines, std::string& err) override {
    for (const auto& f : kFamilies) {
      std::string save;
      if (!run_ok({f.save}, {}, save, err)) return false;
      for (const auto& l : ipt::fwc_lines(save)) lines.push_back(std::string(f.label) + " " + l);
    }
    if (!have_tool("ipset")) return true;
    std::string sets;
    if (!run_ok({"ipset", "save"}, {}, sets, err)) return false;
    for (const auto& l : ipt::fwc_ipset_lines(sets)) lines.push_back("ipset " + l);
    return true;
  }

  bool check(const Compiled& c, std::string& err) override {
    std::vector<std::string> loads;
    if (!merged_loads(c, loads, err)) return false;
    std::string out;
    for (size_t i = 0; i < loads.size(); ++i)
      if (!run_ok({kFamilies[i].restore, "--test"}, loads[i], out, err)) return false;
    return true;
  }

  bool snapshot(std::string& saved, std::string& err) override {
    Archive a;
    for (const auto& f : kFamilies) {
      std::string save;
      if (!run_ok({f.save}, {}, save, err)) return false;
      a.files.push_back({f.save, true, 0600, save});
    }
    std::string sets;
    if (have_tool("ipset") && !run_ok({"ipset", "save"}, {}, sets, err)) return false;
    std::string kept;
    for (const auto& l : ipt::fwc_ipset_lines(sets)) kept += l + "\n";
    a.files.push_back({"ipset", true, 0600, kept});
    saved = serialize(a);
    return true;
  }

  bool install(const Compiled& c, const state::Paths&, std::string& err) override {
    const std::string* sets = c.text("ipset");
    std::string out;
    if (sets && has_content(*sets) && !run_ok({"ipset", "restore"}, *sets, out, err)) return false;
    std::vector<std::string> loads;
    if (!merged_loads(c, loads, err)) return false;
    for (size_t i = 0; i < loads.size(); ++i)
      if (!run_ok({kFamilies[i].restore, "--test"}, loads[i], out, err)) return false;
    for (size_t i = 0; i < loads.size(); ++i)
      if (!run_ok({kFamilies[i].restore}, loads[i], out, err)) return false;
    std::vector<std::string> keep;
    if (sets) keep = ipt::ipset_names(ipt::fwc_ipset_lines(*sets));
    return destroy_other_sets(keep, err);
  }

  bool remove(const std::string& saved, const state::Paths&, std::string& err) override {
    Archive a;
    if (!parse(saved, a)) {
      err = "the saved iptables state is unreadable";
      return false;
    }
    const ArchivedFile* sets = a.find("ipset");
    std::vector<std::string> set_lines = sets ? split_lines(sets->text) : std::vector<std::string>{};
    std::string out;
    if (!set_lines.empty() && !run_ok({"ipset", "restore"}, ipt::ipset_restore_input(set_lines), out, err))
      return false;
    for (const auto& f : kFamilies) {
      const ArchivedFile* before = a.find(f.save);
      std::string live;
      if (!before || !run_ok({f.save}, {}, live, err)) {
        if (!before) err = std::string("the saved iptables state lacks ") + f.save;
        return false;
      }
      std::vector<ipt::Table> fwc;
      for (const auto& t : ipt::parse_tables(before->text)) fwc.push_back(ipt::fwc_part(t, true));
      std::string load = ipt::merge(ipt::parse_tables(live), fwc);
      if (!load.empty() && !run_ok({f.restore}, load, out, err)) return false;
    }
    return destroy_other_sets(ipt::ipset_names(set_lines), err);
  }

  bool can_rollback(std::string&) override { return true; }

 private:
  // Per family: the live tables with fwc's part replaced by the artefact's.
  static bool merged_loads(const Compiled& c, std::vector<std::string>& loads, std::string& err) {
    for (const auto& f : kFamilies) {
      const std::string* rules = c.text(f.suffix);
      std::string live;
      if (!rules) {
        err = std::string("the compiled iptables artefacts lack the ") + f.suffix + " file";
        return false;
      }
      if (!run_ok({f.save}, {}, live, err)) return false;
      loads.push_back(ipt::merge(ipt::parse_tables(live), ipt::parse_tables(*rules)));
    }
    return true;
  }

  // Sets fwc-* that are live but not in `keep`: no rule uses them any more.
  static bool destroy_other_sets(const std::vector<std::string>& keep, std::string& err) {
    if (!have_tool("ipset")) return true;
    std::string listing;
    if (!run_ok({"ipset", "list", "-n"}, {}, listing, err)) return false;
    for (const auto& set : split_lines(listing)) {
      if (set.rfind("fwc-", 0) != 0 || std::find(keep.begin(), keep.end(), set) != keep.end()) continue;
      std::string out;
      if (!run_ok({"ipset", "destroy", set}, {}, out, err)) return false;
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Manager> make_iptables() {
  return std::make_unique<IptablesManager>();
}

}  // namespace fwc::cli::managers
