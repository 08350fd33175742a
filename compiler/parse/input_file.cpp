#include "compiler/parse/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fwc::parse {

namespace {

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

InputRead too_large(size_t max_bytes) {
  return {false, "is larger than " + size_text(max_bytes)};
}

// Reads to the end, or fails once more than max_bytes arrived (a file that
// grows while read, or a stream). A non-blocking descriptor with no data
// yet (EAGAIN) ends the read: it is not waited for.
InputRead read_bounded(int fd, size_t max_bytes, std::string& out) {
  out.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return {true, {}};
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return {false, "has no data to read"};
      return {false, std::strerror(errno)};
    }
    if (out.size() + static_cast<size_t>(n) > max_bytes) return too_large(max_bytes);
    out.append(buf, static_cast<size_t>(n));
  }
}

InputRead open_and_read(const std::string& path, int flags, bool streams_ok, size_t max_bytes,
                        std::string& out) {
  Fd f{::open(path.c_str(), flags | O_RDONLY | O_NOCTTY | O_CLOEXEC)};
  if (f.fd < 0) return {false, std::strerror(errno)};
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return {false, std::strerror(errno)};
  bool stream = S_ISFIFO(st.st_mode) || (S_ISCHR(st.st_mode) && ::isatty(f.fd));
  if (!S_ISREG(st.st_mode) && !(streams_ok && stream)) return {false, kind_of(st.st_mode)};
  if (S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) > max_bytes)
    return too_large(max_bytes);
  return read_bounded(f.fd, max_bytes, out);
}

}  // namespace

InputRead read_regular_file(const std::string& path, size_t max_bytes, std::string& out) {
  return open_and_read(path, O_NONBLOCK, false, max_bytes, out);
}

InputRead read_policy_input(const std::string& path, size_t max_bytes, std::string& out) {
  // Blocking: a pipe the operator names is read as it fills.
  return open_and_read(path, 0, true, max_bytes, out);
}

std::string size_text(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace fwc::parse
