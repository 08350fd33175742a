#pragma once
#include <string>
#include <vector>

// A manager's configuration files kept as one text (a state file), so that
// `fwc remove` and a --confirm rollback can put them back exactly.
namespace fwc::cli::managers {

struct ArchivedFile {
  std::string name;  // a path, or a label for a tool's dump ("iptables-save")
  bool present = false;
  unsigned mode = 0644;
  std::string text;
};

struct Archive {
  std::vector<ArchivedFile> files;
  // Directories whose regular files are all in `files`: a restore deletes
  // the files that appeared in them since.
  std::vector<std::string> dirs;
  const ArchivedFile* find(const std::string& name) const;
};

std::string serialize(const Archive& a);
bool parse(const std::string& text, Archive& out);

// Adds `path` (present or not) to the archive; false when it exists but
// cannot be read.
bool add_file(Archive& a, const std::string& path, std::string& err);
// Adds every regular file of `dir` (a missing directory holds none).
bool add_dir(Archive& a, const std::string& dir, std::string& err);

// Writes every archived path back (mode included), deletes those archived
// as absent and the files of the archived directories the archive lacks.
// Entries whose name is not an absolute path (tool dumps) are skipped.
bool restore_files(const Archive& a, std::string& err);

}  // namespace fwc::cli::managers
