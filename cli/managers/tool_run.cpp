#include "cli/managers/tool_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "compiler/diag/printable.h"

namespace fwc::cli::managers {

namespace {

// Lines of a failing tool's standard error kept in the message.
constexpr size_t kErrorTail = 6;

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                             const int fds[3]) {
  for (int i = 0; i < 3; ++i) dup2(fds[i], i);
  for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

// Writes `input` to the tool while reading both its outputs to their end,
// keeping at most the limit of each.
void exchange(int in_fd, int out_fd, int err_fd, const std::string& input, ToolResult& r) {
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
  std::string* into[2] = {&r.out, &r.err};
  size_t written = 0;
  if (input.empty()) {
    close(in_fd);
    fds[2].fd = -1;
  }
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0 || fds[2].fd >= 0) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].fd >= 0 && fds[2].revents) {
      const bool can_write = fds[2].revents & POLLOUT;
      ssize_t n = can_write ? write(in_fd, input.data() + written, input.size() - written) : -1;
      if (n > 0) written += static_cast<size_t>(n);
      if (!can_write || (n < 0 && errno != EINTR && errno != EAGAIN) || written == input.size()) {
        close(in_fd);
        fds[2].fd = -1;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      size_t room = kToolOutputLimit - std::min(kToolOutputLimit, into[i]->size());
      if (static_cast<size_t>(n) > room) r.truncated = true;
      into[i]->append(buf, std::min(room, static_cast<size_t>(n)));
    }
  }
  for (const auto& f : fds)
    if (f.fd >= 0) close(f.fd);
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv, const std::string& input,
                    const std::vector<std::string>& env) {
  ToolResult r;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      if (fd >= 0) close(fd);
  };
  if (argv.empty() || pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    close_all();
    return r;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    const int fds[3] = {in[0], out[1], err[1]};
    exec_child(argv, env, fds);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    return r;
  }
  // A tool that stops reading its input early must not kill fwc.
  signal(SIGPIPE, SIG_IGN);
  fcntl(in[1], F_SETFL, O_NONBLOCK);  // never blocked writing while the tool waits to be read
  exchange(in[1], out[0], err[0], input, r);
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  r.started = r.status != 127;
  return r;
}

std::string tool_failure(const std::vector<std::string>& argv, const ToolResult& r) {
  std::string name = argv.empty() ? "?" : argv[0];
  if (!r.started) return printable(name) + " could not be run (is it installed?)";
  std::string text = r.err.empty() ? r.out : r.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t cut = text.size(), lines = 0;
  while (cut > 0 && lines < kErrorTail) {
    cut = text.rfind('\n', cut - 1);
    if (cut == std::string::npos) {
      cut = 0;
      break;
    }
    ++lines;
  }
  std::string tail = text.substr(cut == 0 ? 0 : cut + 1);
  std::string msg = printable(name) + " exited with status " + std::to_string(r.status);
  if (!tail.empty()) msg += ": " + printable(tail);
  return msg;
}

bool have_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string file = dirs.substr(start, end - start) + "/" + name;
    if (access(file.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace fwc::cli::managers
