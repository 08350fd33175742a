#pragma once
#include "backends/nftables/coexist/foreign.h"
#include "backends/nftables/netlink/nl_session.h"

// The chains and sets of every table but inet fwc, read over netlink (never
// by running nft): what else filters this host.
namespace fwc::nft::netlink {

// Also notes whether legacy x_tables rules are loaded (/proc/net).
bool read_foreign(Session& s, coexist::ForeignRuleset& out, Outcome& err);

}  // namespace fwc::nft::netlink
