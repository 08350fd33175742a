#include "cli/lint_report.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "compiler/diag/codes.h"
#include "compiler/diag/printable.h"

namespace fwc::cli {

namespace {

const char* level_of(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: break;
  }
  return "note";
}

std::string text_with_hint(const Diagnostic& d) {
  return d.hint.empty() ? d.message : d.message + " (hint: " + d.hint + ")";
}

// Where a rule is documented: the diagnostic code table of the command
// contract (installed with the package), also in fwc(1) DIAGNOSTICS.
std::string rule_help_uri() { return std::string(FWC_DOC_URI) + "#diagnostic-codes"; }

nlohmann::json sarif_rule(const std::string& id, Severity severity) {
  const CodeInfo* info = find_code(id);
  nlohmann::json rule = {{"id", id}};
  if (info) {
    rule["name"] = info->name;
    rule["shortDescription"] = {{"text", info->summary}};
    rule["fullDescription"] = {{"text", info->description}};
  }
  rule["defaultConfiguration"] = {{"level", level_of(severity)}};
  rule["helpUri"] = rule_help_uri();
  rule["help"] = {{"text", "See " + id + " under DIAGNOSTICS in fwc(1)."}};
  return rule;
}

nlohmann::json sarif_result(const Diagnostic& d, size_t rule_index) {
  nlohmann::json r = {{"ruleId", d.code},
                      {"ruleIndex", rule_index},
                      {"level", level_of(d.severity)},
                      {"message", {{"text", text_with_hint(d)}}}};
  if (d.loc.file && !d.loc.file->empty()) {
    nlohmann::json phys = {{"artifactLocation", {{"uri", path_to_uri(*d.loc.file)}}}};
    if (d.loc.line > 0) {
      nlohmann::json region = {{"startLine", d.loc.line}};
      if (d.loc.col > 0) {
        region["startColumn"] = d.loc.col;
        region["endColumn"] = d.loc.col + std::max<uint32_t>(1, d.length);
      }
      phys["region"] = region;
    }
    r["locations"] = nlohmann::json::array({{{"physicalLocation", phys}}});
  }
  if (!d.hint.empty()) r["properties"] = {{"hint", d.hint}};
  return r;
}

// Invalid UTF-8 (bytes of a policy that is not UTF-8) becomes U+FFFD, so a
// log stays readable text.
std::string valid_utf8(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size() && !(len == 2 && c < 0xC2) && !(len == 4 && c > 0xF4);
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string path_to_uri(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = !path.empty() && path[0] == '/' ? "file://" : "";
  for (unsigned char c : path) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string sarif_report(const std::vector<Diagnostic>& diags, const std::string& version) {
  // Rules in code order, each once; results refer to them by index.
  std::map<std::string, Severity> used;
  for (const auto& d : diags) used.emplace(d.code, d.severity);
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, size_t> index;
  for (const auto& [id, severity] : used) {
    index[id] = rules.size();
    rules.push_back(sarif_rule(id, severity));
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& d : diags) results.push_back(sarif_result(d, index[d.code]));
  nlohmann::json driver = {{"name", "fwc"},
                           {"version", version},
                           {"semanticVersion", version},
                           {"informationUri", FWC_DOC_URI},
                           {"rules", rules}};
  nlohmann::json log = {
      {"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({{{"tool", {{"driver", driver}}}, {"results", results}}})}};
  // Invalid UTF-8 in a message (from a policy's bytes) is replaced, not fatal.
  return log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string github_escape_data(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string github_escape_property(const std::string& s) {
  std::string out;
  for (char c : github_escape_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string github_report(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) {
    const char* command = d.severity == Severity::error     ? "error"
                          : d.severity == Severity::warning ? "warning"
                                                            : "notice";
    std::string props;
    auto add = [&](const char* key, const std::string& value) {
      props += (props.empty() ? " " : ",") + std::string(key) + "=" + github_escape_property(value);
    };
    if (d.loc.file && !d.loc.file->empty()) add("file", printable(*d.loc.file));
    if (d.loc.line > 0) {
      add("line", std::to_string(d.loc.line));
      if (d.loc.col > 0) {
        add("col", std::to_string(d.loc.col));
        add("endColumn", std::to_string(d.loc.col + std::max<uint32_t>(1, d.length) - 1));
      }
    }
    if (!d.code.empty()) add("title", d.code);
    std::string text = d.hint.empty() ? d.message : d.message + "\nhint: " + d.hint;
    out += "::" + std::string(command) + props + "::" + github_escape_data(valid_utf8(text)) + "\n";
  }
  return out;
}

}  // namespace fwc::cli
