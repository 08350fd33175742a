#include "compiler/parse/list_file.h"

#include <algorithm>
#include <cstring>

#include "compiler/diag/printable.h"

namespace fwc::parse {

namespace {
constexpr size_t kMaxReportsPerFile = 10;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool read_list_text(const std::string& path, const SourceLoc& referenced_at, DiagnosticEngine& diags,
                    ListBudget& budget, std::string& text) {
  size_t cap = std::min(kMaxListFileBytes, budget.bytes_left);
  InputRead r = read_regular_file(path, cap, text);
  if (r.ok) {
    budget.bytes_left -= text.size();
    return true;
  }
  std::string hint;
  if (r.problem.rfind("is larger", 0) == 0)
    hint = cap < kMaxListFileBytes ? "the lists of one policy hold at most " + size_text(kMaxListBytesPerPolicy) +
                                         " together; is a list named many times?"
                                   : "a list file holds at most " + size_text(kMaxListFileBytes);
  diags.error(code::file_error, referenced_at, "cannot read address list '" + path + "': " + r.problem, hint);
  return false;
}

// Bad lines after the first: counted, and the first few named by number;
// one diagnostic, at the second bad line.
struct LaterBadLines {
  size_t count = 0;
  SourceLoc first;
  std::string numbers;

  void add(const SourceLoc& loc) {
    if (count == 0) first = loc;
    if (count++ < kMaxReportsPerFile) numbers += (numbers.empty() ? "" : ", ") + std::to_string(loc.line);
  }
  void report(DiagnosticEngine& diags) const {
    if (count == 0) return;
    diags.error(code::bad_address, first,
                std::to_string(count) + " more bad line" + (count == 1 ? "" : "s") + " in this list (line" +
                    (count == 1 ? " " : "s ") + numbers + (count > kMaxReportsPerFile ? ", ..." : "") + ")");
  }
};
}  // namespace

bool read_address_list(const std::string& path, const SourceLoc& referenced_at, DiagnosticEngine& diags,
                       net::AddrSet& out, size_t& entries, ListBudget& budget) {
  std::string text;
  if (!read_list_text(path, referenced_at, diags, budget, text)) return false;
  auto file = std::make_shared<const std::string>(path);
  // One entry a line at most; reserving avoids regrowing a million-entry list.
  out.reserve(net::Family::v4, static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  size_t errors = 0, host_bits = 0;
  LaterBadLines later;
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    ++line_no;
    const size_t line_start = pos;
    size_t b = pos, e = nl;
    // Search for a comment within this line only: a whole-file search per
    // line would make long lists quadratic.
    const void* hash = std::memchr(text.data() + b, '#', e - b);
    if (hash) e = static_cast<size_t>(static_cast<const char*>(hash) - text.data());
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    pos = nl + 1;
    if (b == e) continue;
    std::string_view entry(text.data() + b, e - b);
    net::CidrParse p = net::parse_cidr(entry);
    SourceLoc loc{file, line_no, static_cast<uint32_t>(b - line_start) + 1};
    if (p.status == net::CidrStatus::bad_address || p.status == net::CidrStatus::bad_prefix) {
      if (errors++ > 0) {
        later.add(loc);
        continue;
      }
      diags.error(code::bad_address, loc,
                  (p.status == net::CidrStatus::bad_prefix ? "bad prefix length in '" : "not an IP address or CIDR: '") +
                      excerpt(entry) + "'",
                  {}, static_cast<uint32_t>(entry.size()));
      continue;
    }
    if (p.status == net::CidrStatus::host_bits_set && host_bits++ < kMaxReportsPerFile)
      diags.warning(code::host_bits, loc, "'" + std::string(entry) + "' has host bits set",
                    "it is read as " + net::format_cidr(p.cidr), static_cast<uint32_t>(entry.size()));
    out.add(p.cidr);
    ++entries;
  }
  later.report(diags);
  if (host_bits > kMaxReportsPerFile)
    diags.warning(code::host_bits, SourceLoc{file, 0, 0},
                  std::to_string(host_bits - kMaxReportsPerFile) + " more entries with host bits set not shown");
  return true;
}

}  // namespace fwc::parse
