#include "validator/prober/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace fwc::prober {

namespace {

std::string sys_error(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool capget_all(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &hdr, data) == 0;
}

bool has_capabilities() {
  __user_cap_data_struct data[2] = {};
  if (!capget_all(data)) return true;  // cannot tell: assume the worst
  for (auto& d : data)
    if (d.effective || d.permitted || d.inheritable) return true;
  return false;
}

bool clear_capabilities(std::string& error) {
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);  // fails harmlessly on old kernels
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &hdr, data) != 0) {
    error = sys_error("capset");
    return false;
  }
  return true;
}

// uid, gid and a printable name for `user`.
bool lookup(const std::string& user, uid_t& uid, gid_t& gid, std::string& name, std::string& error) {
  std::vector<char> buf(16384);
  passwd pw{}, *found = nullptr;
  char* end = nullptr;
  unsigned long num = std::strtoul(user.c_str(), &end, 10);
  const bool numeric = !user.empty() && end && *end == '\0';
  int rc = numeric ? getpwuid_r(uid_t(num), &pw, buf.data(), buf.size(), &found)
                   : getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc == 0 && found) {
    uid = found->pw_uid, gid = found->pw_gid, name = found->pw_name;
    return true;
  }
  if (numeric) {
    uid = uid_t(num), gid = gid_t(num), name = user;
    return true;
  }
  if (user == "nobody") {
    uid = 65534, gid = 65534, name = user;
    return true;
  }
  error = "no such user: " + user;
  return false;
}

}  // namespace

Privileges drop_privileges(const std::string& user) {
  Privileges r;
  if (geteuid() == 0) {
    uid_t uid;
    gid_t gid;
    std::string name;
    if (!lookup(user, uid, gid, name, r.error)) return r;
    if (uid == 0) {
      r.error = "refusing to keep root: --user " + user + " is uid 0";
      return r;
    }
    if (setgroups(0, nullptr) != 0) return r.error = sys_error("setgroups"), r;
    if (setresgid(gid, gid, gid) != 0) return r.error = sys_error("setresgid"), r;
    if (setresuid(uid, uid, uid) != 0) return r.error = sys_error("setresuid"), r;
    uid_t ru, eu, su;
    if (getresuid(&ru, &eu, &su) != 0 || ru == 0 || eu == 0 || su == 0 || setuid(0) == 0) {
      r.error = "still able to become root after setresuid";
      return r;
    }
    if (!clear_capabilities(r.error)) return r;  // the inheritable set survives setresuid
    r.done = "uid " + std::to_string(uid) + " (" + name + "), gid " + std::to_string(gid);
  } else if (has_capabilities()) {
    if (!clear_capabilities(r.error)) return r;
    r.done = "uid " + std::to_string(getuid());
  } else {
    r.done = "uid " + std::to_string(getuid());
  }
  if (has_capabilities()) {
    r.error = "capabilities remain after dropping them";
    return r;
  }
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  r.done += ", no capabilities";
  r.ok = true;
  return r;
}

}  // namespace fwc::prober
