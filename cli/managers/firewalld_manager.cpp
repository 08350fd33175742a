// firewalld as the firewall manager: the compiled script run through
// `firewall-cmd --permanent` (then reloaded) when firewalld runs, else
// through firewall-offline-cmd (firewalld loads it at its next start).
// Its zone, ipset and policy files and firewalld.conf (the default zone)
// are saved first for remove and rollback.
#include <cstdlib>
#include <filesystem>

#include "cli/managers/file_archive.h"
#include "cli/managers/manager.h"
#include "cli/managers/tool_run.h"

namespace fwc::cli::managers {

namespace {

namespace fs = std::filesystem;

const char* const kConfDir = "/etc/firewalld";
const char* const kDirs[] = {"/etc/firewalld/zones", "/etc/firewalld/ipsets", "/etc/firewalld/policies"};
const char* const kConf = "/etc/firewalld/firewalld.conf";

bool run_ok(const std::vector<std::string>& argv, const std::vector<std::string>& env, std::string& err) {
  ToolResult r = run_tool(argv, {}, env);
  if (r.status == 0 && r.started) return true;
  err = tool_failure(argv, r);
  return false;
}

bool running() {
  ToolResult r = run_tool({"firewall-cmd", "--state"});
  return r.started && r.status == 0;
}

// fwc's files: zone fwc, ipsets and policies fwc-*.
bool owned(const fs::path& file) {
  std::string base = file.filename().string();
  return base == "fwc.xml" || (base.rfind("fwc-", 0) == 0 && file.extension() == ".xml");
}

class FirewalldManager : public Manager {
 public:
  const char* name() const override { return "firewalld"; }

  bool installed_state(std::vector<std::string>& lines, std::string& err) override {
    Archive a;
    if (!add_file(a, kConf, err)) return false;
    for (const char* dir : kDirs)
      if (!add_dir(a, dir, err)) return false;
    for (const auto& f : a.files) {
      if (!f.present) continue;
      const bool conf = f.name == kConf;
      if (!conf && !owned(f.name)) continue;
      for (const auto& l : split_lines(f.text))
        if (!conf || l.rfind("DefaultZone=", 0) == 0) lines.push_back(f.name + ": " + l);
    }
    return true;
  }

  // The script against a scratch copy of the configuration.
  bool check(const Compiled& c, std::string& err) override {
    const std::string* script = c.text("firewalld.sh");
    if (!script) {
      err = "the compiled firewalld artefacts lack the firewalld.sh script";
      return false;
    }
    std::string tmpl = (fs::temp_directory_path() / "fwc-firewalld-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      err = "cannot create a scratch directory for firewall-offline-cmd";
      return false;
    }
    const fs::path scratch = tmpl;
    std::error_code ec;
    fs::copy(kConfDir, scratch / "conf", fs::copy_options::recursive, ec);
    bool ok = !ec && state::write_file((scratch / "policy.sh").string(), *script, err) &&
              run_ok({"sh", (scratch / "policy.sh").string()},
                     {"FWCMD=firewall-offline-cmd --system-config " + (scratch / "conf").string()}, err);
    if (ec) err = std::string("cannot copy ") + kConfDir + ": " + ec.message();
    fs::remove_all(scratch, ec);
    return ok;
  }

  bool snapshot(std::string& saved, std::string& err) override {
    Archive a;
    if (!add_file(a, kConf, err)) return false;
    for (const char* dir : kDirs)
      if (!add_dir(a, dir, err)) return false;
    saved = serialize(a);
    return true;
  }

  bool install(const Compiled& c, const state::Paths& p, std::string& err) override {
    const std::string* script = c.text("firewalld.sh");
    if (!script) return check(c, err);
    online_ = running();
    const std::string path = state_file(p, *this, "script");
    if (!state::write_file(path, *script, err)) return false;
    bool ok = run_ok({"sh", path},
                     {online_ ? "FWCMD=firewall-cmd --permanent" : "FWCMD=firewall-offline-cmd"}, err);
    std::remove(path.c_str());
    return ok;
  }

  bool remove(const std::string& saved, const state::Paths&, std::string& err) override {
    Archive a;
    if (!parse(saved, a)) {
      err = "the saved firewalld configuration is unreadable";
      return false;
    }
    if (!restore_files(a, err)) return false;
    online_ = running();
    return !online_ || run_ok({"firewall-cmd", "--reload"}, {}, err);
  }

  bool can_rollback(std::string& why) override {
    if (running()) return true;
    why = "firewalld is not running, so a rollback could not reload it: apply without --confirm";
    return false;
  }

  std::string install_note() const override {
    return online_ ? std::string()
                   : "firewalld is not running: the configuration is written, and firewalld applies it at "
                     "its next start";
  }

 private:
  bool online_ = true;
};

}  // namespace

std::unique_ptr<Manager> make_firewalld() {
  return std::make_unique<FirewalldManager>();
}

}  // namespace fwc::cli::managers
