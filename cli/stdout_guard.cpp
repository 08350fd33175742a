#include "cli/stdout_guard.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <new>

#include "cli/commands.h"

namespace fwc::cli {

namespace {

FILE* g_guarded = nullptr;  // what `stdout` names once guarded
int g_write_errno = 0;

ssize_t write_all(void*, const char* buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(STDOUT_FILENO, buf + done, size - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      if (g_write_errno == 0) g_write_errno = errno;
      break;  // a short count marks the stream failed
    }
  }
  return static_cast<ssize_t>(done);
}

// std::cout (CLI11's --help and --version) over the guarded stream, so its
// failures are remembered too.
class StdoutBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    return std::fputc(c, stdout) == EOF ? traits_type::eof() : c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    return static_cast<std::streamsize>(std::fwrite(s, 1, static_cast<size_t>(n), stdout));
  }
  int sync() override { return std::fflush(stdout) == 0 ? 0 : -1; }
};

}  // namespace

void guard_stdout() {
  cookie_io_functions_t io{};
  io.write = &write_all;
  FILE* f = fopencookie(nullptr, "w", io);
  if (!f) return;  // keep the plain stream: errors are then reported without a reason
  // A terminal sees each line as it is written, as with the plain stream.
  std::setvbuf(f, nullptr, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
  g_guarded = f;
  stdout = f;
  // Never destroyed: std::cout is flushed at exit after every static object
  // of this program is gone, and must still find its buffer.
  alignas(StdoutBuffer) static unsigned char storage[sizeof(StdoutBuffer)];
  std::cout.rdbuf(new (storage) StdoutBuffer);
}

int finish_stdout(int rc) {
  std::cout.flush();
  errno = 0;
  bool ok = std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good();
  if (ok) return rc;
  // The guarded stream knows why; the plain one (no guard) may leave it in errno.
  int err = g_write_errno ? g_write_errno : errno;
  std::fprintf(stderr, "fwc: cannot write output: %s\n", err ? std::strerror(err) : "write error");
  return Exit::runtime_failure;
}

int descriptor_of(FILE* stream) { return stream == g_guarded ? STDOUT_FILENO : fileno(stream); }

}  // namespace fwc::cli
