#include "backends/cloud/cloud_sink.h"

// What the defaults of each direction add to the cloud firewall, and the
// lowering as a whole.
namespace fwc::cloud::detail {

void Lowering::inbound_default(const ir::Chain& in) {
  const ir::Origin& o = in.default_origin;
  if (in.policy != ir::Verdict::accept) {
    if (in.policy == ir::Verdict::reject) warn_no_reject(o, o.label);
    if (in.log)
      warn({"defaults.log", in.log->loc.known() ? in.log->loc : o.loc, {}, {}},
           "defaults.log: " + fw_ + " does not log what it drops; only the host firewall logs it");
    return;
  }
  if (!refused_) return rules_.add_all(g_.inbound, anywhere(), o, true);
  accept_but_refused(o);
}

// Everything but the ports `otherwise` clauses refuse (their sources come
// from the allow rules).
void Lowering::accept_but_refused(const ir::Origin& o) {
  if (refused_->all) return;
  const net::PortSet every{false, {kAllPorts}, {kAllPorts}};
  const net::PortSet open = every.subtract(*refused_);
  for (const auto& r : open.tcp) rules_.add(g_.inbound, Proto::tcp, r, anywhere(), o);
  for (const auto& r : open.udp) rules_.add(g_.inbound, Proto::udp, r, anywhere(), o);
  rules_.add(g_.inbound, Proto::icmp, kAllPorts, anywhere(), o);
  warn(o, o.label + ": " + fw_ +
              " gets tcp, udp and icmp rules only; other protocols the default accepts stay blocked there");
}

void Lowering::open_outbound(const ir::Origin& o) {
  g_.outbound_open = true;
  g_.outbound.clear();
  // DigitalOcean refuses all outbound traffic that no rule allows.
  if (p_ == Provider::digitalocean) rules_.add_all(g_.outbound, anywhere(), o, false);
}

void Lowering::outbound_default(const ir::Chain& out) {
  g_.outbound_open = false;
  if (out.policy == ir::Verdict::accept) {
    // Everything out but what `to` blocks refuse.
    rules_.add_all(g_.outbound, anywhere(), out.default_origin, false);
    if (!apply_blocks(g_, true, blocks_, approx_)) open_outbound(out.default_origin);
    return;
  }
  if (out.policy == ir::Verdict::reject) warn_no_reject(out.default_origin, "defaults.outbound");
  apply_blocks(g_, true, blocks_, approx_);
}

std::optional<Group> Lowering::run() {
  g_.provider = p_;
  g_.name = group_name(rs_, p_);
  g_.policy_name = rs_.policy_name;
  g_.policy_file = rs_.policy_file;
  g_.selection = rs_.selection;
  g_.settings = rs_.cloud;
  g_.inbound_default = rs_.input.default_origin;
  const size_t errors = diags_.error_count();
  check_names(rs_, p_, g_.name, diags_);
  ir::walk(rs_, *this);
  if (!rs_.output) open_outbound(defaults_origin("defaults.outbound"));
  if (diags_.error_count() > errors) return std::nullopt;
  for (const auto& issue : check_limits(g_)) {
    std::string at = issue.origin.loc.line > 0 ? issue.origin.label + ": " : std::string();
    diags_.error(code::target_limit, issue.origin.loc, at + issue.message, issue.hint);
  }
  if (diags_.error_count() > errors) return std::nullopt;
  return std::move(g_);
}

}  // namespace fwc::cloud::detail

namespace fwc::cloud {

std::optional<Group> lower(const ir::Ruleset& rs, Provider p, DiagnosticEngine& diags) {
  return detail::Lowering(rs, p, diags).run();
}

}  // namespace fwc::cloud
