#include "fuzz/fuzz_sandbox.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fwc::fuzz {

namespace {

constexpr std::string_view kMarker = "#>> ";
constexpr size_t kMaxSideFiles = 16;

// Where the next "#>> " line starts at or after `from`, or npos.
size_t next_marker(std::string_view data, size_t from) {
  for (size_t pos = from; pos < data.size();) {
    if (data.compare(pos, kMarker.size(), kMarker) == 0) return pos;
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return std::string_view::npos;
}

bool safe_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// Any scalar can end up as a `file:` or `include:` path, so every scalar
// the YAML parser produces is checked, however it was written (quoted,
// escaped, tagged, anchored).
class PathScreen : public YAML::EventHandler {
 public:
  bool safe = true;
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string& value) override {
    if ((!value.empty() && value.front() == '/') || value.find("..") != std::string::npos) safe = false;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

// The loader reads the first document only (YAML::Load), and a text its
// parser rejects part-way is never used beyond that point, so the scalars
// seen until then are all that matter. (Asking for further documents can
// loop forever on some inputs, e.g. a stray ',' at the top level.)
bool scalars_stay_inside(const std::string& text) {
  PathScreen screen;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    parser.HandleNextDocument(screen);
  } catch (const YAML::Exception&) {
  }
  return screen.safe;
}

}  // namespace

Input split_input(std::string_view data) {
  Input in;
  size_t pos = next_marker(data, 0);
  in.policy = std::string(data.substr(0, pos));
  while (pos != std::string_view::npos) {
    size_t eol = data.find('\n', pos);
    size_t body = eol == std::string_view::npos ? data.size() : eol + 1;
    std::string_view name = data.substr(pos + kMarker.size(), body - pos - kMarker.size());
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.remove_suffix(1);
    size_t next = next_marker(data, body);
    std::string_view text =
        data.substr(body, next == std::string_view::npos ? std::string_view::npos : next - body);
    in.files.push_back({std::string(name), std::string(text)});
    pos = next;
  }
  return in;
}

bool stays_in_sandbox(const Input& in) {
  if (in.files.size() > kMaxSideFiles) return false;
  for (const auto& f : in.files)
    if (!safe_name(f.name) || !scalars_stay_inside(f.text)) return false;
  return scalars_stay_inside(in.policy);
}

Sandbox& Sandbox::instance() {
  static Sandbox sandbox;
  return sandbox;
}

Sandbox::Sandbox() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/fwc-fuzz-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("fuzz: cannot create a temporary directory");
  root_ = pattern;
  static std::string to_remove;
  to_remove = root_;
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(to_remove, ec);
  });
}

std::string Sandbox::prepare(const std::vector<SideFile>& files) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(root_) / "policy";
  fs::remove_all(dir);
  fs::create_directory(dir);
  for (const auto& f : files) {
    fs::path p = dir / f.name;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);  // a name may clash with an earlier file: skip it
    std::ofstream(p, std::ios::binary).write(f.text.data(), static_cast<std::streamsize>(f.text.size()));
  }
  return (dir / "fwc-fuzz.yaml").string();
}

}  // namespace fwc::fuzz
