#include "cli/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fwc::cli {

namespace {

std::string random_suffix() {
  unsigned char bytes[8] = {};
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    // No entropy yet (early boot): O_EXCL still guarantees a fresh file.
    unsigned long long v = static_cast<unsigned long long>(getpid()) ^ reinterpret_cast<uintptr_t>(&bytes);
    std::memcpy(bytes, &v, sizeof bytes);
  }
  std::string out;
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string failure(const std::string& what, const std::string& path) {
  return "cannot " + what + " " + path + ": " + std::strerror(errno);
}

// The temporary file, filled and on disk; false (errno set) otherwise.
bool fill(int fd, std::string_view data, mode_t mode, std::string& what) {
  if (fchmod(fd, mode) != 0) return what = "set the mode of", false;
  if (!write_all(fd, data)) return what = "write", false;
  if (fsync(fd) != 0) return what = "flush", false;
  return true;
}

}  // namespace

bool write_file_atomically(const std::string& path, std::string_view data, mode_t mode, std::string& err) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return err = failure("open the directory", dir), false;
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    tmp = "." + base + "." + random_suffix() + ".tmp";
    fd = openat(dfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    err = failure("create a temporary file in", dir);
    close(dfd);
    return false;
  }
  std::string what;
  bool ok = fill(fd, data, mode, what);
  int saved = errno;
  if (close(fd) != 0 && ok) ok = false, saved = errno, what = "close";
  if (ok && renameat(dfd, tmp.c_str(), dfd, base.c_str()) != 0)
    ok = false, saved = errno, what = "rename over";
  if (!ok) {
    unlinkat(dfd, tmp.c_str(), 0);
    errno = saved;
    err = failure(what, path);
    close(dfd);
    return false;
  }
  // The rename itself on disk: without it a crash can bring the old file back.
  if (fsync(dfd) != 0 && errno != EINVAL) {
    err = failure("flush the directory", dir);
    close(dfd);
    return false;
  }
  close(dfd);
  return true;
}

}  // namespace fwc::cli
