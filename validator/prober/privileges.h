#pragma once
// Giving up privileges once the scan's sockets are open: the raw socket and
// the capture handle keep working without them.
#include <string>

namespace fwc::prober {

struct Privileges {
  bool ok = false;
  std::string done;   // what changed, e.g. "now uid 65534 (nobody), no capabilities"
  std::string error;  // why it failed (ok false)
};

// As root: supplementary groups cleared, then gid and uid set (real,
// effective and saved) to `user`'s, which also empties the capability sets;
// `user` is a name or a number, and "nobody" falls back to 65534 when the
// system has no such entry. Not root: every capability (effective,
// permitted, inheritable, ambient) is dropped, for a binary given
// CAP_NET_RAW by file capabilities. Either way no_new_privs is set, so no
// later exec can regain anything. Checks the result: a uid that can still
// become 0 is a failure.
Privileges drop_privileges(const std::string& user);

}  // namespace fwc::prober
