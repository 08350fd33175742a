// ufw as the firewall manager: the compiled ufw script run against ufw's
// own configuration, its files (rules, defaults, logging, enabled) saved
// first so that remove and a rollback put them back and reload ufw.
#include "cli/managers/file_archive.h"
#include "cli/managers/manager.h"
#include "cli/managers/tool_run.h"

namespace fwc::cli::managers {

namespace {

// Everything the script changes: the added rules (user*.rules), the
// defaults and IPV6 (/etc/default/ufw), logging and ENABLED (ufw.conf).
const char* const kFiles[] = {"/etc/ufw/user.rules", "/etc/ufw/user6.rules", "/etc/ufw/ufw.conf",
                              "/etc/default/ufw"};

bool run_ok(const std::vector<std::string>& argv, std::string& err) {
  ToolResult r = run_tool(argv);
  if (r.status == 0 && r.started) return true;
  err = tool_failure(argv, r);
  return false;
}

bool has_line(const std::string& text, const char* line) {
  for (const auto& l : split_lines(text))
    if (l == line) return true;
  return false;
}

bool enabled_in(const std::string& ufw_conf) {
  return has_line(ufw_conf, "ENABLED=yes");
}

bool read_live(const char* path, std::string& text) {
  Archive a;
  std::string err;
  if (!add_file(a, path, err) || !a.files.front().present) return false;
  text = a.files.front().text;
  return true;
}

class UfwManager : public Manager {
 public:
  const char* name() const override { return "ufw"; }

  bool installed_state(std::vector<std::string>& lines, std::string& err) override {
    for (const char* path : kFiles) {
      std::string text;
      if (!read_live(path, text)) {
        err = std::string("cannot read ") + path + " (is ufw installed?)";
        return false;
      }
      for (const auto& l : split_lines(text))
        if (!l.empty()) lines.push_back(std::string(path) + ": " + l);
    }
    return true;
  }

  bool check(const Compiled& c, std::string& err) override {
    const std::string* script = c.text("ufw.sh");
    std::string defaults;
    if (!script) {
      err = "the compiled ufw artefacts lack the ufw.sh script";
      return false;
    }
    if (!have_tool("ufw")) {
      err = "ufw is not installed";
      return false;
    }
    if (!read_live("/etc/default/ufw", defaults) || !has_line(defaults, "IPV6=yes")) {
      err = "ufw leaves IPv6 unfiltered: set IPV6=yes in /etc/default/ufw first";
      return false;
    }
    return run_ok({"ufw", "--version"}, err) && syntax_ok(*script, err);
  }

  bool snapshot(std::string& saved, std::string& err) override {
    Archive a;
    for (const char* path : kFiles)
      if (!add_file(a, path, err)) return false;
    saved = serialize(a);
    return true;
  }

  bool install(const Compiled& c, const state::Paths& p, std::string& err) override {
    if (!check(c, err)) return false;
    const std::string path = state_file(p, *this, "script");
    if (!state::write_file(path, *c.text("ufw.sh"), err)) return false;
    bool ok = run_ok({"sh", path}, err);
    std::remove(path.c_str());
    return ok;
  }

  bool remove(const std::string& saved, const state::Paths&, std::string& err) override {
    Archive a;
    const ArchivedFile* conf = nullptr;
    if (!parse(saved, a) || !(conf = a.find("/etc/ufw/ufw.conf"))) {
      err = "the saved ufw configuration is unreadable";
      return false;
    }
    std::string live_conf;
    const bool live_enabled = read_live("/etc/ufw/ufw.conf", live_conf) && enabled_in(live_conf);
    const bool was_enabled = conf->present && enabled_in(conf->text);
    // Disabled before: stop ufw's chains while its files still match them.
    if (!was_enabled && live_enabled && !run_ok({"ufw", "--force", "disable"}, err)) return false;
    if (!restore_files(a, err)) return false;
    if (!was_enabled) return true;
    return run_ok({"ufw", "--force", live_enabled ? "reload" : "enable"}, err);
  }

  bool can_rollback(std::string& why) override {
    if (have_tool("ufw")) return true;
    why = "ufw is not installed";
    return false;
  }

 private:
  static bool syntax_ok(const std::string& script, std::string& err) {
    ToolResult r = run_tool({"sh", "-n"}, script);
    if (r.status == 0) return true;
    err = tool_failure({"sh", "-n"}, r);
    return false;
  }
};

}  // namespace

std::unique_ptr<Manager> make_ufw() {
  return std::make_unique<UfwManager>();
}

}  // namespace fwc::cli::managers
