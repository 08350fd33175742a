#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// Every string a policy or its path puts into an artefact goes through one
// of these, chosen by where it lands. Each keeps the artefact's syntax
// intact whatever the input holds (newlines, quotes, `$()`, backticks, ESC,
// bytes that are not UTF-8): the text can never end its comment, close its
// quotes or start a command.
namespace fwc::escape {

// One line of a '#' comment (nft -f, iptables-restore, ipset restore, sh).
// A backslash is doubled, then the line is shown as diagnostics show text
// (printable(): newline, CR and tab as \n, \r, \t, other controls, DEL and
// bytes that are not UTF-8 as \xHH, C1 and bidirectional controls escaped).
std::string comment_line(std::string_view text);

// The inside of a double-quoted nft string (comment, log prefix). nft has
// no escapes there: only printable ASCII without '"' and '\' is kept, cut
// to `max` bytes (ending in "...").
std::string nft_string(std::string_view text, size_t max);

// The inside of an nft log prefix: as nft_string, without '$' too (nft
// reads `$NAME` there as a variable; the loader refuses it already).
std::string nft_log_prefix(std::string_view text, size_t max);

// The inside of a double-quoted iptables-restore argument (--comment,
// --log-prefix): the same rule, since the restore parser ends the word at
// '"' and takes '\' as an escape.
std::string ipt_quoted(std::string_view text, size_t max);

// A single-quoted POSIX shell word, quotes included: it's -> 'it'\''s'.
// Nothing inside is expanded; a newline stays literal.
std::string shell_word(std::string_view text);

// A ufw rule comment, which the script writes inside single quotes and ufw
// refuses to hold a single quote: printable ASCII without '\'', cut to
// `max` bytes.
std::string ufw_comment(std::string_view text, size_t max);

// A value inside a firewalld rich rule's double quotes; the rule is then
// one shell word (shell_word). firewalld splits attributes at '=' and
// has no escape for '"' or '\': printable ASCII is kept, '=' becomes '_',
// '"' and '\' are dropped.
std::string rich_value(std::string_view text);

// Characters besides letters and digits that AWS takes in security group
// names and descriptions.
inline constexpr std::string_view kAwsTextChars = "._-:/()#,@[]+=&;{}!$* ";
// Every printable ASCII character besides letters and digits.
inline constexpr std::string_view kPrintablePunctuation = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

// A cloud provider's restricted text field (AWS descriptions and group
// names, DigitalOcean and Hetzner names): letters, digits and the
// characters of `allowed` stay, every other byte becomes `replacement`;
// cut to `max` bytes (ending in "...").
std::string cloud_text(std::string_view text, std::string_view allowed, char replacement, size_t max);

}  // namespace fwc::escape
