// The chain walk (compiler/ir/walk.h): the one evaluation order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "compiler/ir/walk.h"

using namespace fwc;

namespace {

ir::Origin origin(const std::string& label) {
  ir::Origin o;
  o.label = label;
  return o;
}

ir::Chain chain_with_one_of_each() {
  ir::Chain c;
  c.blocks.push_back({origin("block"), {}, {}, {}, ir::Verdict::drop, {}, {}});
  ir::Meter m;
  m.origin = origin("meter");
  c.meters.push_back(m);
  ir::Allow a1, a2;
  a1.origin = origin("allow1");
  a2.origin = origin("allow2");
  c.allows = {a1, a2};
  ir::Otherwise o;
  o.origin = origin("otherwise");
  c.otherwise.push_back(o);
  return c;
}

const char* step_text(ir::Step s) {
  switch (s) {
    case ir::Step::established: return "established";
    case ir::Step::neighbour_discovery: return "nd";
    case ir::Step::invalid: return "invalid";
    case ir::Step::loopback: return "lo";
    case ir::Step::essential_icmp: return "icmp";
    default: return "?";
  }
}

// Records every call; stops at the label named `stop_at`.
struct Recorder : ir::ChainSink {
  std::vector<std::string> calls;
  std::string stop_at;
  ir::Flow note(const std::string& what) {
    calls.push_back(what);
    return what == stop_at ? ir::Flow::stop : ir::Flow::next;
  }
  void begin(ir::Hook h, const ir::Chain&) override { calls.push_back(std::string("begin ") + ir::hook_name(h)); }
  ir::Flow fixed(ir::Hook, ir::Step s) override { return note(step_text(s)); }
  ir::Flow block(ir::Hook, const ir::Block& b) override { return note(b.origin.label); }
  ir::Flow meter(ir::Hook, const ir::Meter& m) override { return note(m.origin.label); }
  ir::Flow allow(ir::Hook, const ir::Allow& a) override { return note(a.origin.label); }
  ir::Flow allows_done(ir::Hook) override { return note("allows done"); }
  ir::Flow otherwise(ir::Hook, const ir::Otherwise& o) override { return note(o.origin.label); }
  void fallback(ir::Hook, const ir::Chain&) override { calls.push_back("default"); }
};

using Calls = std::vector<std::string>;

}  // namespace

TEST_CASE("input is walked in the contract's evaluation order", "[walk]") {
  Recorder r;
  ir::walk(ir::Hook::input, chain_with_one_of_each(), r);
  CHECK(r.calls == Calls{"begin input", "established", "nd", "invalid", "lo", "block", "icmp", "meter", "allow1",
                         "allow2", "allows done", "otherwise", "default"});
}

TEST_CASE("output lets ICMP out before its block rules; forward has no fixed accepts but established",
          "[walk]") {
  Recorder out;
  ir::walk(ir::Hook::output, chain_with_one_of_each(), out);
  CHECK(out.calls == Calls{"begin output", "established", "lo", "icmp", "block", "meter", "allow1", "allow2",
                           "allows done", "otherwise", "default"});
  Recorder fwd;
  ir::walk(ir::Hook::forward, chain_with_one_of_each(), fwd);
  CHECK(fwd.calls == Calls{"begin forward", "established", "block", "meter", "allow1", "allow2", "allows done",
                           "otherwise", "default"});
}

TEST_CASE("a sink that decides stops the walk", "[walk]") {
  for (const char* stop : {"lo", "block", "allow1", "allows done", "otherwise"}) {
    Recorder r;
    r.stop_at = stop;
    ir::walk(ir::Hook::input, chain_with_one_of_each(), r);
    INFO(stop);
    CHECK(r.calls.back() == stop);
    CHECK(std::find(r.calls.begin(), r.calls.end(), "default") == r.calls.end());
  }
}

TEST_CASE("a ruleset walks input, then the chains it manages", "[walk]") {
  ir::Ruleset rs;
  rs.input = chain_with_one_of_each();
  Recorder only_input;
  ir::walk(rs, only_input);
  CHECK(std::count(only_input.calls.begin(), only_input.calls.end(), "default") == 1);
  rs.forward = ir::Chain{};
  rs.output = ir::Chain{};
  Recorder all;
  ir::walk(rs, all);
  Calls begins;
  for (const auto& c : all.calls)
    if (c.rfind("begin ", 0) == 0) begins.push_back(c);
  CHECK(begins == Calls{"begin input", "begin output", "begin forward"});
}
