#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace fwc::fuzz {

struct SideFile {
  std::string name;  // relative to the policy's directory
  std::string text;
};

// A fuzz input: the policy text and the list files or include fragments
// that follow it ("#>> NAME" lines, see compile_fuzz.cpp).
struct Input {
  std::string policy;
  std::vector<SideFile> files;
};
Input split_input(std::string_view data);

// False when the input could make the loader open a file outside the
// sandbox: a side file with an unsafe name, or a YAML scalar (key, value,
// anchor target) that is an absolute path or climbs with "..".
bool stays_in_sandbox(const Input& in);

// A private, initially empty directory, removed at exit. prepare() empties
// it, writes the input's side files and returns the path the policy is
// named by (it is not written: the policy is compiled from memory).
class Sandbox {
 public:
  static Sandbox& instance();
  std::string prepare(const std::vector<SideFile>& files);

 private:
  Sandbox();
  std::string root_;
};

}  // namespace fwc::fuzz
