#include "backends/common/escape.h"
#include "backends/ufw/ufw_backend.h"

namespace fwc::ufw {

namespace {

// Explains, at the top of every script, what running it does.
const char* const kPreamble[] = {
    "",
    "What running it does:",
    "- Deletes every rule added with ufw ('ufw show added'), one at a time,",
    "  while the firewall stays up: the policy describes the node's whole",
    "  exposure, so rules added by hand would widen it. 'ufw --force reset' is",
    "  not used: it disables the firewall first (the node would stay open until",
    "  the last line) and puts back the package's before.rules and after.rules,",
    "  dropping local edits. Established connections (this SSH session) survive.",
    "- Sets the defaults and logging, adds the policy's rules in fwc's evaluation",
    "  order (ufw: first match wins), then enables ufw.",
    "",
    "ufw's before.rules stay in force ahead of these rules: loopback,",
    "established/related and invalid packets, essential ICMP/ICMPv6, DHCP client",
    "replies (udp 67 to 68), mDNS and UPnP multicast. 'reject' answers TCP with",
    "a reset and everything else with ICMP port-unreachable. ufw has no address",
    "sets: a network becomes one rule per CIDR. Review with 'ufw status numbered'.",
};

constexpr size_t kWidth = 78;

// Shell comment lines, wrapped at word boundaries; continuation lines are
// indented by two spaces. Whatever a line holds stays inside the comment.
void comment_lines(std::string& out, const std::vector<std::string>& lines) {
  for (const auto& text : lines) {
    const std::string l = escape::comment_line(text);
    if (l.empty()) {
      out += "#\n";
      continue;
    }
    std::string line = "#";
    size_t pos = 0;
    bool first = true;
    while (pos < l.size()) {
      size_t end = l.find(' ', pos);
      if (end == std::string::npos) end = l.size();
      std::string word = l.substr(pos, end - pos);
      pos = end + 1;
      if (word.empty()) continue;
      if (!first && line.size() + 1 + word.size() > kWidth) {
        out += line + "\n";
        line = "#  ";
      }
      line += " " + word;
      first = false;
    }
    out += line + "\n";
  }
}

}  // namespace

std::string command_text(const Command& c) {
  std::string out = "ufw ";
  if (c.dir == Command::Dir::route) out += "route ";
  out += c.action;
  if (c.dir == Command::Dir::out) out += " out";
  if (c.log) out += " log";
  out += " from " + c.from + " to " + c.to;
  if (!c.port.empty()) out += " port " + c.port;
  if (!c.proto.empty()) out += " proto " + c.proto;
  if (!c.comment.empty())
    out += " comment " + escape::shell_word(escape::ufw_comment(c.comment, kCommentMax));
  return out;
}

std::string emit(const Script& s) {
  std::string out = "#!/bin/sh\n";
  comment_lines(out, s.header);
  for (const char* line : kPreamble) out += *line ? std::string("# ") + line + "\n" : std::string("#\n");
  out += "set -e\n\n";

  out += "command -v ufw >/dev/null || { echo 'fwc: ufw is not installed' >&2; exit 1; }\n\n";
  out += "# ufw leaves IPv6 unfiltered unless IPV6=yes; the policy covers both families.\n";
  out += "if ! grep -q '^IPV6=yes' /etc/default/ufw; then\n";
  out += "  echo 'fwc: set IPV6=yes in /etc/default/ufw first' >&2\n";
  out += "  exit 1\n";
  out += "fi\n\n";

  out += "# Delete the rules added so far: rule 1, until there is none.\n";
  out += "while ufw --force delete 1 >/dev/null 2>&1; do :; done\n";
  out += "if ufw show added | grep -q '^ufw '; then\n";
  out += "  echo 'fwc: could not delete the existing ufw rules' >&2\n";
  out += "  exit 1\n";
  out += "fi\n\n";

  out += "# Defaults and logging\n";
  comment_lines(out, s.default_notes);
  out += "ufw default " + s.incoming + " incoming\n";
  out += "ufw default " + s.outgoing + " outgoing\n";
  if (s.routed.empty())
    out += "# Forwarding is not managed by this policy: ufw's routed default stays as it is.\n";
  else
    out += "ufw default " + s.routed + " routed\n";
  out += "ufw logging " + s.logging + "\n";

  for (const auto& sec : s.sections) {
    out += "\n# === " + sec.title + "\n";
    comment_lines(out, sec.notes);
    for (const auto& g : sec.groups) {
      out += "\n";
      comment_lines(out, g.notes);
      for (const auto& c : g.commands) out += command_text(c) + "\n";
    }
  }

  out += "\nufw --force enable\n";
  return out;
}

std::unique_ptr<backend::Backend> make_backend() {
  return std::make_unique<backend::LoweringBackend<Script>>(
      &lower, [](const Script& s) { return std::vector<backend::Artifact>{{"ufw.sh", emit(s)}}; });
}

}  // namespace fwc::ufw
