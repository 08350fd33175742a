#pragma once
#include <string>
#include <vector>

// iptables-save text and fwc's part of it (chains FWC-*, the jumps to them,
// sets fwc-*): what the iptables manager loads with one iptables-restore.
namespace fwc::cli::managers::ipt {

struct Table {
  std::string name;
  std::vector<std::string> chains;  // ":CHAIN POLICY [n:m]" lines
  std::vector<std::string> rules;   // "-A ..." / "-I ..." lines
};

// The tables of an iptables-save or iptables-restore text (comments,
// blank lines and COMMIT dropped).
std::vector<Table> parse_tables(const std::string& text);

// A line of fwc's: declares, fills or jumps to a chain FWC-*.
bool is_fwc_line(const std::string& line);

// fwc's lines of `t` only, its chain lines without counters. With
// `as_insert`, jumps from other chains become "-I CHAIN 1 ..." (fwc's jump
// comes first in a built-in chain).
Table fwc_part(const Table& t, bool as_insert);

// The input of iptables-restore (tables replaced whole) that keeps every
// line of `current` that is not fwc's and puts `fwc` in: fwc's chains and
// rules after the others (its jumps are inserted at position 1). Only the
// tables of either that hold fwc lines are in it.
std::string merge(const std::vector<Table>& current, const std::vector<Table>& fwc);

// The fwc lines of an iptables-save text, table by table ("*filter" lines
// included), counters dropped: what `diff` compares.
std::vector<std::string> fwc_lines(const std::string& save);

// The lines of an `ipset save` text about sets fwc-* (not the staging
// copies "*.new").
std::vector<std::string> fwc_ipset_lines(const std::string& save);

// An `ipset restore` input that gives fwc's sets exactly the members
// `saved` (fwc_ipset_lines) lists: each filled under a staging name and
// swapped in. Sets fwc-* live now but absent from `saved` are destroyed by
// the caller, after the rules that use them are gone.
std::string ipset_restore_input(const std::vector<std::string>& saved);
// The names of the sets a fwc_ipset_lines list creates.
std::vector<std::string> ipset_names(const std::vector<std::string>& lines);

}  // namespace fwc::cli::managers::ipt
