#include "backends/common/escape.h"
#include "backends/firewalld/firewalld_backend.h"

namespace fwc::firewalld {

namespace {

// ipsets hold 65,536 entries unless told otherwise.
constexpr size_t kIpsetDefaultMax = 65536;

using escape::shell_word;

// One '#' line of the script.
std::string comment(const std::string& text) {
  return "# " + escape::comment_line(text) + "\n";
}

// A double-quoted rich-rule attribute value.
std::string rich_quoted(const std::string& text) {
  return '"' + escape::rich_value(text) + '"';
}

const char* family_name(net::Family f) {
  return f == net::Family::v4 ? "ipv4" : "ipv6";
}

void append_addr(std::string& out, const char* side, const Addr& a) {
  out += ' ';
  out += side;
  if (!a.ipset.empty())
    out += " ipset=\"" + a.ipset + "\"";
  else
    out += " address=\"" + a.address + "\"";
}

void append_group(std::string& out, const Group& g) {
  out += comment(g.comment);
  for (const auto& r : g.rules) out += "set -- \"$@\" --add-rich-rule=" + shell_word(rich_text(r)) + "\n";
}

void append_ipset(std::string& out, const IpSet& s) {
  size_t count = s.addrs.cidr_count(s.family);
  out += comment(s.comment + ": " + std::to_string(count) + (count == 1 ? " entry" : " entries"));
  out += "fw --new-ipset=" + s.name +
         " --type=hash:net --option=family=" + (s.family == net::Family::v4 ? "inet" : "inet6");
  if (count > kIpsetDefaultMax) {
    size_t max = kIpsetDefaultMax;
    while (max < count) max *= 2;
    out += " --option=maxelem=" + std::to_string(max);
  }
  out += "\ncat >\"$tmp/" + s.name + "\" <<'EOF'\n";
  // Entries are produced interval by interval: a million-entry set is never
  // held as a second list.
  std::vector<net::Cidr> chunk;
  for (const auto& iv : s.addrs.intervals(s.family)) {
    chunk.clear();
    net::interval_to_cidrs(s.family, iv, chunk);
    for (const auto& c : chunk) {
      out += net::format_cidr(c);
      out += '\n';
    }
  }
  out += "EOF\n";
  out += "fw --ipset=" + s.name + " --add-entries-from-file=\"$tmp/" + s.name + "\"\n\n";
}

void append_container(std::string& out, const Container& c) {
  const std::string sel = c.is_zone ? "--zone=" + c.name : "--policy=" + c.name;
  if (c.is_zone) {
    out += "# Zone " + c.name + ": inbound traffic.\n";
    out += "fw --new-zone=" + c.name + "\n";
  } else {
    out += "# Policy " + c.name + ": " + (c.ingress == "HOST" ? "outbound" : "forwarded") + " traffic (" +
           c.ingress + " to " + c.egress + ").\n";
    out += "fw --new-policy=" + c.name + "\n";
  }
  out += "fw " + sel + " --set-short=" + shell_word(c.short_text) + "\n";
  if (!c.is_zone) {
    out += "fw " + sel + " --add-ingress-zone=" + c.ingress + "\n";
    out += "fw " + sel + " --add-egress-zone=" + c.egress + "\n";
  }
  out += "fw " + sel + " --set-target=" + c.target + "\n";
  if (!c.ports.empty()) {
    out += "set --\n";
    std::string last;
    for (const auto& p : c.ports) {
      if (p.comment != last) out += comment(p.comment);
      last = p.comment;
      out += "set -- \"$@\" --add-port=" + net::format_range(p.range) + "/" + net::proto_name(p.proto) + "\n";
    }
    out += "fw " + sel + " \"$@\"\n";
  }
  if (!c.groups.empty()) {
    out += "set --\n";
    for (const auto& g : c.groups) append_group(out, g);
    out += "fw " + sel + " \"$@\"\n";
  }
  out += "\n";
}

const char* kPreamble = R"SH(set -euf

# The command that edits firewalld's permanent configuration. Options may
# follow it: FWCMD="firewall-offline-cmd --system-config DIR" builds a
# scratch configuration. With firewalld running, FWCMD="firewall-cmd --permanent"
# does the same through the daemon, and the script then runs
# `firewall-cmd --reload` and makes fwc the default zone.
FWCMD=${FWCMD:-firewall-offline-cmd}

fw() {
	# FWCMD is split into words on purpose: it may carry options.
	$FWCMD "$@"
}

# The same command without --permanent, for the runtime steps.
runtime=
permanent=no
for word in $FWCMD; do
	if [ "$word" = --permanent ]; then permanent=yes; else runtime="$runtime $word"; fi
done

# Remove what an earlier run created; nothing else is touched. Offline, every
# command needs the default zone to exist: it waits on "public" meanwhile.
case " $(fw --get-zones) " in
*" fwc "*)
	if [ "$permanent" = no ] && [ "$(fw --get-default-zone)" = fwc ]; then
		fw --set-default-zone=public
	fi
	fw --delete-zone=fwc
	;;
esac
for name in $(fw --get-policies); do
	case $name in
	fwc-out | fwc-fwd) fw --delete-policy="$name" ;;
	esac
done
for name in $(fw --get-ipsets); do
	case $name in
	fwc-*) fw --delete-ipset="$name" ;;
	esac
done

)SH";

const char* kPostamble = R"SH(# Zone fwc takes the traffic of every interface no other zone claims.
if [ "$permanent" = yes ]; then
	$runtime --reload
	[ "$($runtime --get-default-zone)" = fwc ] || $runtime --set-default-zone=fwc
else
	[ "$(fw --get-default-zone)" = fwc ] || fw --set-default-zone=fwc
fi

# Sources bound to another zone are dispatched before zone fwc, and
# interfaces bound to another zone never reach it: name them.
fw --list-all-zones | awk '
	/^[^ \t]/ { zone = $1 }
	zone != "fwc" && /^[ \t]+(interfaces|sources): [^ ]/ {
		sub(/^[ \t]+/, "")
		print "fwc: zone " zone " has " $0 ": that traffic bypasses zone fwc" > "/dev/stderr"
	}'
)SH";

}  // namespace

std::string rich_text(const RichRule& r) {
  std::string out = "rule";
  if (r.priority) out += " priority=\"" + std::to_string(r.priority) + "\"";
  if (r.family) out += std::string(" family=\"") + family_name(*r.family) + "\"";
  if (r.source) append_addr(out, "source", *r.source);
  if (r.destination) append_addr(out, "destination", *r.destination);
  switch (r.element) {
    case Element::port:
      out +=
          " port port=\"" + net::format_range(r.ports) + "\" protocol=\"" + net::proto_name(r.proto) + "\"";
      break;
    case Element::icmp_type:
      out += " icmp-type name=\"" + r.name + "\"";
      break;
    case Element::protocol:
      out += " protocol value=\"" + r.name + "\"";
      break;
    case Element::none:
      break;
  }
  if (r.log) {
    out += " log";
    if (!r.log->prefix.empty()) out += " prefix=" + rich_quoted(r.log->prefix);
    if (!r.log->level.empty()) out += " level=\"" + r.log->level + "\"";
    if (!r.log->limit.empty()) out += " limit value=\"" + r.log->limit + "\"";
  }
  switch (r.action) {
    case Action::accept:
      out += " accept";
      break;
    case Action::drop:
      out += " drop";
      break;
    case Action::reject:
      out += " reject";
      break;
    case Action::none:
      break;
  }
  if (!r.action_limit.empty()) out += " limit value=\"" + r.action_limit + "\"";
  return out;
}

std::string emit(const Config& c) {
  std::string out;
  size_t elements = 0;
  for (const auto& s : c.ipsets) elements += s.addrs.intervals(s.family).size();
  out.reserve(8192 + elements * 24);
  out += "#!/bin/sh\n";
  for (const auto& line : c.header) out += comment(line);
  out += R"SH(# Generated by fwc; do not edit.
#
# Writes firewalld's permanent configuration for this policy with
# firewall-offline-cmd (firewalld stopped). With firewalld running, the same
# commands work as `firewall-cmd --permanent`, followed by
# `firewall-cmd --reload`: run it with FWCMD="firewall-cmd --permanent" and
# it does both (see FWCMD below).
#
# What fwc owns: zone "fwc" (inbound; made the default zone, so it takes
# every interface not bound to another zone), ipsets "fwc-*" (networks of
# more than 4 addresses or CIDRs per family), and the policy objects
# "fwc-out" (outbound) and "fwc-fwd" (forwarded traffic) when the policy
# restricts them. A second run replaces them and touches nothing else.
#
# firewalld has accepted established/related traffic and loopback and
# dropped invalid packets before any zone. In zone fwc, rich rules run in
# priority order, then the zone's ports, then the target:
#   -32768        IPv6 neighbour discovery (the hop limit is not matched;
#                 the kernel ignores ND packets whose hop limit is not 255)
#   -32000 + i    block rule i (policy order)
#   -20000        ICMPv6 packet-too-big, ICMP per defaults.icmp
#   -10000 + 2i   rate meter i: accept under the rate what the allow rules
#                 accept (firewalld's limit), then the meter's action on the rest
#   -5000 + i     allow rule i with a source, a log or all traffic
#   ports         allow rules open to any source
#   1 + i         otherwise clause i
#   32767         the default's log and reject (target DROP), or target ACCEPT
# firewalld cannot keep per-source meters or a burst, and its limits and
# log rates apply per rich rule. Forwarded traffic entering zone fwc meets its target unless
# the policy manages forwarding (policy fwc-fwd).
)SH";
  out += kPreamble;
  if (!c.ipsets.empty()) {
    out += "tmp=$(mktemp -d)\ntrap 'rm -rf \"$tmp\"' EXIT\n\n";
    for (const auto& s : c.ipsets) append_ipset(out, s);
  }
  append_container(out, c.zone);
  if (c.out) append_container(out, *c.out);
  if (c.fwd) append_container(out, *c.fwd);
  out += kPostamble;
  return out;
}

std::unique_ptr<backend::Backend> make_backend() {
  return std::make_unique<backend::LoweringBackend<Config>>(
      &lower, [](const Config& c) { return std::vector<backend::Artifact>{{"firewalld.sh", emit(c)}}; });
}

}  // namespace fwc::firewalld
