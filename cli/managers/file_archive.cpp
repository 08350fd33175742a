#include "cli/managers/file_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/atomic_file.h"

namespace fwc::cli::managers {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHeader = "fwc-archive 1\n";

bool read_whole(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return !f.bad();
}

bool archived(const Archive& a, const std::string& path) {
  return a.find(path) != nullptr;
}

// A file that is a mount point (a bind-mounted file) cannot be renamed
// over: its contents are rewritten in place instead.
bool write_in_place(const ArchivedFile& f) {
  int fd = open(f.name.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = fchmod(fd, static_cast<mode_t>(f.mode)) == 0;
  for (size_t at = 0; ok && at < f.text.size();) {
    ssize_t n = write(fd, f.text.data() + at, f.text.size() - at);
    ok = n > 0;
    at += ok ? static_cast<size_t>(n) : 0;
  }
  ok = fsync(fd) == 0 && ok;
  return close(fd) == 0 && ok;
}

}  // namespace

const ArchivedFile* Archive::find(const std::string& name) const {
  for (const auto& f : files)
    if (f.name == name) return &f;
  return nullptr;
}

// Entries: "F MODE SIZE NAME\n" + SIZE bytes + "\n", "A NAME\n" (absent),
// "D NAME\n" (a directory covered in full). Names never hold a newline.
std::string serialize(const Archive& a) {
  std::string out = kHeader;
  for (const auto& d : a.dirs) out += "D " + d + "\n";
  for (const auto& f : a.files) {
    if (!f.present) {
      out += "A " + f.name + "\n";
      continue;
    }
    char head[64];
    std::snprintf(head, sizeof head, "F %o %zu ", f.mode, f.text.size());
    out += head + f.name + "\n" + f.text + "\n";
  }
  return out;
}

bool parse(const std::string& text, Archive& out) {
  if (text.rfind(kHeader, 0) != 0) return false;
  size_t at = std::strlen(kHeader);
  while (at < text.size()) {
    size_t eol = text.find('\n', at);
    if (eol == std::string::npos || eol - at < 3) return false;
    std::string line = text.substr(at, eol - at);
    at = eol + 1;
    if (line.rfind("D ", 0) == 0) {
      out.dirs.push_back(line.substr(2));
    } else if (line.rfind("A ", 0) == 0) {
      out.files.push_back({line.substr(2), false, 0, {}});
    } else if (line.rfind("F ", 0) == 0) {
      unsigned mode = 0;
      size_t size = 0;
      int name_at = 0;
      if (std::sscanf(line.c_str(), "F %o %zu %n", &mode, &size, &name_at) != 2 || name_at == 0) return false;
      if (size > text.size() - at || text.size() - at - size < 1 || text[at + size] != '\n') return false;
      out.files.push_back({line.substr(static_cast<size_t>(name_at)), true, mode, text.substr(at, size)});
      at += size + 1;
    } else {
      return false;
    }
  }
  return true;
}

bool add_file(Archive& a, const std::string& path, std::string& err) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      err = "cannot inspect " + path + ": " + std::strerror(errno);
      return false;
    }
    a.files.push_back({path, false, 0, {}});
    return true;
  }
  ArchivedFile f{path, true, static_cast<unsigned>(st.st_mode & 07777), {}};
  if (!S_ISREG(st.st_mode) || !read_whole(path, f.text)) {
    err = "cannot read " + path + " (not a readable regular file)";
    return false;
  }
  a.files.push_back(std::move(f));
  return true;
}

bool add_dir(Archive& a, const std::string& dir, std::string& err) {
  std::error_code ec;
  a.dirs.push_back(dir);
  if (!fs::exists(dir, ec)) return true;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string path = e.path().string();
    if (!e.is_regular_file(ec) || path.find('\n') != std::string::npos) continue;
    if (!add_file(a, path, err)) return false;
  }
  if (ec) err = "cannot list " + dir + ": " + ec.message();
  return !ec;
}

bool restore_files(const Archive& a, std::string& err) {
  for (const auto& f : a.files) {
    if (f.name.empty() || f.name[0] != '/') continue;
    if (f.present) {
      if (!write_file_atomically(f.name, f.text, static_cast<mode_t>(f.mode), err) && !write_in_place(f))
        return false;
      err.clear();
    } else if (std::remove(f.name.c_str()) != 0 && errno != ENOENT) {
      err = "cannot delete " + f.name + ": " + std::strerror(errno);
      return false;
    }
  }
  std::error_code ec;
  for (const auto& d : a.dirs) {
    if (!fs::exists(d, ec)) continue;
    std::vector<std::string> extra;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_regular_file(ec) && !archived(a, e.path().string())) extra.push_back(e.path().string());
    for (const auto& path : extra)
      if (std::remove(path.c_str()) != 0) {
        err = "cannot delete " + path + ": " + std::strerror(errno);
        return false;
      }
  }
  return true;
}

}  // namespace fwc::cli::managers
