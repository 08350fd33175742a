#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli/commands.h"
#include "fwc_embedded_presets.h"

namespace fwc::cli {

namespace {

struct InitOptions {
  std::string preset = "web";
  std::string output = "policy.yaml";
  bool force = false;
};

std::string_view preset_text(const std::string& name) {
  if (name == "cluster") return embedded::preset_cluster;
  if (name == "edge") return embedded::preset_edge;
  if (name == "admin-only") return embedded::preset_admin_only;
  return embedded::preset_web;
}

int run_init(const InitOptions& o) {
  std::string_view text = preset_text(o.preset);
  if (o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? int(Exit::ok) : int(Exit::runtime_failure);
  }
  // "x": fail rather than replace an existing file (C11 exclusive mode).
  FILE* f = std::fopen(o.output.c_str(), o.force ? "w" : "wx");
  if (!f && errno == EEXIST) {
    std::fprintf(stderr, "fwc: '%s' exists; use --force to overwrite it\n", o.output.c_str());
    return Exit::bad_input;
  }
  bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  int saved = errno;
  if (f && std::fclose(f) != 0) ok = false, saved = errno;
  if (!ok) {
    std::fprintf(stderr, "fwc: cannot write '%s': %s\n", o.output.c_str(), std::strerror(saved));
    return Exit::runtime_failure;
  }
  if (verbosity() != Verbosity::quiet)
    std::fprintf(stderr, "fwc: wrote %s (preset %s); check it with 'fwc lint --strict %s'\n", o.output.c_str(),
                 o.preset.c_str(), o.output.c_str());
  return Exit::ok;
}

}  // namespace

Run setup_init(CLI::App& app) {
  auto o = std::make_shared<InitOptions>();
  app.add_option("--preset", o->preset, "Starting point (default web)")
      ->check(CLI::IsMember({"web", "cluster", "edge", "admin-only"}));
  app.add_option("-o,--output", o->output, "File to write (default policy.yaml; - for standard output)");
  app.add_flag("--force", o->force, "Overwrite an existing file");
  return [o] { return run_init(*o); };
}

}  // namespace fwc::cli
